import { secp256k1 } from '@noble/curves/secp256k1.js';
import { encryptCrt } from '../math/paillier';
import { testOnlyRng } from '../../test/fixtures/deterministic-rng';
import { ctx, otherProver, otherSession, tamperings, testParty } from '../../test/fixtures/zk-test-helpers';
import { ELL, ELL_PRIME, EPSILON } from './params';
import { proveLogStar, verifyLogStar, type LogStarStatement } from './pi-log-star';

const G = secp256k1.Point.BASE;

describe('Πlog* (knowledge of exponent vs Paillier encryption)', () => {
  const prover = testParty(0);
  const verifier = testParty(1);
  const rng = testOnlyRng('pi-log-star');
  const B = G.multiply(777n); // a base other than G, as Γ in presigning
  const x = -((1n << BigInt(ELL)) - 99n);
  const { ciphertext: C, nonce: rho } = encryptCrt(prover.paillier, x, rng);
  const X = B.multiply(secp256k1.Point.Fn.create(x));
  const statement: LogStarStatement = { N0: prover.paillier.publicKey.N, C, X, B, rp: verifier.rp };
  const proof = proveLogStar(ctx, statement, { x, rho, proverSecretKey: prover.paillier }, rng);

  it('is complete (with and without the CRT prover)', () => {
    expect(verifyLogStar(ctx, statement, proof)).toBe(true);
    expect(verifyLogStar(ctx, statement, proveLogStar(ctx, statement, { x, rho }, rng))).toBe(true);
  });

  it('gives the same verdicts with the verifier CRT key', () => {
    expect(verifyLogStar(ctx, statement, proof, verifier.paillier)).toBe(true);
    for (const [field, bad] of tamperings(proof)) {
      expect([field, verifyLogStar(ctx, statement, bad, verifier.paillier)]).toEqual([field, false]);
    }
  });

  it('rejects any single altered field', () => {
    for (const [field, bad] of tamperings(proof)) {
      expect([field, verifyLogStar(ctx, statement, bad)]).toEqual([field, false]);
    }
  });

  it('rejects under another session, prover or statement', () => {
    expect(verifyLogStar(otherSession, statement, proof)).toBe(false);
    expect(verifyLogStar(otherProver, statement, proof)).toBe(false);
    expect(verifyLogStar(ctx, { ...statement, X: X.add(G) }, proof)).toBe(false);
    expect(verifyLogStar(ctx, { ...statement, B: G }, proof)).toBe(false);
    expect(verifyLogStar(ctx, { ...statement, C: (C * C) % (statement.N0 * statement.N0) }, proof)).toBe(false);
    expect(verifyLogStar(ctx, { ...statement, rp: testParty(2).rp }, proof)).toBe(false);
  });

  it('rejects a proof for an out-of-range or inconsistent witness', () => {
    const big = 1n << BigInt(ELL + EPSILON + 1);
    const enc = encryptCrt(prover.paillier, big, rng);
    const st = { ...statement, C: enc.ciphertext, X: B.multiply(secp256k1.Point.Fn.create(big)) };
    expect(verifyLogStar(ctx, st, proveLogStar(ctx, st, { x: big, rho: enc.nonce }, rng))).toBe(false);
    // X and C disagree on x
    const st2 = { ...statement, X: B.multiply(5n) };
    expect(verifyLogStar(ctx, st2, proveLogStar(ctx, st2, { x, rho }, rng))).toBe(false);
  });

  it('rejects malformed statements and proofs without throwing', () => {
    expect(verifyLogStar(ctx, { ...statement, C: 0n }, proof)).toBe(false);
    expect(verifyLogStar(ctx, { ...statement, C: prover.paillier.q }, proof)).toBe(false);
    expect(verifyLogStar(ctx, { ...statement, X: secp256k1.Point.ZERO }, proof)).toBe(false);
    expect(verifyLogStar(ctx, statement, { ...proof, Y: 'zz' })).toBe(false);
    expect(verifyLogStar(ctx, statement, { ...proof, z2: 0n })).toBe(false);
    expect(verifyLogStar(ctx, statement, { ...proof, D: verifier.rp.N })).toBe(false);
    expect(verifyLogStar(ctx, statement, undefined as unknown as typeof proof)).toBe(false);
  });

  it("with ell = ℓ' (1280) proves a witness of that range; the range is bound into the challenge", () => {
    const y = (1n << BigInt(ELL_PRIME)) - 12345n;
    const enc = encryptCrt(prover.paillier, y, rng);
    const wide: LogStarStatement = { ...statement, C: enc.ciphertext, X: B.multiply(secp256k1.Point.Fn.create(y)), ell: ELL_PRIME };
    const p = proveLogStar(ctx, wide, { x: y, rho: enc.nonce, proverSecretKey: prover.paillier }, rng);
    expect(verifyLogStar(ctx, wide, p, verifier.paillier)).toBe(true);
    expect(verifyLogStar(ctx, { ...wide, ell: undefined }, p)).toBe(false);
    expect(verifyLogStar(ctx, { ...wide, ell: 512 }, p)).toBe(false);
    // With the default range the same witness is out of range.
    const narrow = { ...wide, ell: undefined };
    expect(verifyLogStar(ctx, narrow, proveLogStar(ctx, narrow, { x: y, rho: enc.nonce }, rng))).toBe(false);
    expect(() => proveLogStar(ctx, { ...wide, ell: 512 }, { x: y, rho: enc.nonce }, rng)).toThrow('statement.ell');
  });

  it('refuses to prove on a malformed statement, naming it', () => {
    expect(() => proveLogStar(ctx, { ...statement, X: secp256k1.Point.ZERO }, { x, rho }, rng)).toThrow('statement.X');
  });
});
