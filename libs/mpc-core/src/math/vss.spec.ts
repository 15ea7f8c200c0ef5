import fc from 'fast-check';
import { CURVE_ORDER, G, modq } from '../ecdsa/curve';
import { testOnlyDeterministicRng } from '../ecdsa/testing/deterministic-rng';
import { lagrangeCoefficient, lagrangeCoefficientAt } from './lagrange';
import { commitPolynomial, evaluateCommitments, evaluatePolynomial, randomPolynomial, verifyShare } from './vss';

describe('Feldman VSS and Lagrange interpolation over secp256k1', () => {
  it('any t of n shares interpolate the secret (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 3 }), fc.string(), (t, extra, seed) => {
        const n = t + extra;
        const poly = randomPolynomial(testOnlyDeterministicRng(seed), t);
        const ids = Array.from({ length: n }, (_, i) => i + 1);
        const subset = ids.slice(extra);
        const secret = subset.reduce((acc, id) => modq(acc + lagrangeCoefficient(id, subset) * evaluatePolynomial(poly, BigInt(id))), 0n);
        expect(secret).toBe(poly.coefficients[0]);
        const x = 77n;
        const at = subset.reduce((acc, id) => modq(acc + lagrangeCoefficientAt(id, subset, x) * evaluatePolynomial(poly, BigInt(id))), 0n);
        expect(at).toBe(evaluatePolynomial(poly, x));
      }),
      { numRuns: 20 },
    );
  });

  it('shares verify against the commitments; a wrong share does not', () => {
    const poly = randomPolynomial(testOnlyDeterministicRng('vss'), 3);
    const A = commitPolynomial(poly);
    for (const j of [1n, 2n, 5n]) {
      expect(verifyShare(A, j, evaluatePolynomial(poly, j))).toBe(true);
      expect(verifyShare(A, j, modq(evaluatePolynomial(poly, j) + 1n))).toBe(false);
    }
    expect(verifyShare(A, 1n, CURVE_ORDER)).toBe(false);
    expect(evaluateCommitments(A, 0n).equals(G.multiply(poly.coefficients[0]!))).toBe(true);
  });

  it('a sharing of zero commits from a_1 (refresh)', () => {
    const poly = randomPolynomial(testOnlyDeterministicRng('zero'), 3, 0n);
    expect(poly.coefficients[0]).toBe(0n);
    const A = commitPolynomial(poly, 1);
    expect(A.length).toBe(2);
    expect(verifyShare(A, 4n, evaluatePolynomial(poly, 4n), 1)).toBe(true);
  });

  it('rejects duplicate, zero and absent party ids', () => {
    expect(() => lagrangeCoefficient(1, [1, 1, 2])).toThrow(/duplicate/);
    expect(() => lagrangeCoefficient(1, [0, 1])).toThrow(/positive/);
    expect(() => lagrangeCoefficient(3, [1, 2])).toThrow(/not in the set/);
  });
});
