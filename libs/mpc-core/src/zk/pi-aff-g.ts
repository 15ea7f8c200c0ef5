import { InvalidInputError } from '../errors';
import { modPow, randomCoprime } from '../math/modarith';
import type { PaillierSecretKey } from '../math/paillier';
import type { RingPedersenParams } from '../math/ring-pedersen';
import { randomSymmetric, type Rng } from '../rng';
import { type ProofContext, Transcript } from '../transcript';
import {
  appendPoint,
  appendRingPedersen,
  assertBigInt,
  assertCurvePoint,
  assertModulus,
  assertRingPedersen,
  assertUnit,
  challengeE,
  ensure,
  equalsTimesPower,
  expModN,
  expModN2,
  inSymmetricRange,
  isAcceptableModulus,
  isAcceptableRingPedersen,
  isCurvePoint,
  areUnits,
  mulPoint,
  paillierEnc,
  Point,
  pointFromHex,
  pointToHex,
  rpCommit,
} from './common';
import { ELL, ELL_PRIME, EPSILON } from './params';

/**
 * Πaff-g, "Paillier affine operation with group commitment in range" (CGGMP21, ePrint 2021/060,
 * section 6.2, Fig. 15 in the revision whose Πfac is Fig. 28; later revisions renumber).
 *
 * SIGN CONVENTION (the paper's, unchanged): D = C^x · (1 + N0)^y · ρ^N0 mod N0^2, i.e.
 * D = (x ⊙ C) ⊕ Enc_N0(y; ρ), and Y = Enc_N1(y; ρ_y) = (1 + N1)^y ρ_y^N1 mod N1^2 with the SAME y.
 * In MtA the prover who wants the verifier to decrypt x·c - β uses y = -β (and Y then encrypts -β
 * under its own key).
 *
 * Statement: the VERIFIER's Paillier modulus N0 and its ciphertext C, D, the PROVER's Paillier
 * modulus N1 and Y, X = x·G on secp256k1, the verifier's ring-Pedersen parameters (N̂, s, t).
 * Witness: x in ±2^ℓ, y in ±2^ℓ', ρ in Z*_N0, ρ_y in Z*_N1.
 *
 * 1. α ← ±2^(ℓ+ε), β ← ±2^(ℓ'+ε), r ← Z*_N0, r_y ← Z*_N1, γ, δ ← ±2^(ℓ+ε)·N̂, m, μ ← ±2^ℓ·N̂;
 *    A = C^α (1 + N0)^β r^N0 mod N0^2, B_x = α·G, B_y = (1 + N1)^β r_y^N1 mod N1^2,
 *    E = s^α t^γ, S = s^x t^m, F = s^β t^δ, T = s^y t^μ mod N̂.
 * 2. e ← ±q from the transcript ('cggmp21/pi-aff-g', context, N0, N1, C, D, Y, X, N̂, s, t, A, B_x,
 *    B_y, E, S, F, T).
 * 3. z1 = α + e·x, z2 = β + e·y, z3 = γ + e·m, z4 = δ + e·μ, w = r·ρ^e mod N0, w_y = r_y·ρ_y^e mod N1.
 * Verify: z1 in ±2^(ℓ+ε), z2 in ±2^(ℓ'+ε); C^z1 (1 + N0)^z2 w^N0 = A·D^e mod N0^2; z1·G = B_x + e·X;
 * (1 + N1)^z2 w_y^N1 = B_y·Y^e mod N1^2; s^z1 t^z3 = E·S^e and s^z2 t^z4 = F·T^e mod N̂.
 *
 * The prover does not check its witness (a wrong one gives a rejected proof). Passing the prover's
 * own Paillier secret key (for N1) makes B_y use the CRT.
 */
