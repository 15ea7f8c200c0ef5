import { encryptCrt } from '../math/paillier';
import { testOnlyRng } from '../../test/fixtures/deterministic-rng';
import { ctx, otherProver, otherSession, tamperings, testParty } from '../../test/fixtures/zk-test-helpers';
import { ELL, EPSILON } from './params';
import { proveEncRange, verifyEncRange, type EncStatement } from './pi-enc';

describe('Πenc (Paillier encryption in range)', () => {
  const prover = testParty(0);
  const verifier = testParty(1);
  const rng = testOnlyRng('pi-enc');
  const k = (1n << BigInt(ELL)) - 12345n;
  const { ciphertext: K, nonce: rho } = encryptCrt(prover.paillier, k, rng);
  const statement: EncStatement = { N0: prover.paillier.publicKey.N, K, rp: verifier.rp };
  const proof = proveEncRange(ctx, statement, { k, rho, proverSecretKey: prover.paillier }, rng);

  it('is complete (with and without the CRT prover), for negative k too', () => {
    expect(verifyEncRange(ctx, statement, proof)).toBe(true);
    const neg = encryptCrt(prover.paillier, -k, rng);
    const st2 = { ...statement, K: neg.ciphertext };
    expect(verifyEncRange(ctx, st2, proveEncRange(ctx, st2, { k: -k, rho: neg.nonce }, rng))).toBe(true);
  });

  it('gives the same verdicts with the verifier CRT key', () => {
    expect(verifyEncRange(ctx, statement, proof, verifier.paillier)).toBe(true);
    for (const [field, bad] of tamperings(proof)) {
      expect([field, verifyEncRange(ctx, statement, bad, verifier.paillier)]).toEqual([field, false]);
    }
    expect(verifyEncRange(ctx, statement, proof, prover.paillier)).toBe(true); // a key for another modulus is ignored
  });

  it('rejects any single altered field', () => {
    for (const [field, bad] of tamperings(proof)) {
      expect([field, verifyEncRange(ctx, statement, bad)]).toEqual([field, false]);
    }
  });

  it('rejects under another session, prover or statement', () => {
    expect(verifyEncRange(otherSession, statement, proof)).toBe(false);
    expect(verifyEncRange(otherProver, statement, proof)).toBe(false);
    expect(verifyEncRange(ctx, { ...statement, K: (K * K) % (statement.N0 * statement.N0) }, proof)).toBe(false);
    expect(verifyEncRange(ctx, { ...statement, rp: testParty(2).rp }, proof)).toBe(false);
    expect(verifyEncRange(ctx, { ...statement, rp: { ...verifier.rp, s: verifier.rp.t, t: verifier.rp.s } }, proof)).toBe(false);
  });

  it('rejects a proof for an out-of-range plaintext', () => {
    const big = 1n << BigInt(ELL + EPSILON + 1);
    const enc = encryptCrt(prover.paillier, big, rng);
    const st = { ...statement, K: enc.ciphertext };
    expect(verifyEncRange(ctx, st, proveEncRange(ctx, st, { k: big, rho: enc.nonce }, rng))).toBe(false);
  });

  it('rejects a proof with a wrong witness', () => {
    expect(verifyEncRange(ctx, statement, proveEncRange(ctx, statement, { k: k - 1n, rho }, rng))).toBe(false);
  });

  it('rejects malformed statements and proofs without throwing', () => {
    const N0 = statement.N0;
    expect(verifyEncRange(ctx, { ...statement, K: 0n }, proof)).toBe(false);
    expect(verifyEncRange(ctx, { ...statement, K: prover.paillier.p }, proof)).toBe(false);
    expect(verifyEncRange(ctx, { ...statement, K: N0 * N0 }, proof)).toBe(false);
    expect(verifyEncRange(ctx, { ...statement, N0: N0 + 2n }, proof)).toBe(false);
    expect(verifyEncRange(ctx, { ...statement, rp: { ...verifier.rp, N: 15n } }, proof)).toBe(false);
    expect(verifyEncRange(ctx, statement, { ...proof, z2: prover.paillier.p })).toBe(false);
    expect(verifyEncRange(ctx, statement, { ...proof, S: 0n })).toBe(false);
    expect(verifyEncRange(ctx, statement, { ...proof, z3: 'x' as unknown as bigint })).toBe(false);
    expect(verifyEncRange(ctx, statement, null as unknown as typeof proof)).toBe(false);
  });

  it('refuses to prove on a malformed statement, naming it', () => {
    expect(() => proveEncRange(ctx, { ...statement, K: 0n }, { k, rho }, rng)).toThrow('statement.K');
    expect(() => proveEncRange(ctx, { ...statement, N0: 35n }, { k, rho }, rng)).toThrow('statement.N0');
  });
});
