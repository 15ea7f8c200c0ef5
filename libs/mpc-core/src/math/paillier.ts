import { InvalidInputError } from '../errors';
import type { Rng } from '../rng';
import {
  bitLength,
  crtCombine,
  crtParams,
  gcd,
  isPerfectSquare,
  millerRabin,
  mod,
  modInv,
  modPow,
  modPowCrt,
  randomCoprime,
  type CrtParams,
} from './modarith';
import { modPowFast } from './modpow';

/**
 * Paillier encryption with generator g = N + 1 (Paillier 1999; the variant used by CGGMP21,
 * ePrint 2021/060, section 2 "Paillier encryption"): Enc(m; r) = (1 + N)^m · r^N mod N^2, with
 * (1 + N)^m = 1 + m·N mod N^2. Plaintexts are signed: m in (-N/2, N/2) is encrypted as m mod N and
 * decryption returns the representative in (-N/2, N/2].
 *
 * Every operation under the party's own key (decryption, encryption with the secret key) runs
 * through the CRT modulo p^2 and q^2. Not constant time: see libs/mpc-core/README.md.
 */

/** The smallest Paillier modulus we accept anywhere (ARCHITECTURE.md: at least 2048 bits). */
export const MIN_PAILLIER_BITS = 2048;

export interface PaillierPublicKey {
  readonly N: bigint;
  readonly N2: bigint;
}

export interface PaillierSecretKey {
  readonly publicKey: PaillierPublicKey;
  readonly p: bigint;
  readonly q: bigint;
  /** phi(N) = (p-1)(q-1). */
  readonly phi: bigint;
  /** CRT modulo p^2 and q^2 (group orders p(p-1), q(q-1)). */
  readonly crtN2: CrtParams;
  /** CRT modulo p and q (group orders p-1, q-1). */
  readonly crtN: CrtParams;
  /** (-q)^-1 mod p and (-p)^-1 mod q: the decryption constants for g = N + 1. */
  readonly hp: bigint;
  readonly hq: bigint;
}

const SMALL_PRIMES: readonly bigint[] = (() => {
  const out: bigint[] = [];
  for (let n = 3; n < 2000; n += 2) {
    let prime = true;
    for (let d = 3; d * d <= n; d += 2) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) out.push(BigInt(n));
  }
  return out;
})();

/** The odd primes below 2000 (trial division; hygiene only, Πfac is the real defence). */
export function smallFactor(N: bigint): bigint | undefined {
  if ((N & 1n) === 0n) return 2n;
  for (const p of SMALL_PRIMES) if (N % p === 0n && N !== p) return p;
  return undefined;
}

/** The largest Paillier modulus size a node may be configured to accept (a ceiling on `maxBits`). */
export const MAX_PAILLIER_BITS = 8192;

/** Checks a [minBits, maxBits] modulus size range given by the caller (InvalidInputError naming it). */
export function assertModulusBitRange(minBits: number, maxBits: number): void {
  if (!Number.isInteger(minBits) || minBits < 1) throw new InvalidInputError('minBits', 'must be a positive integer');
  if (!Number.isInteger(maxBits) || maxBits < minBits || maxBits > MAX_PAILLIER_BITS) {
    throw new InvalidInputError('maxBits', `must be an integer in [minBits = ${minBits}, ${MAX_PAILLIER_BITS}]`);
  }
}

/**
 * Validates a Paillier modulus received from anyone. The size comes first: a modulus above
 * `maxBits` (a peer's 16,384-bit N, or a genuine but oversized Blum modulus that would make every
 * later operation with that peer slow) is refused before anything else is computed on it, and so
 * before any proof about it is looked at. Then: a bigint, odd, at least `minBits` bits, not a
 * perfect square, no factor below 2000. (That N is a Paillier-Blum modulus without small factors is
 * what Πmod and Πfac prove; verify them before storing the key.)
 */
export function paillierPublicKey(N: bigint, minBits: number, maxBits: number): PaillierPublicKey {
  assertModulusBitRange(minBits, maxBits);
  if (typeof N !== 'bigint') throw new InvalidInputError('N', 'must be a bigint');
  if (N <= 0n) throw new InvalidInputError('N', 'must be positive');
  if (bitLength(N) > maxBits) throw new InvalidInputError('N', `modulus has ${bitLength(N)} bits, more than the ${maxBits} accepted`);
  if (bitLength(N) < minBits) throw new InvalidInputError('N', `modulus has ${bitLength(N)} bits, fewer than ${minBits}`);
  if ((N & 1n) === 0n) throw new InvalidInputError('N', 'must be odd');
  if (isPerfectSquare(N)) throw new InvalidInputError('N', 'must not be a perfect square');
  if (smallFactor(N) !== undefined) throw new InvalidInputError('N', 'has a small factor');
  return { N, N2: N * N };
}