export interface AffGStatement {
  /** The verifier's Paillier modulus. */
  readonly N0: bigint;
  /** The prover's Paillier modulus. */
  readonly N1: bigint;
  /** The verifier's ciphertext under N0. */
  readonly C: bigint;
  /** D = C^x (1 + N0)^y ρ^N0 mod N0^2. */
  readonly D: bigint;
  /** Y = (1 + N1)^y ρ_y^N1 mod N1^2. */
  readonly Y: bigint;
  /** X = x·G. */
  readonly X: Point;
  /** The verifier's ring-Pedersen parameters. */
  readonly rp: RingPedersenParams;
}

export interface AffGWitness {
  readonly x: bigint;
  readonly y: bigint;
  readonly rho: bigint;
  readonly rhoY: bigint;
  /** Optional: the prover's own Paillier secret key for N1 (CRT speed-up). */
  readonly proverSecretKey?: PaillierSecretKey;
}

export interface AffGProof {
  readonly A: bigint;
  /** B_x = α·G, compressed hex. */
  readonly Bx: string;
  readonly By: bigint;
  readonly E: bigint;
  readonly S: bigint;
  readonly F: bigint;
  readonly T: bigint;
  readonly z1: bigint;
  readonly z2: bigint;
  readonly z3: bigint;
  readonly z4: bigint;
  readonly w: bigint;
  readonly wY: bigint;
}

const DOMAIN = 'cggmp21/pi-aff-g';

interface FirstMessage {
  readonly A: bigint;
  readonly Bx: Point;
  readonly By: bigint;
  readonly E: bigint;
  readonly S: bigint;
  readonly F: bigint;
  readonly T: bigint;
}

function challenge(ctx: ProofContext, st: AffGStatement, m: FirstMessage): bigint {
  const t = new Transcript(DOMAIN)
    .appendContext(ctx)
    .appendBigInt('N0', st.N0)
    .appendBigInt('N1', st.N1)
    .appendBigInt('C', st.C)
    .appendBigInt('D', st.D)
    .appendBigInt('Y', st.Y);
  appendPoint(t, 'X', st.X);
  appendRingPedersen(t, 'rp', st.rp);
  t.appendBigInt('A', m.A);
  appendPoint(t, 'Bx', m.Bx);
  t.appendBigInt('By', m.By).appendBigInt('E', m.E).appendBigInt('S', m.S).appendBigInt('F', m.F).appendBigInt('T', m.T);
  return challengeE(t);
}

export function proveAffG(ctx: ProofContext, statement: AffGStatement, witness: AffGWitness, rng: Rng): AffGProof {
  const { N0, N1, C, D, Y, X, rp } = statement;
  assertModulus(N0, 'statement.N0');
  assertModulus(N1, 'statement.N1');
  const N0sq = N0 * N0;
  const N1sq = N1 * N1;
  assertUnit(C, N0sq, 'statement.C');
  assertUnit(D, N0sq, 'statement.D');
  assertUnit(Y, N1sq, 'statement.Y');
  assertCurvePoint(X, 'statement.X');
  assertRingPedersen(rp, 'statement.rp');
  for (const k of ['x', 'y', 'rho', 'rhoY'] as const) assertBigInt(witness[k], `witness.${k}`);
  const sk = witness.proverSecretKey;
  if (sk !== undefined && sk.publicKey.N !== N1) throw new InvalidInputError('witness.proverSecretKey', 'is not the key of statement.N1');

  const twoLE = 1n << BigInt(ELL + EPSILON);
  const twoL = 1n << BigInt(ELL);
  const alpha = randomSymmetric(rng, twoLE);
  const beta = randomSymmetric(rng, 1n << BigInt(ELL_PRIME + EPSILON));
  const r = randomCoprime(rng, N0);
  const rY = randomCoprime(rng, N1);
  const gamma = randomSymmetric(rng, twoLE * rp.N);
  const m = randomSymmetric(rng, twoL * rp.N);
  const delta = randomSymmetric(rng, twoLE * rp.N);
  const mu = randomSymmetric(rng, twoL * rp.N);

  const A = (modPow(C, alpha, N0sq) * paillierEnc(N0, N0sq, beta, r)) % N0sq;
  const Bx = mulPoint(Point.BASE, alpha);
  if (Bx.equals(Point.ZERO)) throw new InvalidInputError('rng', 'produced a zero nonce');
  const By = paillierEnc(N1, N1sq, beta, rY, expModN2(N1, sk));
  const first: FirstMessage = {
    A,
    Bx,
    By,
    E: rpCommit(rp, alpha, gamma),
    S: rpCommit(rp, witness.x, m),
    F: rpCommit(rp, beta, delta),
    T: rpCommit(rp, witness.y, mu),
  };
  const e = challenge(ctx, statement, first);
  return {
    ...first,
    Bx: pointToHex(Bx),
    z1: alpha + e * witness.x,
    z2: beta + e * witness.y,
    z3: gamma + e * m,
    z4: delta + e * mu,
    w: (r * modPow(witness.rho, e, N0)) % N0,
    wY: (rY * expModN(N1, sk)(witness.rhoY, e)) % N1,
  };
}

