import { secp256k1 } from '@noble/curves/secp256k1.js';
import { modPow, randomCoprime } from '../math/modarith';
import { testOnlyRng } from '../../test/fixtures/deterministic-rng';
import { testParty } from '../../test/fixtures/zk-test-helpers';
import { areUnits, equalsTimesPower, expModN, expModN2, isCurvePoint, modPowPublicBase, mulPoint, pointFromHex, pointToHex, rpCommit } from './common';

describe('zk/common helpers', () => {
  const party = testParty(0);
  const { N, N2 } = party.paillier.publicKey;
  const rng = testOnlyRng('common');

  it('CRT exponentiation (own key) equals plain exponentiation, negative exponents included', () => {
    const b = randomCoprime(rng, N2);
    for (const e of [0n, 1n, -1n, N, -N, (1n << 3000n) + 5n, -((1n << 2000n) + 7n)]) {
      expect(expModN2(N, party.paillier)(b, e)).toBe(modPow(b, e, N2));
      expect(expModN(N, party.paillier)(b % N, e)).toBe(modPow(b % N, e, N));
      expect(expModN(N)(b % N, e)).toBe(modPow(b % N, e, N));
    }
  });

  it('modPowPublicBase and rpCommit handle negative exponents', () => {
    const { rp } = party;
    expect(modPowPublicBase(rp.s, -5n, rp.N)).toBe(modPow(rp.s, -5n, rp.N));
    expect(modPowPublicBase(rp.s, -5n, rp.N)).toBe(modPow(rp.s, -5n, rp.N)); // from the memo
    expect(rpCommit(rp, -3n, -4n)).toBe((modPow(rp.s, -3n, rp.N) * modPow(rp.t, -4n, rp.N)) % rp.N);
  });

  it('equalsTimesPower checks lhs = A·B^e for both signs of e', () => {
    const A = randomCoprime(rng, N);
    const B = randomCoprime(rng, N);
    for (const e of [12345n, -12345n, 0n]) {
      const lhs = (A * modPow(B, e, N)) % N;
      expect(equalsTimesPower(N, lhs, A, B, e)).toBe(true);
      expect(equalsTimesPower(N, (lhs + 1n) % N, A, B, e)).toBe(false);
    }
  });

  it('areUnits: one gcd for many values, with range and type checks', () => {
    const { p, q } = party.paillier;
    const u = [randomCoprime(rng, N), randomCoprime(rng, N), randomCoprime(rng, N)];
    expect(areUnits(u, N)).toBe(true);
    expect(areUnits([...u, p * 3n], N)).toBe(false);
    expect(areUnits([q, ...u], N)).toBe(false);
    expect(areUnits([...u, 0n], N)).toBe(false);
    expect(areUnits([...u, N], N)).toBe(false);
    expect(areUnits([N + 1n], N, N2)).toBe(true);
    expect(areUnits([N2], N, N2)).toBe(false);
    expect(areUnits([5], N)).toBe(false);
    expect(areUnits([], N)).toBe(true);
  });

  it('points: compressed hex round trip, identity and junk refused', () => {
    const P = secp256k1.Point.BASE.multiply(5n);
    expect(pointFromHex(pointToHex(P))?.equals(P)).toBe(true);
    expect(pointFromHex(pointToHex(P).toUpperCase())).toBeUndefined();
    expect(pointFromHex('02' + 'ff'.repeat(32))).toBeUndefined();
    expect(pointFromHex(42)).toBeUndefined();
    expect(isCurvePoint(secp256k1.Point.ZERO)).toBe(false);
    expect(mulPoint(P, 0n).equals(secp256k1.Point.ZERO)).toBe(true);
    expect(mulPoint(P, -1n).equals(P.negate())).toBe(true);
  });
});