const MR_BASES: readonly bigint[] = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n, 41n, 43n, 47n, 53n];

/** Checks p is a safe prime (p and (p-1)/2 prime): fixed-base Miller-Rabin, for our OWN primes only. */
export function isSafePrime(p: bigint): boolean {
  if (typeof p !== 'bigint' || p < 7n) return false;
  if ((p & 3n) !== 3n) return false;
  return millerRabin(p, MR_BASES) && millerRabin((p - 1n) >> 1n, MR_BASES);
}

/**
 * The secret key from two distinct safe primes of the same bit length (so p ≡ q ≡ 3 mod 4, N is a
 * Paillier-Blum modulus and gcd(N, phi(N)) = 1). Throws InvalidInputError naming `p` or `q`.
 */
export function paillierSecretKeyFromPrimes(p: bigint, q: bigint): PaillierSecretKey {
  if (typeof p !== 'bigint') throw new InvalidInputError('p', 'must be a bigint');
  if (typeof q !== 'bigint') throw new InvalidInputError('q', 'must be a bigint');
  if (p === q) throw new InvalidInputError('q', 'must differ from p');
  if (bitLength(p) !== bitLength(q)) throw new InvalidInputError('q', 'must have the bit length of p');
  if (!isSafePrime(p)) throw new InvalidInputError('p', 'is not a safe prime');
  if (!isSafePrime(q)) throw new InvalidInputError('q', 'is not a safe prime');
  const N = p * q;
  const publicKey: PaillierPublicKey = { N, N2: N * N };
  return {
    publicKey,
    p,
    q,
    phi: (p - 1n) * (q - 1n),
    crtN2: crtParams(p * p, p * (p - 1n), q * q, q * (q - 1n)),
    crtN: crtParams(p, p - 1n, q, q - 1n),
    hp: modInv(mod(-q, p), p),
    hq: modInv(mod(-p, q), q),
  };
}

function assertPublicKey(pk: PaillierPublicKey, name = 'pk'): void {
  if (typeof pk !== 'object' || pk === null || typeof pk.N !== 'bigint' || typeof pk.N2 !== 'bigint' || pk.N2 !== pk.N * pk.N || pk.N < 3n) {
    throw new InvalidInputError(name, 'not a Paillier public key');
  }
}

function assertSecretKey(sk: PaillierSecretKey, name = 'sk'): void {
  if (typeof sk !== 'object' || sk === null || typeof sk.p !== 'bigint' || typeof sk.q !== 'bigint' || typeof sk.hp !== 'bigint') {
    throw new InvalidInputError(name, 'not a Paillier secret key');
  }
  assertPublicKey(sk.publicKey, `${name}.publicKey`);
}

/** A plaintext in (-N/2, N/2), as bigint; reduced mod N by the callers. */
function assertPlaintext(pk: PaillierPublicKey, m: bigint, name: string): void {
  if (typeof m !== 'bigint') throw new InvalidInputError(name, 'must be a bigint');
  const abs = m < 0n ? -m : m;
  if (2n * abs >= pk.N) throw new InvalidInputError(name, 'plaintext out of range (-N/2, N/2)');
}

/** An element of Z*_N (nonce). */
export function assertUnitModN(N: bigint, x: bigint, name: string): void {
  if (typeof x !== 'bigint') throw new InvalidInputError(name, 'must be a bigint');
  if (x <= 0n || x >= N) throw new InvalidInputError(name, 'out of range (0, N)');
  if (gcd(x, N) !== 1n) throw new InvalidInputError(name, 'not coprime to N');
}

/** 0 < c < N^2 and gcd(c, N) = 1, else InvalidInputError naming `name`. */
export function assertValidCiphertext(pk: PaillierPublicKey, c: bigint, name: string): void {
  assertPublicKey(pk);
  if (typeof c !== 'bigint') throw new InvalidInputError(name, 'must be a bigint');
  if (c <= 0n || c >= pk.N2) throw new InvalidInputError(name, 'ciphertext out of range (0, N^2)');
  if (gcd(c, pk.N) !== 1n) throw new InvalidInputError(name, 'ciphertext not coprime to N');
}

/** Whether c is a valid ciphertext (the non-throwing form, for verifiers). */
export function isValidCiphertext(pk: PaillierPublicKey, c: unknown): boolean {
  return typeof c === 'bigint' && c > 0n && c < pk.N2 && gcd(c, pk.N) === 1n;
}

