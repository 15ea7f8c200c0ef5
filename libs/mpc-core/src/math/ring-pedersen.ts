import { InvalidInputError } from '../errors';
import { randomBelow, type Rng } from '../rng';
import { bitLength, crtParams, gcd, isPerfectSquare, modPow, modPowCrt, randomCoprime, type CrtParams } from './modarith';
import { MAX_PAILLIER_BITS, assertModulusBitRange, isSafePrime, smallFactor } from './paillier';

/**
 * Ring-Pedersen commitments (CGGMP21, ePrint 2021/060, section 2 "Ring-Pedersen parameters"): a
 * modulus N = pq of safe primes, t = r^2 mod N for a random r in Z*_N, s = t^lambda mod N for a
 * random lambda in Z_phi(N). A commitment to (x, y) is s^x · t^y mod N. Πprm proves s is in <t>.
 */

export interface RingPedersenParams {
  readonly N: bigint;
  readonly s: bigint;
  readonly t: bigint;
}

export interface RingPedersenSecret {
  /** s = t^lambda mod N. */
  readonly lambda: bigint;
  /** phi(N) = (p-1)(q-1). */
  readonly phi: bigint;
}

/** Parameters with their trapdoor, from two distinct safe primes of equal size. */
export function ringPedersenFromPrimes(
  p: bigint,
  q: bigint,
  rng: Rng,
): { params: RingPedersenParams; secret: RingPedersenSecret } {
  if (typeof p !== 'bigint') throw new InvalidInputError('p', 'must be a bigint');
  if (typeof q !== 'bigint') throw new InvalidInputError('q', 'must be a bigint');
  if (p === q) throw new InvalidInputError('q', 'must differ from p');
  if (bitLength(p) !== bitLength(q)) throw new InvalidInputError('q', 'must have the bit length of p');
  if (!isSafePrime(p)) throw new InvalidInputError('p', 'is not a safe prime');
  if (!isSafePrime(q)) throw new InvalidInputError('q', 'is not a safe prime');
  const N = p * q;
  const phi = (p - 1n) * (q - 1n);
  const crt = ringPedersenCrt(p, q);
  let t: bigint;
  do {
    const r = randomCoprime(rng, N);
    t = modPowCrt(r, 2n, crt);
  } while (t === 1n);
  let lambda: bigint;
  let s: bigint;
  do {
    lambda = randomBelow(rng, phi);
    s = modPowCrt(t, lambda, crt);
  } while (s === 1n);
  return { params: { N, s, t }, secret: { lambda, phi } };
}

/** CRT parameters modulo p and q, for an owner that computes commitments under its own N. */
export function ringPedersenCrt(p: bigint, q: bigint): CrtParams {
  return crtParams(p, p - 1n, q, q - 1n);
}

/** s^x · t^y mod N (x, y may be negative). */
export function ringPedersenCommit(params: RingPedersenParams, x: bigint, y: bigint): bigint {
  if (typeof x !== 'bigint') throw new InvalidInputError('x', 'must be a bigint');
  if (typeof y !== 'bigint') throw new InvalidInputError('y', 'must be a bigint');
  return (modPow(params.s, x, params.N) * modPow(params.t, y, params.N)) % params.N;
}

function checkParams(params: RingPedersenParams, minBits: number, maxBits: number): string | undefined {
  if (typeof params !== 'object' || params === null) return 'not an object';
  const { N, s, t } = params;
  if (typeof N !== 'bigint' || typeof s !== 'bigint' || typeof t !== 'bigint') return 'N, s and t must be bigints';
  // Size first: an oversized modulus is refused before anything is computed on it.
  if (N > 0n && bitLength(N) > maxBits) return `modulus has ${bitLength(N)} bits, more than the ${maxBits} accepted`;
  if (N <= 0n || bitLength(N) < minBits) return `modulus has fewer than ${minBits} bits`;
  if ((N & 1n) === 0n) return 'modulus must be odd';
  if (isPerfectSquare(N)) return 'modulus must not be a perfect square';
  if (smallFactor(N) !== undefined) return 'modulus has a small factor';
  for (const [label, v] of [
    ['s', s],
    ['t', t],
  ] as const) {
    if (v <= 1n || v >= N) return `${label} out of range (1, N)`;
    if (gcd(v, N) !== 1n) return `${label} not coprime to N`;
  }
  if (s === t) return 's must differ from t';
  return undefined;
}

/** Whether the parameters pass {@link assertValidRingPedersenParams} (non-throwing, for verifiers; `maxBits` defaults to {@link MAX_PAILLIER_BITS}). */
export function isValidRingPedersenParams(params: RingPedersenParams, minBits: number, maxBits = MAX_PAILLIER_BITS): boolean {
  try {
    return checkParams(params, minBits, maxBits) === undefined;
  } catch {
    return false;
  }
}

/**
 * Checks received parameters: N of at most `maxBits` bits (checked first) and at least `minBits`,
 * odd, not a square, no small factor; s and t in Z*_N, not 1, distinct. (That s is in <t> is what
 * Πprm proves.)
 */
export function assertValidRingPedersenParams(params: RingPedersenParams, minBits: number, maxBits: number, name: string): void {
  assertModulusBitRange(minBits, maxBits);
  const problem = checkParams(params, minBits, maxBits);
  if (problem !== undefined) throw new InvalidInputError(name, problem);
}
