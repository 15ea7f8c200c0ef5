import { InvalidInputError } from '../errors';
import { isqrt, modPow } from '../math/modarith';
import type { PaillierSecretKey } from '../math/paillier';
import type { RingPedersenParams } from '../math/ring-pedersen';
import { randomSymmetric, type Rng } from '../rng';
import { type ProofContext, Transcript } from '../transcript';
import {
  appendRingPedersen,
  assertBigInt,
  assertModulus,
  assertRingPedersen,
  challengeE,
  ensure,
  equalsTimesPower,
  expModN,
  inSymmetricRange,
  isAcceptableModulus,
  isAcceptableRingPedersen,
  areUnits,
  rpCommit,
} from './common';
import { ELL, EPSILON } from './params';

/**
 * Πfac, "no small factor" (CGGMP21, ePrint 2021/060, appendix C.5, Fig. 28 in the revision whose
 * Πaff-g is Fig. 15; later revisions renumber). Proves N0 = p·q with p, q in ±√N0·2^ℓ, i.e. no
 * factor below about 2^ℓ: the defence against BitForge (CVE-2023-33241) together with Πmod.
 *
 * Statement: the prover's modulus N0 and the VERIFIER's ring-Pedersen parameters (N̂, s, t).
 * 1. α, β ← ±2^(ℓ+ε)·√N0; μ, ν ← ±2^ℓ·N̂; σ ← ±2^ℓ·N0·N̂; r ← ±2^(ℓ+ε)·N0·N̂; x, y ← ±2^(ℓ+ε)·N̂;
 *    P = s^p t^μ, Q = s^q t^ν, A = s^α t^x, B = s^β t^y, T = Q^α t^r mod N̂ (and σ is sent).
 * 2. e ← ±q from the transcript ('cggmp21/pi-fac', context, N0, N̂, s, t, P, Q, A, B, T, σ).
 * 3. σ̂ = σ − ν·p; z1 = α + e·p, z2 = β + e·q, w1 = x + e·μ, w2 = y + e·ν, v = r + e·σ̂.
 * Verify, with R = s^N0 t^σ mod N̂: s^z1 t^w1 = A·P^e, s^z2 t^w2 = B·Q^e, Q^z1 t^v = T·R^e mod N̂,
 * and z1, z2 in ±√N0·2^(ℓ+ε) (√N0 taken as floor(sqrt(N0))).
 */
export interface FacStatement {
  /** The prover's Paillier modulus. */
  readonly N0: bigint;
  /** The verifier's ring-Pedersen parameters. */
  readonly rp: RingPedersenParams;
}

export interface FacWitness {
  readonly p: bigint;
  readonly q: bigint;
}

export interface FacProof {
  readonly P: bigint;
  readonly Q: bigint;
  readonly A: bigint;
  readonly B: bigint;
  readonly T: bigint;
  readonly sigma: bigint;
  readonly z1: bigint;
  readonly z2: bigint;
  readonly w1: bigint;
  readonly w2: bigint;
  readonly v: bigint;
}

const DOMAIN = 'cggmp21/pi-fac';

function challenge(ctx: ProofContext, st: FacStatement, m: Pick<FacProof, 'P' | 'Q' | 'A' | 'B' | 'T' | 'sigma'>): bigint {
  const t = new Transcript(DOMAIN).appendContext(ctx).appendBigInt('N0', st.N0);
  appendRingPedersen(t, 'rp', st.rp);
  t.appendBigInt('P', m.P).appendBigInt('Q', m.Q).appendBigInt('A', m.A).appendBigInt('B', m.B).appendBigInt('T', m.T);
  return challengeE(t.appendBigInt('sigma', m.sigma));
}

export function proveNoSmallFactor(ctx: ProofContext, statement: FacStatement, witness: FacWitness, rng: Rng): FacProof {
  const { N0, rp } = statement;
  assertModulus(N0, 'statement.N0');
  assertRingPedersen(rp, 'statement.rp');
  assertBigInt(witness.p, 'witness.p');
  assertBigInt(witness.q, 'witness.q');
  const { p, q } = witness;
  if (p * q !== N0) throw new InvalidInputError('witness', 'p·q is not statement.N0');
  const Nh = rp.N;
  const sqrtN0 = isqrt(N0);
  const twoL = 1n << BigInt(ELL);
  const twoLE = 1n << BigInt(ELL + EPSILON);
  const alpha = randomSymmetric(rng, twoLE * sqrtN0);
  const beta = randomSymmetric(rng, twoLE * sqrtN0);
  const mu = randomSymmetric(rng, twoL * Nh);
  const nu = randomSymmetric(rng, twoL * Nh);
  const sigma = randomSymmetric(rng, twoL * N0 * Nh);
  const r = randomSymmetric(rng, twoLE * N0 * Nh);
  const x = randomSymmetric(rng, twoLE * Nh);
  const y = randomSymmetric(rng, twoLE * Nh);

  const P = rpCommit(rp, p, mu);
  const Q = rpCommit(rp, q, nu);
  const A = rpCommit(rp, alpha, x);
  const B = rpCommit(rp, beta, y);
  const T = (modPow(Q, alpha, Nh) * modPow(rp.t, r, Nh)) % Nh;
  const e = challenge(ctx, statement, { P, Q, A, B, T, sigma });
  const sigmaHat = sigma - nu * p;
  return {
    P,
    Q,
    A,
    B,
    T,
    sigma,
    z1: alpha + e * p,
    z2: beta + e * q,
    w1: x + e * mu,
    w2: y + e * nu,
    v: r + e * sigmaHat,
  };
}

/**
 * Never throws on a malformed statement or proof (returns false); throws only on a malformed ctx.
 * `verifierKey`, the verifier's own Paillier secret key, makes the checks modulo N̂ use the CRT when
 * N̂ is its modulus (as in CGGMP21); the result is the same.
 */
export function verifyNoSmallFactor(
  ctx: ProofContext,
  statement: FacStatement,
  proof: FacProof,
  verifierKey?: PaillierSecretKey,
): boolean {
  new Transcript(DOMAIN).appendContext(ctx); // validates ctx (the caller's input)
  try {
    const { N0, rp } = statement;
    ensure(isAcceptableModulus(N0) && isAcceptableRingPedersen(rp));
    ensure(typeof proof === 'object' && proof !== null);
    const { P, Q, A, B, T, sigma, z1, z2, w1, w2, v } = proof;
    const Nh = rp.N;
    ensure(areUnits([P, Q, A, B, T], Nh));
    ensure([sigma, w1, w2, v].every((u) => typeof u === 'bigint'));
    const bound = isqrt(N0) << BigInt(ELL + EPSILON);
    ensure(inSymmetricRange(z1, bound) && inSymmetricRange(z2, bound));
    const e = challenge(ctx, statement, { P, Q, A, B, T, sigma });
    const expN = expModN(Nh, verifierKey);
    const R = rpCommit(rp, N0, sigma, expN);
    ensure(equalsTimesPower(Nh, rpCommit(rp, z1, w1, expN), A, P, e, expN));
    ensure(equalsTimesPower(Nh, rpCommit(rp, z2, w2, expN), B, Q, e, expN));
    ensure(equalsTimesPower(Nh, (expN(Q, z1) * expN(rp.t, v)) % Nh, T, R, e, expN));
    return true;
  } catch {
    return false;
  }
}
