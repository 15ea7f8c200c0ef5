import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { InvalidInputError } from '../errors';

/**
 * Modular exponentiation, the hot spot of the Paillier arithmetic (N^2 is 4096 bits for a 2048-bit
 * modulus).
 *
 * Two routes:
 * - {@link modPowBigInt}: plain left-to-right square-and-multiply on JavaScript BigInt. Correct for
 *   any modulus; slow (V8 BigInt division).
 * - {@link modPowOpenSsl}: OpenSSL's Montgomery exponentiation reached through a raw RSA public-key
 *   operation: `publicEncrypt({ key: (n = modulus, e = exponent), padding: RSA_NO_PADDING }, base)`
 *   computes base^e mod n. Pure computation: no I/O, no state kept between calls. OpenSSL accepts an
 *   exponent below n and, for n above 3072 bits, of at most 64 bits; larger exponents are split into
 *   chunks (Horner: r <- r^(2^k) · b^chunk). It needs an odd modulus of 512..16384 bits.
 *
 * Why not the Diffie-Hellman object (`createDiffieHellman(modulus, base)` + `setPrivateKey(exp)`)?
 * Measured (bench/paillier.bench.ts): Node runs OpenSSL's DH_check on every new DH object, i.e. a
 * Miller-Rabin test of the modulus, which costs a full exponentiation for N^2 and a complete
 * primality test (about 35 ms) for a prime modulus such as p in the CRT; the RSA route has no such
 * check and is faster for every size we use.
 *
 * NEITHER route is constant time: RSA public operations use BN_mod_exp_mont without the
 * constant-time flag, the chunking and the BigInt conversions leak the exponent's length and
 * zero chunks, and the BigInt route branches on every exponent bit. See libs/mpc-core/README.md.
 *
 * This file and safe-primes.ts are the only uses of node:crypto in mpc-core.
 */

const OPENSSL_MIN_BITS = 512;
const OPENSSL_MAX_BITS = 16384;
/** OpenSSL's OPENSSL_RSA_SMALL_MODULUS_BITS: above it the public exponent is limited to 64 bits. */
const SMALL_MODULUS_BITS = 3072;
const LARGE_MODULUS_CHUNK_BITS = 63;

function bits(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

function toBytes(x: bigint, length?: number): Buffer {
  let hex = x.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (length !== undefined && hex.length < 2 * length) hex = hex.padStart(2 * length, '0');
  return Buffer.from(hex, 'hex');
}

/** base^exp mod m by square-and-multiply; requires m >= 1, exp >= 0 (not checked: internal). */
export function modPowBigInt(base: bigint, exp: bigint, m: bigint): bigint {
  if (m === 1n) return 0n;
  let b = base % m;
  if (b < 0n) b += m;
  let result = 1n;
  const e = exp.toString(2);
  for (let i = 0; i < e.length; i++) {
    result = (result * result) % m;
    if (e.charCodeAt(i) === 49) result = (result * b) % m;
  }
  return result;
}

/** Whether {@link modPowOpenSsl} can take this modulus (odd, 512..16384 bits). */
export function openSslCanModPow(m: bigint): boolean {
  if (m <= 0n || (m & 1n) === 0n) return false;
  const mb = bits(m);
  return mb >= OPENSSL_MIN_BITS && mb <= OPENSSL_MAX_BITS;
}

type RsaKey = ReturnType<typeof createPublicKey>;

/** The RSA public key (n, e); OpenSSL caches its Montgomery context with the key object. */
function rsaKey(nBytes: Buffer, e: bigint): RsaKey {
  return createPublicKey({ key: { kty: 'RSA', n: nBytes.toString('base64url'), e: toBytes(e).toString('base64url') }, format: 'jwk' });
}

/** One RSA public operation: b^e mod n for 0 <= b < n, 1 <= e < n (and e <= 64 bits if n > 3072 bits). */
function rsaPublicPow(b: bigint, key: RsaKey, nLength: number): bigint {
  const out = publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, toBytes(b, nLength));
  return BigInt('0x' + out.toString('hex'));
}

/**
 * base^exp mod m through OpenSSL, for a modulus accepted by {@link openSslCanModPow}, 0 <= base < m
 * and exp >= 0 (internal: callers reduce and validate).
 */
export function modPowOpenSsl(base: bigint, exp: bigint, m: bigint): bigint {
  if (exp === 0n) return 1n;
  if (base <= 1n) return base;
  const mBits = bits(m);
  const nBytes = toBytes(m);
  const nLength = nBytes.length;
  const chunkBits = mBits > SMALL_MODULUS_BITS ? LARGE_MODULUS_CHUNK_BITS : mBits - 1;
  if (exp < m && (mBits <= SMALL_MODULUS_BITS || bits(exp) <= 64)) return rsaPublicPow(base, rsaKey(nBytes, exp), nLength);
  const k = BigInt(chunkBits);
  const mask = (1n << k) - 1n;
  const chunks: bigint[] = [];
  for (let e = exp; e > 0n; e >>= k) chunks.push(e & mask);
  // One key for all the r^(2^k) steps of this call (kept for this call only: no global cache).
  let shiftKey: RsaKey | undefined;
  let r = 1n;
  for (let j = chunks.length - 1; j >= 0; j--) {
    if (r > 1n) {
      shiftKey ??= rsaKey(nBytes, 1n << k);
      r = rsaPublicPow(r, shiftKey, nLength);
    }
    const c = chunks[j];
    if (c !== 0n) r = (r * rsaPublicPow(base, rsaKey(nBytes, c), nLength)) % m;
  }
  return r;
}

/**
 * base^exp mod m for m >= 1 and exp >= 0 (internal: modarith.modPow validates and handles negative
 * exponents). Uses OpenSSL when the modulus allows, else BigInt; an OpenSSL failure falls back to
 * BigInt (always correct).
 */
export function modPowFast(base: bigint, exp: bigint, m: bigint): bigint {
  if (typeof base !== 'bigint' || typeof exp !== 'bigint' || typeof m !== 'bigint' || m < 1n || exp < 0n) {
    throw new InvalidInputError('modPowFast', 'needs bigints with m >= 1 and exp >= 0');
  }
  if (m === 1n) return 0n;
  let b = base % m;
  if (b < 0n) b += m;
  if (openSslCanModPow(m)) {
    try {
      return modPowOpenSsl(b, exp, m);
    } catch {
      // OpenSSL refused (a limit we did not foresee): fall through to BigInt.
    }
  }
  return modPowBigInt(b, exp, m);
}
