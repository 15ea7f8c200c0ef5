import { InvalidInputError } from '../errors';
import { type Rng, randomBelow } from '../rng';
import { CURVE_ORDER, G, Point, assertPoint, modq, mulPublic } from '../ecdsa/curve';

/**
 * Feldman verifiable secret sharing over secp256k1 (Feldman 1987; CGGMP21 §3 uses it for the
 * threshold key). A polynomial f(X) = a_0 + a_1 X + … + a_{t−1} X^{t−1} over F_q; party j receives
 * f(j); the commitments A_k = a_k·G let every receiver check its share: f(j)·G = Σ_k j^k·A_k.
 */
export interface FeldmanPolynomial {
  /** Secret coefficients a_0..a_{t−1}. */
  readonly coefficients: readonly bigint[];
}

export function randomPolynomial(rng: Rng, degreePlusOne: number, constant?: bigint): FeldmanPolynomial {
  if (!Number.isSafeInteger(degreePlusOne) || degreePlusOne < 1) {
    throw new InvalidInputError('degreePlusOne', 'must be a positive integer');
  }
  const coefficients: bigint[] = [];
  for (let k = 0; k < degreePlusOne; k++) {
    coefficients.push(k === 0 && constant !== undefined ? modq(constant) : 1n + randomBelow(rng, CURVE_ORDER - 1n));
  }
  return { coefficients };
}

/** f(x) mod q by Horner's rule. */
export function evaluatePolynomial(poly: FeldmanPolynomial, x: bigint): bigint {
  let acc = 0n;
  for (let k = poly.coefficients.length - 1; k >= 0; k--) acc = modq(acc * x + poly.coefficients[k]);
  return acc;
}

/** Commitments a_k·G for k ≥ `from` (refresh commits from k = 1: its a_0 is 0). */
export function commitPolynomial(poly: FeldmanPolynomial, from = 0): Point[] {
  return poly.coefficients.slice(from).map((a) => G.multiply(a));
}

/**
 * Σ_k x^(k+offset)·A_k: the public image f(x)·G of a committed polynomial (offset 1 when the
 * commitment vector starts at a_1, as in refresh).
 */
export function evaluateCommitments(commitments: readonly Point[], x: bigint, offset = 0): Point {
  let acc: Point = Point.ZERO;
  let power = offset === 0 ? 1n : modq(x);
  for (let k = 0; k < commitments.length; k++) {
    acc = acc.add(mulPublic(commitments[k], power));
    power = modq(power * x);
  }
  return acc;
}

/** Checks share·G = Σ x^(k+offset)·A_k. */
export function verifyShare(commitments: readonly Point[], x: bigint, share: bigint, offset = 0): boolean {
  if (typeof share !== 'bigint' || share < 0n || share >= CURVE_ORDER) return false;
  commitments.forEach((A, k) => assertPoint(A, `commitments[${k}]`));
  return mulPublic(G, share).equals(evaluateCommitments(commitments, x, offset));
}
