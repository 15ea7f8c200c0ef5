import { testOnlyRng } from '../../test/fixtures/deterministic-rng';
import { ctx, otherProver, otherSession, tamperings, testParty } from '../../test/fixtures/zk-test-helpers';
import { M } from './params';
import { proveRingPedersenParams, verifyRingPedersenParams } from './pi-prm';

describe('Πprm (ring-Pedersen parameters)', () => {
  const { rp, rpSecret } = testParty(0);
  const rng = testOnlyRng('pi-prm');
  const proof = proveRingPedersenParams(ctx, rp, rpSecret, rng);

  it('is complete, with M = 128 binary challenges', () => {
    expect(proof.A).toHaveLength(M);
    expect(verifyRingPedersenParams(ctx, rp, proof)).toBe(true);
  });

  it('rejects any single altered field', () => {
    for (const [field, bad] of tamperings(proof)) {
      expect([field, verifyRingPedersenParams(ctx, rp, bad)]).toEqual([field, false]);
    }
    expect(verifyRingPedersenParams(ctx, rp, { ...proof, z: proof.z.map((zi, i) => (i === M - 1 ? zi + 1n : zi)) })).toBe(false);
  });

  it('rejects under another session, prover or statement', () => {
    expect(verifyRingPedersenParams(otherSession, rp, proof)).toBe(false);
    expect(verifyRingPedersenParams(otherProver, rp, proof)).toBe(false);
    expect(verifyRingPedersenParams(ctx, { ...rp, s: rp.t, t: rp.s }, proof)).toBe(false);
    expect(verifyRingPedersenParams(ctx, testParty(1).rp, proof)).toBe(false);
  });

  it('rejects s outside <t> (s = -t, a non-residue with Jacobi symbol 1), whatever λ the prover claims', () => {
    const bad = { ...rp, s: rp.N - rp.t };
    for (const lambda of [1n, rpSecret.lambda]) {
      expect(verifyRingPedersenParams(ctx, bad, proveRingPedersenParams(ctx, bad, { ...rpSecret, lambda }, rng))).toBe(false);
    }
  });

  it('rejects malformed statements and proofs without throwing', () => {
    expect(verifyRingPedersenParams(ctx, { ...rp, s: 1n }, proof)).toBe(false);
    expect(verifyRingPedersenParams(ctx, { ...rp, t: 0n }, proof)).toBe(false);
    expect(verifyRingPedersenParams(ctx, { ...rp, t: testParty(0).paillier.p }, proof)).toBe(false);
    expect(verifyRingPedersenParams(ctx, { ...rp, N: rp.N + 2n }, proof)).toBe(false);
    expect(verifyRingPedersenParams(ctx, rp, { ...proof, z: proof.z.map(() => -1n) })).toBe(false);
    expect(verifyRingPedersenParams(ctx, rp, { ...proof, A: proof.A.map(() => rp.N) })).toBe(false);
    expect(verifyRingPedersenParams(ctx, rp, { A: proof.A } as unknown as typeof proof)).toBe(false);
  });

  it('refuses to prove with a wrong φ, naming it', () => {
    expect(() => proveRingPedersenParams(ctx, rp, { ...rpSecret, phi: rpSecret.phi + 2n }, rng)).toThrow('witness.phi');
  });
});
