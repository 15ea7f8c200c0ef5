import { generatePrimeSync } from 'node:crypto';
import { crtCombine, jacobi, mod, modInv, randomCoprime } from '../math/modarith';
import { modPowFast } from '../math/modpow';
import { testOnlyRng } from '../../test/fixtures/deterministic-rng';
import { TEST_ONLY_PRIME_2048_3_MOD_4, TEST_ONLY_SAFE_PRIMES_1024 } from '../../test/fixtures/test-only-safe-primes';
import { ctx, otherProver, otherSession, tamperings } from '../../test/fixtures/zk-test-helpers';
import type { ProofContext } from '../transcript';
import { Transcript } from '../transcript';
import { M } from './params';
import { proveModulus, verifyModulus, type ModProof } from './pi-mod';

const [p, q] = TEST_ONLY_SAFE_PRIMES_1024[0];
const N = p * q;

/**
 * A cheating prover that knows every prime factor (each 3 mod 4) of N and does its best: for each
 * challenge it looks for signs making ±w^b·y a residue modulo every factor and takes fourth roots
 * there; if there is none it sends x = 1. It re-derives the challenges as pi-mod.ts does (checked
 * below against an honest modulus, so that a rejection is not an artefact of the replica).
 */
function cheatingModProof(c: ProofContext, n: bigint, primes: readonly bigint[], seed: string): ModProof {
  const rng = testOnlyRng(seed);
  let w: bigint;
  do w = randomCoprime(rng, n);
  while (jacobi(w, n) !== -1);
  const t = new Transcript('cggmp21/pi-mod').appendContext(c).appendBigInt('N', n).appendBigInt('w', w);
  const phi = primes.reduce((acc, pi) => acc * (pi - 1n), 1n);
  const nInv = modInv(n, phi);
  const crtAll = (residues: bigint[]): bigint =>
    residues.reduce(
      (acc, ri, i) => {
        const pi = primes[i]!;
        return { x: crtCombine(acc.x, acc.m, ri, pi, modInv(acc.m, pi)), m: acc.m * pi };
      },
      { x: 0n, m: 1n },
    ).x;
  const proof = { w, x: [] as bigint[], a: [] as boolean[], b: [] as boolean[], z: [] as bigint[] };
  for (let i = 0; i < M; i++) {
    const y = t.challengeBelow(`y[${i}]`, n);
    let done = false;
    for (const a of [false, true]) {
      for (const b of [false, true]) {
        if (done) continue;
        const v = mod((a ? -1n : 1n) * (b ? w : 1n) * y, n);
        if (!primes.every((pi) => jacobi(v, pi) === 1)) continue;
        done = true;
        proof.x.push(crtAll(primes.map((pi) => modPowFast(v % pi, mod(((pi + 1n) / 4n) ** 2n, pi - 1n), pi))));
        proof.a.push(a);
        proof.b.push(b);
      }
    }
    if (!done) {
      proof.x.push(1n);
      proof.a.push(false);
      proof.b.push(false);
    }
    proof.z.push(modPowFast(y, nInv, n));
  }
  return proof;
}

describe('Πmod (Paillier-Blum modulus)', () => {
  const rng = testOnlyRng('pi-mod');
  const proof = proveModulus(ctx, { N }, { p, q }, rng);

  it('is complete, with M = 128 repetitions', () => {
    expect(M).toBeGreaterThanOrEqual(80);
    expect(proof.x).toHaveLength(M);
    expect(verifyModulus(ctx, { N }, proof)).toBe(true);
  });

  it('rejects any single altered field', () => {
    for (const [field, bad] of tamperings(proof)) {
      expect([field, verifyModulus(ctx, { N }, bad)]).toEqual([field, false]);
    }
    // a late element changed too
    expect(verifyModulus(ctx, { N }, { ...proof, z: proof.z.map((zi, i) => (i === M - 1 ? zi + 1n : zi)) })).toBe(false);
    expect(verifyModulus(ctx, { N }, { ...proof, a: proof.a.map((ai, i) => (i === 77 ? !ai : ai)) })).toBe(false);
  });

  it('rejects under another session, prover or modulus', () => {
    expect(verifyModulus(otherSession, { N }, proof)).toBe(false);
    expect(verifyModulus(otherProver, { N }, proof)).toBe(false);
    const [p1, q1] = TEST_ONLY_SAFE_PRIMES_1024[1];
    expect(verifyModulus(ctx, { N: p1 * q1 }, proof)).toBe(false);
  });

  it('the cheating prover below is faithful: it passes for an honest Paillier-Blum modulus', () => {
    expect(verifyModulus(ctx, { N }, cheatingModProof(ctx, N, [p, q], 'honest'))).toBe(true);
  });

  it('rejects a modulus with three prime factors (not Paillier-Blum), even from a prover that knows them', () => {
    const r = TEST_ONLY_SAFE_PRIMES_1024[2][0];
    const n3 = p * q * r;
    expect(verifyModulus(ctx, { N: n3 }, cheatingModProof(ctx, n3, [p, q, r], 'three'))).toBe(false);
  });

  it('rejects a PRIME modulus ≡ 3 mod 4 (every per-round check would pass: the compositeness check stops it)', () => {
    const prime = TEST_ONLY_PRIME_2048_3_MOD_4;
    expect(verifyModulus(ctx, { N: prime }, cheatingModProof(ctx, prime, [prime], 'prime'))).toBe(false);
  });

  it('refuses to prove for a non-Blum factorization, naming the witness', () => {
    const r = generatePrimeSync(1040, { bigint: true, add: 4n, rem: 1n }); // 1 mod 4
    expect(() => proveModulus(ctx, { N: p * r }, { p, q: r }, rng)).toThrow('invalid witness: p and q must be 3 mod 4');
    expect(() => proveModulus(ctx, { N }, { p, q: q + 4n }, rng)).toThrow('invalid witness');
  });

  it('rejects malformed statements and proofs without throwing', () => {
    expect(verifyModulus(ctx, { N: N + 1n }, proof)).toBe(false);
    expect(verifyModulus(ctx, { N: p * p }, proof)).toBe(false);
    expect(verifyModulus(ctx, { N: 35n }, proof)).toBe(false);
    expect(verifyModulus(ctx, { N }, { ...proof, w: p })).toBe(false);
    expect(verifyModulus(ctx, { N }, { ...proof, w: 1n })).toBe(false); // Jacobi symbol +1
    expect(verifyModulus(ctx, { N }, { ...proof, x: proof.x.map(() => 0n) })).toBe(false);
    expect(verifyModulus(ctx, { N }, { ...proof, a: proof.a.map(() => 1 as unknown as boolean) })).toBe(false);
    expect(verifyModulus(ctx, { N }, { ...proof, z: 'x' as unknown as bigint[] })).toBe(false);
  });
});
