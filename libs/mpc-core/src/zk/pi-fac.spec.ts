import { testOnlyRng } from '../../test/fixtures/deterministic-rng';
import { TEST_ONLY_SAFE_PRIMES_1024 } from '../../test/fixtures/test-only-safe-primes';
import { ctx, otherProver, otherSession, tamperings, testParty } from '../../test/fixtures/zk-test-helpers';
import { proveNoSmallFactor, verifyNoSmallFactor, type FacStatement } from './pi-fac';

describe('Πfac (no small factor)', () => {
  const prover = testParty(0);
  const verifier = testParty(1);
  const rng = testOnlyRng('pi-fac');
  const { p, q } = prover.paillier;
  const statement: FacStatement = { N0: p * q, rp: verifier.rp };
  const proof = proveNoSmallFactor(ctx, statement, { p, q }, rng);

  it('is complete', () => {
    expect(verifyNoSmallFactor(ctx, statement, proof)).toBe(true);
  });

  it('gives the same verdicts with the verifier CRT key', () => {
    expect(verifyNoSmallFactor(ctx, statement, proof, verifier.paillier)).toBe(true);
    for (const [field, bad] of tamperings(proof)) {
      expect([field, verifyNoSmallFactor(ctx, statement, bad, verifier.paillier)]).toEqual([field, false]);
    }
  });

  it('rejects any single altered field', () => {
    for (const [field, bad] of tamperings(proof)) {
      expect([field, verifyNoSmallFactor(ctx, statement, bad)]).toEqual([field, false]);
    }
  });

  it('rejects under another session, prover or statement', () => {
    expect(verifyNoSmallFactor(otherSession, statement, proof)).toBe(false);
    expect(verifyNoSmallFactor(otherProver, statement, proof)).toBe(false);
    expect(verifyNoSmallFactor(ctx, { ...statement, rp: testParty(2).rp }, proof)).toBe(false);
    const [p1, q1] = TEST_ONLY_SAFE_PRIMES_1024[3];
    expect(verifyNoSmallFactor(ctx, { ...statement, N0: p1 * q1 }, proof)).toBe(false);
  });

  it('rejects a modulus with a small (127-bit) factor, proven by a prover that knows it (BitForge)', () => {
    const small = (1n << 127n) - 1n; // the Mersenne prime M127
    const [p1, q1] = TEST_ONLY_SAFE_PRIMES_1024[3];
    const big = p1 * q1;
    const bad: FacStatement = { N0: small * big, rp: verifier.rp };
    expect(verifyNoSmallFactor(ctx, bad, proveNoSmallFactor(ctx, bad, { p: small, q: big }, rng))).toBe(false);
    expect(verifyNoSmallFactor(ctx, bad, proveNoSmallFactor(ctx, bad, { p: big, q: small }, rng))).toBe(false);
  });

  it('rejects malformed statements and proofs without throwing', () => {
    expect(verifyNoSmallFactor(ctx, { ...statement, N0: 35n }, proof)).toBe(false);
    expect(verifyNoSmallFactor(ctx, { ...statement, rp: { ...verifier.rp, s: 0n } }, proof)).toBe(false);
    expect(verifyNoSmallFactor(ctx, statement, { ...proof, P: verifier.paillier.p })).toBe(false);
    expect(verifyNoSmallFactor(ctx, statement, { ...proof, z1: proof.z1 << 600n })).toBe(false);
    expect(verifyNoSmallFactor(ctx, statement, { ...proof, v: undefined as unknown as bigint })).toBe(false);
  });

  it('refuses to prove with a witness that does not factor N0', () => {
    expect(() => proveNoSmallFactor(ctx, statement, { p, q: q + 2n }, rng)).toThrow('invalid witness');
  });
});
