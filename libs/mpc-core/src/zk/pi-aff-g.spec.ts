import { secp256k1 } from '@noble/curves/secp256k1.js';
import { addCiphertexts, decrypt, encryptCrt, encryptWithNonce, mulCiphertext } from '../math/paillier';
import { mod } from '../math/modarith';
import { paillierSecretKeyFromPrimes } from '../math/paillier';
import { ringPedersenFromPrimes } from '../math/ring-pedersen';
import { TEST_ONLY_SAFE_PRIMES_1536 } from '../../test/fixtures/test-only-safe-primes';
import { testOnlyRng } from '../../test/fixtures/deterministic-rng';
import { ctx, otherProver, otherSession, tamperings, testParty } from '../../test/fixtures/zk-test-helpers';
import { ELL, ELL_PRIME, EPSILON } from './params';
import { proveAffG, verifyAffG, type AffGStatement } from './pi-aff-g';

const G = secp256k1.Point.BASE;
const Fn = secp256k1.Point.Fn;

describe('Πaff-g (Paillier affine operation with group commitment in range)', () => {
  const verifier = testParty(0); // owns N0, C and the ring-Pedersen parameters
  const prover = testParty(1); // owns N1
  const rng = testOnlyRng('pi-aff-g');
  const pk0 = verifier.paillier.publicKey;
  const pk1 = prover.paillier.publicKey;
  const k = 123456789n;
  const C = encryptCrt(verifier.paillier, k, rng).ciphertext;

  function instance(x: bigint, y: bigint) {
    const rho = 1234567n;
    const rhoY = 7654321n;
    // D = C^x (1 + N0)^y rho^N0: here y = -beta, so that the verifier decrypts x·k - beta.
    const D = addCiphertexts(pk0, mulCiphertext(pk0, C, x), encryptWithNonce(pk0, y, rho));
    const Y = encryptWithNonce(pk1, y, rhoY);
    const statement: AffGStatement = { N0: pk0.N, N1: pk1.N, C, D, Y, X: G.multiply(Fn.create(x)), rp: verifier.rp };
    return { statement, witness: { x, y, rho, rhoY } };
  }

  const x = (1n << BigInt(ELL)) - 5n;
  const beta = (1n << BigInt(ELL_PRIME)) - 77n;
  const { statement, witness } = instance(x, -beta);
  const proof = proveAffG(ctx, statement, { ...witness, proverSecretKey: prover.paillier }, rng);

  it('is complete, and D decrypts to x·k + y (the documented sign convention)', () => {
    expect(verifyAffG(ctx, statement, proof)).toBe(true);
    expect(verifyAffG(ctx, statement, proveAffG(ctx, statement, witness, rng))).toBe(true);
    expect(decrypt(verifier.paillier, statement.D)).toBe(x * k - beta);
    expect(decrypt(prover.paillier, statement.Y)).toBe(-beta);
  });

  it('gives the same verdicts with the verifier CRT key (N0 and N̂)', () => {
    expect(verifyAffG(ctx, statement, proof, verifier.paillier)).toBe(true);
    for (const [field, bad] of tamperings(proof)) {
      expect([field, verifyAffG(ctx, statement, bad, verifier.paillier)]).toEqual([field, false]);
    }
    const bigY = instance(x, 1n << BigInt(ELL_PRIME + EPSILON + 1));
    expect(verifyAffG(ctx, bigY.statement, proveAffG(ctx, bigY.statement, bigY.witness, rng), verifier.paillier)).toBe(false);
  });

  it('rejects any single altered field', () => {
    for (const [field, bad] of tamperings(proof)) {
      expect([field, verifyAffG(ctx, statement, bad)]).toEqual([field, false]);
    }
  });

  it('rejects under another session, prover or statement', () => {
    expect(verifyAffG(otherSession, statement, proof)).toBe(false);
    expect(verifyAffG(otherProver, statement, proof)).toBe(false);
    expect(verifyAffG(ctx, { ...statement, X: statement.X.add(G) }, proof)).toBe(false);
    expect(verifyAffG(ctx, { ...statement, D: mod(statement.D * (1n + pk0.N), pk0.N2) }, proof)).toBe(false);
    expect(verifyAffG(ctx, { ...statement, Y: mod(statement.Y * (1n + pk1.N), pk1.N2) }, proof)).toBe(false);
    expect(verifyAffG(ctx, { ...statement, C: mod(C * C, pk0.N2) }, proof)).toBe(false);
    expect(verifyAffG(ctx, { ...statement, N0: pk1.N, N1: pk0.N }, proof)).toBe(false);
    expect(verifyAffG(ctx, { ...statement, rp: testParty(2).rp }, proof)).toBe(false);
  });

  it('rejects a proof for an out-of-range x or y (Alpha-Rays), or an inconsistent witness', () => {
    const bigX = instance(1n << BigInt(ELL + EPSILON + 1), -beta);
    expect(verifyAffG(ctx, bigX.statement, proveAffG(ctx, bigX.statement, bigX.witness, rng))).toBe(false);
    const bigY = instance(x, 1n << BigInt(ELL_PRIME + EPSILON + 1));
    expect(verifyAffG(ctx, bigY.statement, proveAffG(ctx, bigY.statement, bigY.witness, rng))).toBe(false);
    // Y encrypts another y than D uses
    const other = { ...statement, Y: encryptWithNonce(pk1, -beta + 1n, witness.rhoY) };
    expect(verifyAffG(ctx, other, proveAffG(ctx, other, witness, rng))).toBe(false);
    // X is not x·G
    const otherX = { ...statement, X: G.multiply(3n) };
    expect(verifyAffG(ctx, otherX, proveAffG(ctx, otherX, witness, rng))).toBe(false);
  });

  it('rejects malformed statements and proofs without throwing', () => {
    expect(verifyAffG(ctx, { ...statement, C: 0n }, proof)).toBe(false);
    expect(verifyAffG(ctx, { ...statement, D: verifier.paillier.p }, proof)).toBe(false);
    expect(verifyAffG(ctx, { ...statement, Y: pk1.N2 }, proof)).toBe(false);
    expect(verifyAffG(ctx, { ...statement, N1: 35n }, proof)).toBe(false);
    expect(verifyAffG(ctx, statement, { ...proof, w: verifier.paillier.q })).toBe(false);
    expect(verifyAffG(ctx, statement, { ...proof, wY: 0n })).toBe(false);
    expect(verifyAffG(ctx, statement, { ...proof, Bx: '02' + '00'.repeat(32) })).toBe(false);
    expect(verifyAffG(ctx, statement, { ...proof, z1: 1.5 as unknown as bigint })).toBe(false);
  });

  it('works across sizes: a 3072-bit verifier key and ring-Pedersen modulus with a 2048-bit prover key', () => {
    const [p3, q3] = TEST_ONLY_SAFE_PRIMES_1536[0];
    const big = paillierSecretKeyFromPrimes(p3, q3);
    const bigRp = ringPedersenFromPrimes(p3, q3, rng).params;
    const C3 = encryptCrt(big, k, rng).ciphertext;
    const rho = 99n;
    const D3 = addCiphertexts(big.publicKey, mulCiphertext(big.publicKey, C3, x), encryptWithNonce(big.publicKey, -beta, rho));
    const st: AffGStatement = { ...statement, N0: big.publicKey.N, C: C3, D: D3, rp: bigRp };
    const pr = proveAffG(ctx, st, { ...witness, rho, proverSecretKey: prover.paillier }, rng);
    expect(verifyAffG(ctx, st, pr)).toBe(true);
    expect(verifyAffG(ctx, st, pr, big)).toBe(true);
    expect(decrypt(big, D3)).toBe(x * k - beta);
  });

  it('refuses to prove on a malformed statement, naming it', () => {
    expect(() => proveAffG(ctx, { ...statement, Y: 0n }, witness, rng)).toThrow('statement.Y');
    expect(() => proveAffG(ctx, statement, { ...witness, proverSecretKey: verifier.paillier }, rng)).toThrow('witness.proverSecretKey');
  });
});