/**
 * Never throws on a malformed statement or proof (returns false); throws only on a malformed ctx.
 * `verifierKey`, the verifier's own Paillier secret key (for N0, and for N̂ when it is the same
 * modulus, as in CGGMP21), makes those checks use the CRT; the result is the same.
 */
export function verifyAffG(ctx: ProofContext, statement: AffGStatement, proof: AffGProof, verifierKey?: PaillierSecretKey): boolean {
  new Transcript(DOMAIN).appendContext(ctx); // validates ctx (the caller's input)
  try {
    const { N0, N1, C, D, Y, X, rp } = statement;
    ensure(isAcceptableModulus(N0) && isAcceptableModulus(N1) && isAcceptableRingPedersen(rp) && isCurvePoint(X));
    const N0sq = N0 * N0;
    const N1sq = N1 * N1;
    ensure(areUnits([C, D], N0, N0sq) && areUnits([Y], N1, N1sq));
    ensure(typeof proof === 'object' && proof !== null);
    const { A, By, E, S, F, T, z1, z2, z3, z4, w, wY } = proof;
    const Bx = pointFromHex(proof.Bx);
    ensure(Bx !== undefined);
    ensure(areUnits([A], N0, N0sq) && areUnits([By], N1, N1sq) && areUnits([w], N0) && areUnits([wY], N1));
    ensure(areUnits([E, S, F, T], rp.N));
    ensure(inSymmetricRange(z1, 1n << BigInt(ELL + EPSILON)));
    ensure(inSymmetricRange(z2, 1n << BigInt(ELL_PRIME + EPSILON)));
    ensure(typeof z3 === 'bigint' && typeof z4 === 'bigint');
    const e = challenge(ctx, statement, { A, Bx, By, E, S, F, T });
    ensure(mulPoint(Point.BASE, z1).equals(Bx.add(mulPoint(X, e))));
    const expN = expModN(rp.N, verifierKey);
    ensure(equalsTimesPower(rp.N, rpCommit(rp, z1, z3, expN), E, S, e, expN));
    ensure(equalsTimesPower(rp.N, rpCommit(rp, z2, z4, expN), F, T, e, expN));
    const exp0 = expModN2(N0, verifierKey);
    // C^z1 with z1 < 0 needs C^-1: move it to the other side instead (C is a unit, checked above)
    const lhs0 = z1 >= 0n ? (exp0(C, z1) * paillierEnc(N0, N0sq, z2, w, exp0)) % N0sq : paillierEnc(N0, N0sq, z2, w, exp0);
    const A0 = z1 >= 0n ? A : (A * exp0(C, -z1)) % N0sq;
    ensure(equalsTimesPower(N0sq, lhs0, A0, D, e, exp0));
    ensure(equalsTimesPower(N1sq, paillierEnc(N1, N1sq, z2, wY), By, Y, e));
    return true;
  } catch {
    return false;
  }
}
