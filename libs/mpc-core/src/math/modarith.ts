import { InvalidInputError } from '../errors';
import { randomBelow, type Rng } from '../rng';
import { modPowFast } from './modpow';

/**
 * Integer arithmetic modulo m on BigInt: the ground floor of the Paillier and ring-Pedersen code.
 * Not constant time (see libs/mpc-core/README.md). Every exported function validates its arguments
 * and names them in an InvalidInputError.
 */

function assertBigInt(x: unknown, name: string): asserts x is bigint {
  if (typeof x !== 'bigint') throw new InvalidInputError(name, 'must be a bigint');
}

function assertModulus(m: unknown, name = 'm'): asserts m is bigint {
  assertBigInt(m, name);
  if (m < 1n) throw new InvalidInputError(name, 'modulus must be positive');
}

/** The representative of a in [0, m). */
export function mod(a: bigint, m: bigint): bigint {
  assertBigInt(a, 'a');
  assertModulus(m);
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** Number of bits of |x| (0 for 0). */
export function bitLength(x: bigint): number {
  assertBigInt(x, 'x');
  if (x < 0n) x = -x;
  return x === 0n ? 0 : x.toString(2).length;
}

/** gcd(|a|, |b|). */
export function gcd(a: bigint, b: bigint): bigint {
  assertBigInt(a, 'a');
  assertBigInt(b, 'b');
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function isCoprime(a: bigint, b: bigint): boolean {
  return gcd(a, b) === 1n;
}

/** a^-1 mod m; throws InvalidInputError('a', ...) when gcd(a, m) != 1. */
export function modInv(a: bigint, m: bigint): bigint {
  assertBigInt(a, 'a');
  assertModulus(m);
  if (m === 1n) return 0n;
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) throw new InvalidInputError('a', 'not invertible modulo m');
  return mod(oldS, m);
}

/**
 * base^exp mod m. A negative exponent uses the inverse of the base (InvalidInputError('base') if it
 * has none). Uses OpenSSL's Montgomery exponentiation where it applies (math/modpow.ts).
 */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  assertBigInt(base, 'base');
  assertBigInt(exp, 'exp');
  assertModulus(m);
  if (m === 1n) return 0n;
  if (exp < 0n) {
    let inv: bigint;
    try {
      inv = modInv(base, m);
    } catch {
      throw new InvalidInputError('base', 'not invertible modulo m (negative exponent)');
    }
    return modPowFast(inv, -exp, m);
  }
  return modPowFast(mod(base, m), exp, m);
}

/** A uniform element of Z*_N (in [1, N) and coprime to N). */
export function randomCoprime(rng: Rng, N: bigint): bigint {
  assertModulus(N, 'N');
  if (N < 2n) throw new InvalidInputError('N', 'must be at least 2');
  for (;;) {
    const x = randomBelow(rng, N);
    if (x !== 0n && gcd(x, N) === 1n) return x;
  }
}

/** floor(sqrt(n)) for n >= 0 (Newton). */
export function isqrt(n: bigint): bigint {
  assertBigInt(n, 'n');
  if (n < 0n) throw new InvalidInputError('n', 'must not be negative');
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function isPerfectSquare(n: bigint): boolean {
  if (n < 0n) return false;
  const r = isqrt(n);
  return r * r === n;
}

/** The Jacobi symbol (a/n) for odd n > 0: -1, 0 or 1. */
export function jacobi(a: bigint, n: bigint): number {
  assertBigInt(a, 'a');
  assertBigInt(n, 'n');
  if (n <= 0n || (n & 1n) === 0n) throw new InvalidInputError('n', 'must be odd and positive');
  a = mod(a, n);
  let result = 1;
  while (a !== 0n) {
    while ((a & 1n) === 0n) {
      a >>= 1n;
      const r = n & 7n;
      if (r === 3n || r === 5n) result = -result;
    }
    [a, n] = [n, a];
    if ((a & 3n) === 3n && (n & 3n) === 3n) result = -result;
    a %= n;
  }
  return n === 1n ? result : 0;
}

/**
 * The x in [0, m1*m2) with x = a1 mod m1 and x = a2 mod m2, for coprime m1, m2, given
 * m1Inv = m1^-1 mod m2 (precomputed by the caller: this is the CRT recombination of Garner).
 */
export function crtCombine(a1: bigint, m1: bigint, a2: bigint, m2: bigint, m1Inv: bigint): bigint {
  assertBigInt(a1, 'a1');
  assertBigInt(a2, 'a2');
  const h = mod((a2 - a1) * m1Inv, m2);
  return a1 + m1 * h;
}

/** Precomputed CRT for a modulus m = m1 * m2 with coprime factors. */
export interface CrtParams {
  readonly m1: bigint;
  readonly m2: bigint;
  /** m1^-1 mod m2. */
  readonly m1Inv: bigint;
  /** The multiplicative group orders (phi) of Z*_m1 and Z*_m2: exponents are reduced modulo them. */
  readonly phi1: bigint;
  readonly phi2: bigint;
}

export function crtParams(m1: bigint, phi1: bigint, m2: bigint, phi2: bigint): CrtParams {
  assertModulus(m1, 'm1');
  assertModulus(m2, 'm2');
  assertModulus(phi1, 'phi1');
  assertModulus(phi2, 'phi2');
  return { m1, m2, m1Inv: modInv(m1, m2), phi1, phi2 };
}

/**
 * base^exp mod (m1*m2) through the CRT, for a base coprime to m1*m2: exponents (negative ones too)
 * are reduced modulo the group orders, so no inverse is computed. About 3-4 times faster than one
 * exponentiation modulo the product. The result is meaningless for a base that is not a unit.
 */
export function modPowCrt(base: bigint, exp: bigint, c: CrtParams): bigint {
  assertBigInt(base, 'base');
  assertBigInt(exp, 'exp');
  const r1 = modPowFast(mod(base, c.m1), mod(exp, c.phi1), c.m1);
  const r2 = modPowFast(mod(base, c.m2), mod(exp, c.phi2), c.m2);
  return crtCombine(r1, c.m1, r2, c.m2, c.m1Inv);
}

/**
 * Miller-Rabin with the given bases (each in [2, n-2]): false means certainly composite. Used by
 * verifiers that must refuse a prime modulus (Πmod); bases come from the transcript.
 */
export function millerRabin(n: bigint, bases: readonly bigint[]): boolean {
  assertBigInt(n, 'n');
  if (bases.length === 0) throw new InvalidInputError('bases', 'must not be empty');
  if (n < 2n) return false;
  if (n < 4n) return true;
  if ((n & 1n) === 0n) return false;
  let d = n - 1n;
  let r = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    r++;
  }
  outer: for (const a of bases) {
    assertBigInt(a, 'bases[i]');
    const base = 2n + mod(a, n - 3n);
    let x = modPowFast(base, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let i = 1; i < r; i++) {
      x = (x * x) % n;
      if (x === n - 1n) continue outer;
    }
    return false;
  }
  return true;
}

/** Big-endian bytes of x >= 0 (no leading zeros; empty for 0). */
export function bigIntToBytes(x: bigint): Uint8Array {
  assertBigInt(x, 'x');
  if (x < 0n) throw new InvalidInputError('x', 'must not be negative');
  let hex = x.toString(16);
  if (hex === '0') return new Uint8Array(0);
  if (hex.length % 2) hex = '0' + hex;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
