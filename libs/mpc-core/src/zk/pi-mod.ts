import { InternalError, InvalidInputError } from '../errors';
import { crtCombine, crtParams, isPerfectSquare, jacobi, millerRabin, mod, modInv } from '../math/modarith';
import { modPowFast } from '../math/modpow';
import { randomBelow, type Rng } from '../rng';
import { type ProofContext, Transcript } from '../transcript';
import { areUnits, assertBigInt, assertModulus, ensure, isAcceptableModulus, isUnit } from './common';
import { M } from './params';

/**
 * Πmod, "Paillier-Blum modulus" (CGGMP21, ePrint 2021/060, Fig. 16 in the revision
 * whose Πaff-g is Fig. 15 and Πfac Fig. 28; later revisions renumber). Proves N = p·q with
 * p ≡ q ≡ 3 mod 4 and gcd(N, φ(N)) = 1.
 *
 * 1. The prover picks w in Z_N with Jacobi symbol (w/N) = -1.
 * 2. Challenges y_1..y_M in Z_N from the transcript ('cggmp21/pi-mod', context, N, w).
 * 3. For each i the prover finds a_i, b_i in {0,1} such that y'_i = (-1)^a_i w^b_i y_i is a quadratic
 *    residue, and sends x_i = y'_i^(1/4) mod N (the fourth root that is itself a residue) and
 *    z_i = y_i^(N^-1 mod φ(N)) mod N.
 * Verify: N odd, at least the minimum size and COMPOSITE (Miller-Rabin with transcript-derived
 * bases: a prime N ≡ 3 mod 4 would otherwise pass); w in Z*_N with (w/N) = -1; for every i:
 * x_i, z_i in Z*_N, z_i^N = y_i and x_i^4 = (-1)^a_i w^b_i y_i mod N. M = 128 repetitions.
 */
export interface ModStatement {
  readonly N: bigint;
}

export interface ModWitness {
  readonly p: bigint;
  readonly q: bigint;
}

export interface ModProof {
  readonly w: bigint;
  readonly x: readonly bigint[];
  readonly a: readonly boolean[];
  readonly b: readonly boolean[];
  readonly z: readonly bigint[];
}

const DOMAIN = 'cggmp21/pi-mod';
const PRIMALITY_ROUNDS = 40;

function challenges(ctx: ProofContext, N: bigint, w: bigint): bigint[] {
  const t = new Transcript(DOMAIN).appendContext(ctx).appendBigInt('N', N).appendBigInt('w', w);
  return Array.from({ length: M }, (_, i) => t.challengeBelow(`y[${i}]`, N));
}

/** Miller-Rabin bases for the verifier's compositeness check, derived from N (not chosen by the prover). */
function primalityBases(N: bigint): bigint[] {
  const t = new Transcript(`${DOMAIN}/primality`).appendBigInt('N', N);
  return Array.from({ length: PRIMALITY_ROUNDS }, (_, i) => 2n + t.challengeBelow(`base[${i}]`, N - 3n));
}

export function proveModulus(ctx: ProofContext, statement: ModStatement, witness: ModWitness, rng: Rng): ModProof {
  const { N } = statement;
  assertModulus(N, 'statement.N');
  assertBigInt(witness.p, 'witness.p');
  assertBigInt(witness.q, 'witness.q');
  const { p, q } = witness;
  if (p * q !== N || p === q) throw new InvalidInputError('witness', 'p·q is not statement.N');
  if ((p & 3n) !== 3n || (q & 3n) !== 3n) throw new InvalidInputError('witness', 'p and q must be 3 mod 4 (a Paillier-Blum modulus)');
  const crt = crtParams(p, p - 1n, q, q - 1n);
  const phi = (p - 1n) * (q - 1n);
  const nInv = modInv(N, phi); // throws when gcd(N, φ(N)) != 1
  const dp = nInv % (p - 1n);
  const dq = nInv % (q - 1n);
  // fourth roots of a residue v mod p ≡ 3 mod 4: v^(((p+1)/4)^2)
  const fp = mod(((p + 1n) / 4n) ** 2n, p - 1n);
  const fq = mod(((q + 1n) / 4n) ** 2n, q - 1n);

  let w: bigint;
  do w = randomBelow(rng, N);
  while (jacobi(w, N) !== -1);
  const wp = jacobi(w, p);
  const ys = challenges(ctx, N, w);
  const x: bigint[] = [];
  const a: boolean[] = [];
  const b: boolean[] = [];
  const z: bigint[] = [];
  for (const y of ys) {
    if (!isUnit(y, N)) throw new InternalError('pi-mod: a challenge is not in Z*_N');
    const lp = jacobi(y, p);
    const lq = jacobi(y, q);
    // (-1/p) = (-1/q) = -1 and (w/p) = -(w/q): choose signs so that both symbols become 1.
    let found = false;
    for (const ai of [false, true]) {
      for (const bi of [false, true]) {
        const sp = (ai ? -1 : 1) * (bi ? wp : 1) * lp;
        const sq = (ai ? -1 : 1) * (bi ? -wp : 1) * lq;
        if (found || sp !== 1 || sq !== 1) continue;
        found = true;
        let v = ai ? N - y : y;
        if (bi) v = (v * w) % N;
        const xp = modPowFast(v % p, fp, p);
        const xq = modPowFast(v % q, fq, q);
        x.push(crtCombine(xp, p, xq, q, crt.m1Inv));
        a.push(ai);
        b.push(bi);
      }
    }
    if (!found) throw new InternalError('pi-mod: no residue among ±w^b·y');
    z.push(crtCombine(modPowFast(y % p, dp, p), p, modPowFast(y % q, dq, q), q, crt.m1Inv));
  }
  return { w, x, a, b, z };
}

/** Never throws on a malformed statement or proof (returns false); throws only on a malformed ctx. */
export function verifyModulus(ctx: ProofContext, statement: ModStatement, proof: ModProof): boolean {
  new Transcript(DOMAIN).appendContext(ctx); // validates ctx (the caller's input)
  try {
    const { N } = statement;
    ensure(isAcceptableModulus(N) && !isPerfectSquare(N));
    ensure(!millerRabin(N, primalityBases(N))); // N must be composite
    ensure(typeof proof === 'object' && proof !== null);
    const { w, x, a, b, z } = proof;
    ensure(areUnits([w], N) && jacobi(w, N) === -1);
    ensure(Array.isArray(x) && Array.isArray(a) && Array.isArray(b) && Array.isArray(z));
    ensure(x.length === M && a.length === M && b.length === M && z.length === M);
    const ys = challenges(ctx, N, w);
    ensure(areUnits(ys, N)); // one gcd for all the challenges
    for (let i = 0; i < M; i++) {
      const xi: unknown = x[i];
      const ai: unknown = a[i];
      const bi: unknown = b[i];
      const zi: unknown = z[i];
      const yi = ys[i] as bigint;
      ensure(typeof ai === 'boolean' && typeof bi === 'boolean');
      // y_i is a unit (checked above); z_i^N = y_i and x_i^4 = ±w^b·y_i then force x_i and z_i to be
      // units too, so a range check suffices for them.
      ensure(typeof xi === 'bigint' && typeof zi === 'bigint' && xi > 0n && xi < N && zi > 0n && zi < N);
      ensure(modPowFast(zi, N, N) === yi);
      let v = ai ? N - yi : yi;
      if (bi) v = (v * w) % N;
      const x2 = (xi * xi) % N;
      ensure((x2 * x2) % N === v);
    }
    return true;
  } catch {
    return false;
  }
}
