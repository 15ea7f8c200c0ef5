import { constants, createPrivateKey, createPublicKey, diffieHellman, publicEncrypt } from 'node:crypto';
import { InvalidInputError } from '../errors';

/**
 * Modular exponentiation, the hot spot of the Paillier arithmetic (N^2 is 4096 bits for a 2048-bit
 * modulus). Three routes, chosen per call (measured: bench/paillier.bench.ts):
 *
 * - {@link modPowBigInt}: plain left-to-right square-and-multiply on JavaScript BigInt. Correct for
 *   any modulus; slow (V8 BigInt division). The fallback for everything OpenSSL refuses.
 * - RSA public operation ({@link modPowOpenSsl}, default OpenSSL route):
 *   `publicEncrypt({ key: JWK(n = modulus, e = exponent), padding: RSA_NO_PADDING }, base)` computes
 *   base^e mod n. OpenSSL accepts any exponent below n for moduli up to 3072 bits; above 3072 bits
 *   (N^2) it limits e to 64 bits, so larger exponents are split into 63-bit chunks
 *   (Horner: r <- r^(2^63) · b^chunk).
 * - Diffie-Hellman KeyObjects (for moduli above 3072 bits and exponents of 1024 bits or more): a DH
 *   private key (p = modulus, x = exponent, PKCS#8) and a peer public key (y = base, SPKI), then
 *   `crypto.diffieHellman()` computes y^x mod p in one constant-time Montgomery exponentiation.
 *   Importing the private key makes OpenSSL compute 2^x mod p (a second exponentiation), which is
 *   still 10-15% cheaper than the 63-bit chunking for exponents of 1024 bits and more.
 *
 * Not used: `createDiffieHellman(modulus, base)` + `setPrivateKey(exp)` + `generateKeys()`. Node runs
 * OpenSSL's DH_check on every such object, i.e. a Miller-Rabin test of the modulus: about one full
 * exponentiation for N^2, a complete primality test (~35-45 ms) for a prime modulus such as p.
 *
 * Timing: NOT constant time overall. RSA public operations use BN_mod_exp_mont without the
 * constant-time flag; the chunking and the BigInt conversions depend on the exponent's length and
 * zero chunks; the BigInt route branches on every exponent bit. Only the DH route's exponentiation
 * itself is constant time in the exponent. See libs/mpc-core/README.md.
 *
 * This file and safe-primes.ts are the only uses of node:crypto in mpc-core; both are computation,
 * not I/O, and keep no state between calls.
 */

const OPENSSL_MIN_BITS = 512;
const OPENSSL_MAX_BITS = 16384;
/** OpenSSL's OPENSSL_RSA_SMALL_MODULUS_BITS: above it the public exponent is limited to 64 bits. */
const SMALL_MODULUS_BITS = 3072;
const LARGE_MODULUS_CHUNK_BITS = 63;
/** Above 3072 bits, exponents of at least this size go through the DH route (measured crossover ~800-1000 bits). */
const DH_MIN_EXPONENT_BITS = 1024;
/** OpenSSL's OPENSSL_DH_MAX_MODULUS_BITS. */
const DH_MAX_MODULUS_BITS = 10000;

// Minimal DER for the DH keys of the DH route (PKCS#3 parameters inside PKCS#8 / SPKI).
const OID_DH_KEY_AGREEMENT = Buffer.from('06092a864886f70d010301', 'hex'); // 1.2.840.113549.1.3.1

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function der(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

function derInteger(x: bigint): Buffer {
  let b = toBytes(x);
  if (b.length === 0 || (b[0] as number) & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return der(0x02, b);
}

/** base^exp mod m through DH KeyObjects; for odd m, 1 < base < m - 1, exp >= 1 (else OpenSSL throws). */
export function modPowDiffieHellmanKeys(base: bigint, exp: bigint, m: bigint): bigint {
  const algorithm = der(0x30, Buffer.concat([OID_DH_KEY_AGREEMENT, der(0x30, Buffer.concat([derInteger(m), derInteger(2n)]))]));
  const privateKey = createPrivateKey({
    key: der(0x30, Buffer.concat([derInteger(0n), algorithm, der(0x04, derInteger(exp))])),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey({
    key: der(0x30, Buffer.concat([algorithm, der(0x03, Buffer.concat([Buffer.from([0]), derInteger(base)]))])),
    format: 'der',
    type: 'spki',
  });
  const out = diffieHellman({ privateKey, publicKey });
  return out.length === 0 ? 0n : BigInt('0x' + out.toString('hex'));
}

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
  if (mBits > SMALL_MODULUS_BITS && mBits <= DH_MAX_MODULUS_BITS && bits(exp) >= DH_MIN_EXPONENT_BITS && exp < m && base < m - 1n) {
    try {
      return modPowDiffieHellmanKeys(base, exp, m);
    } catch {
      // OpenSSL refused these DH keys: the RSA route below is always available.
    }
  }
  return modPowRsa(base, exp, m);
}

/** The RSA-public-operation route alone (chunked above 3072 bits); same preconditions as {@link modPowOpenSsl}. */
export function modPowRsa(base: bigint, exp: bigint, m: bigint): bigint {
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
