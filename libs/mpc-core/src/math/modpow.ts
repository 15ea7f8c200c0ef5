import { createDiffieHellman } from 'node:crypto';

/**
 * Modular exponentiation, the hot spot of the Paillier arithmetic (N^2 is 4096 bits for a 2048-bit
 * modulus).
 *
 * Two routes:
 * - {@link modPowBigInt}: plain left-to-right square-and-multiply on JavaScript BigInt. Correct for
 *   any modulus; slow (V8 BigInt division) and NOT constant time.
 * - {@link modPowOpenSsl}: OpenSSL's Montgomery exponentiation, reached through Node's
 *   Diffie-Hellman object: `createDiffieHellman(modulus, base)`, `setPrivateKey(exponent)`,
 *   `generateKeys()` computes base^exponent mod modulus. This is pure computation (no I/O, no state
 *   kept between calls). OpenSSL marks a DH private key BN_FLG_CONSTTIME, so the exponentiation
 *   itself runs `BN_mod_exp_mont_consttime` (fixed window, no exponent-dependent branches or memory
 *   access); the conversions between BigInt and bytes around it are not constant time and the
 *   exponent's byte length is visible. OpenSSL needs an odd modulus of 512..10000 bits, a base
 *   outside {0, 1} and a positive exponent: anything else goes to the BigInt route.
 *
 * This file and safe-primes.ts are the only uses of node:crypto in mpc-core (see the README).
 * bench/paillier.bench.ts measures both routes; `modPowFast` is kept because it is measured several
 * times faster (4096-bit modulus: about 5-10x).
 */

const OPENSSL_MIN_BITS = 512;
const OPENSSL_MAX_BITS = 10000;

function toBytes(x: bigint): Buffer {
  let hex = x.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return Buffer.from(hex, 'hex');
}

function bits(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
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

/** Whether {@link modPowOpenSsl} can take these arguments (after reducing the base). */
export function openSslCanModPow(base: bigint, exp: bigint, m: bigint): boolean {
  if (m <= 0n || (m & 1n) === 0n || exp <= 0n || base <= 1n || base >= m) return false;
  const mb = bits(m);
  return mb >= OPENSSL_MIN_BITS && mb <= OPENSSL_MAX_BITS;
}

/** base^exp mod m through OpenSSL; the caller checks {@link openSslCanModPow} first. */
export function modPowOpenSsl(base: bigint, exp: bigint, m: bigint): bigint {
  const dh = createDiffieHellman(toBytes(m), toBytes(base));
  dh.setPrivateKey(toBytes(exp));
  const out = dh.generateKeys();
  return out.length === 0 ? 0n : BigInt('0x' + out.toString('hex'));
}

/**
 * base^exp mod m for m >= 1 and exp >= 0 (internal: modarith.modPow validates and handles negative
 * exponents). Uses OpenSSL when it can, else BigInt; an OpenSSL failure falls back to BigInt.
 */
export function modPowFast(base: bigint, exp: bigint, m: bigint): bigint {
  let b = base % m;
  if (b < 0n) b += m;
  if (openSslCanModPow(b, exp, m)) {
    try {
      return modPowOpenSsl(b, exp, m);
    } catch {
      // OpenSSL refused (a limit we did not foresee): the BigInt route is always correct.
    }
  }
  return modPowBigInt(b, exp, m);
}