/** (1 + N)^m mod N^2 = 1 + m·N mod N^2, for any integer m. */
export function onePlusNPow(pk: PaillierPublicKey, m: bigint): bigint {
  return mod(1n + mod(m, pk.N) * pk.N, pk.N2);
}

/** Enc(m; nonce) = (1 + N)^m · nonce^N mod N^2 with a given nonce in Z*_N. */
export function encryptWithNonce(pk: PaillierPublicKey, m: bigint, nonce: bigint): bigint {
  assertPublicKey(pk);
  assertPlaintext(pk, m, 'm');
  assertUnitModN(pk.N, nonce, 'nonce');
  return (onePlusNPow(pk, m) * modPowFast(nonce, pk.N, pk.N2)) % pk.N2;
}

/** Enc(m; r) with a fresh nonce r uniform in Z*_N. */
export function encrypt(pk: PaillierPublicKey, m: bigint, rng: Rng): { ciphertext: bigint; nonce: bigint } {
  assertPublicKey(pk);
  assertPlaintext(pk, m, 'm');
  const nonce = randomCoprime(rng, pk.N);
  return { ciphertext: encryptWithNonce(pk, m, nonce), nonce };
}

/** nonce^N mod N^2 under one's own key, through the CRT. */
export function nonceToTheN(sk: PaillierSecretKey, nonce: bigint): bigint {
  return modPowCrt(nonce, sk.publicKey.N, sk.crtN2);
}

/** Enc(m; nonce) under one's OWN key (CRT; same result as {@link encryptWithNonce}). */
export function encryptWithNonceCrt(sk: PaillierSecretKey, m: bigint, nonce: bigint): bigint {
  assertSecretKey(sk);
  const pk = sk.publicKey;
  assertPlaintext(pk, m, 'm');
  assertUnitModN(pk.N, nonce, 'nonce');
  return (onePlusNPow(pk, m) * nonceToTheN(sk, nonce)) % pk.N2;
}

/** Enc(m; r) under one's OWN key with a fresh nonce (CRT). */
export function encryptCrt(sk: PaillierSecretKey, m: bigint, rng: Rng): { ciphertext: bigint; nonce: bigint } {
  assertSecretKey(sk);
  assertPlaintext(sk.publicKey, m, 'm');
  const nonce = randomCoprime(rng, sk.publicKey.N);
  return { ciphertext: encryptWithNonceCrt(sk, m, nonce), nonce };
}

/**
 * Dec(c), the signed representative in (-N/2, N/2]. CRT: m = L_p(c^(p-1) mod p^2)·(-q)^-1 mod p,
 * likewise mod q, recombined mod N.
 */
export function decrypt(sk: PaillierSecretKey, c: bigint): bigint {
  assertSecretKey(sk);
  assertValidCiphertext(sk.publicKey, c, 'c');
  const { p, q, hp, hq } = sk;
  const p2 = sk.crtN2.m1;
  const q2 = sk.crtN2.m2;
  const mp = (((modPowFast(c % p2, p - 1n, p2) - 1n) / p) * hp) % p;
  const mq = (((modPowFast(c % q2, q - 1n, q2) - 1n) / q) * hq) % q;
  const m = crtCombine(mp, p, mq, q, sk.crtN.m1Inv);
  const N = sk.publicKey.N;
  return 2n * m > N ? m - N : m;
}

/** Enc(m1 + m2) from Enc(m1), Enc(m2): c1 · c2 mod N^2. */
export function addCiphertexts(pk: PaillierPublicKey, c1: bigint, c2: bigint): bigint {
  assertValidCiphertext(pk, c1, 'c1');
  assertValidCiphertext(pk, c2, 'c2');
  return (c1 * c2) % pk.N2;
}

/** Enc(k · m) from Enc(m): c^k mod N^2 (k may be negative: uses c^-1). */
export function mulCiphertext(pk: PaillierPublicKey, c: bigint, k: bigint): bigint {
  assertValidCiphertext(pk, c, 'c');
  if (typeof k !== 'bigint') throw new InvalidInputError('k', 'must be a bigint');
  return modPow(c, k, pk.N2);
}

/** {@link mulCiphertext} under one's OWN key, through the CRT (same result). */
export function mulCiphertextCrt(sk: PaillierSecretKey, c: bigint, k: bigint): bigint {
  assertSecretKey(sk);
  assertValidCiphertext(sk.publicKey, c, 'c');
  if (typeof k !== 'bigint') throw new InvalidInputError('k', 'must be a bigint');
  return modPowCrt(c, k, sk.crtN2);
}
