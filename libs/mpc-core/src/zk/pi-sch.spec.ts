import { G, modq } from '../ecdsa/curve';
import { testOnlyDeterministicRng } from '../ecdsa/testing/deterministic-rng';
import { proveSchnorr, schnorrCommit, verifySchnorr } from './pi-sch';

describe('Πsch (Schnorr proof of knowledge, CGGMP21 §C.1)', () => {
  const rng = testOnlyDeterministicRng('pi-sch');
  const ctx = { sessionId: new Uint8Array(32).fill(3), partyIds: [1, 2, 3], prover: 2 };
  const x = 123456789n;
  const X = G.multiply(x);
  const bind = new Uint8Array([1, 2, 3]);
  const proof = proveSchnorr(ctx, X, x, schnorrCommit(rng), bind);

  it('is complete', () => expect(verifySchnorr(ctx, X, proof, bind)).toBe(true));

  it('is bound to the session, the parties, the prover, the statement and the extra bytes', () => {
    expect(verifySchnorr({ ...ctx, sessionId: new Uint8Array(32).fill(4) }, X, proof, bind)).toBe(false);
    expect(verifySchnorr({ ...ctx, partyIds: [1, 2, 4] }, X, proof, bind)).toBe(false);
    expect(verifySchnorr({ ...ctx, prover: 1 }, X, proof, bind)).toBe(false);
    expect(verifySchnorr(ctx, G.multiply(x + 1n), proof, bind)).toBe(false);
    expect(verifySchnorr(ctx, X, proof, new Uint8Array([1, 2, 4]))).toBe(false);
  });

  it('rejects altered and malformed proofs without throwing', () => {
    expect(verifySchnorr(ctx, X, { ...proof, z: modq(proof.z + 1n) }, bind)).toBe(false);
    expect(verifySchnorr(ctx, X, { ...proof, A: G.toHex(true) }, bind)).toBe(false);
    expect(verifySchnorr(ctx, X, { ...proof, A: '02' + '00'.repeat(31) + '05' }, bind)).toBe(false);
    expect(verifySchnorr(ctx, X, { ...proof, z: 2n ** 256n }, bind)).toBe(false);
    expect(verifySchnorr(ctx, X, { A: 1, z: 'x' } as never, bind)).toBe(false);
    expect(verifySchnorr(ctx, X, null as never, bind)).toBe(false);
  });

  it('a wrong witness gives a proof that fails', () => {
    expect(verifySchnorr(ctx, X, proveSchnorr(ctx, X, x + 1n, schnorrCommit(rng), bind), bind)).toBe(false);
  });
});
