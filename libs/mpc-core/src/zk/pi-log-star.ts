import { InvalidInputError } from '../errors';
import { randomCoprime } from '../math/modarith';
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
 * Πlog*, "knowledge of exponent vs Paillier encryption" (CGGMP21, ePrint 2021/060, appendix C.2,
 * Fig. 25 in the revision whose Πaff-g is Fig. 15 and Πfac Fig. 28; later revisions renumber).
 *
 * Statement: the prover's Paillier modulus N0, C = (1 + N0)^x ρ^N0 mod N0^2, X = x·B for a base
 * point B of secp256k1, the VERIFIER's ring-Pedersen parameters (N̂, s, t). Witness: x in ±2^ℓ, ρ.
 *
 * 1. α ← ±2^(ℓ+ε), μ ← ±2^ℓ·N̂, r ← Z*_N0, γ ← ±2^(ℓ+ε)·N̂;
 *    S = s^x t^μ, A = (1 + N0)^α r^N0 mod N0^2, Y = α·B, D = s^α t^γ mod N̂.
 * 2. e ← ±q from the transcript ('cggmp21/pi-log-star', context, N0, C, X, B, N̂, s, t, S, A, Y, D).
 * 3. z1 = α + e·x, z2 = r·ρ^e mod N0, z3 = γ + e·μ.
 * Verify: z1 in ±2^(ℓ+ε); (1 + N0)^z1 z2^N0 = A·C^e mod N0^2; z1·B = Y + e·X; s^z1 t^z3 = D·S^e mod N̂.
 *
 * The range ℓ is a statement parameter (`ell`, default ℓ = 256; ℓ' = 1280 for the MtA masks of the
 * presigning χ blame, whose witnesses lie in ±2^ℓ'), hashed into the challenge. ℓ' + ε = 1792 bits
 * stays below N0/2 for N0 ≥ 2048 bits, so the extracted x is the integer plaintext.
 *
 * The prover does not check its witness (a wrong one gives a rejected proof). Points travel as
 * compressed hex (66 characters).
 */
export interface LogStarStatement {
  /** The prover's Paillier modulus. */
  readonly N0: bigint;
  /** C = Enc_N0(x; ρ). */
  readonly C: bigint;
  /** X = x·B. */
  readonly X: Point;
  /** The base point B (the generator G, or Γ in CGGMP21's presigning). */
  readonly B: Point;
  /** The verifier's ring-Pedersen parameters. */
  readonly rp: RingPedersenParams;
  /** The range ℓ of x in bits: ELL (256, the default) or ELL_PRIME (1280). */
  readonly ell?: number;
}

function rangeOf(st: LogStarStatement): number {
  const ell = st.ell ?? ELL;
  if (ell !== ELL && ell !== ELL_PRIME) throw new InvalidInputError('statement.ell', `must be ${ELL} or ${ELL_PRIME}`);
  return ell;
}

export interface LogStarWitness {
  readonly x: bigint;
  readonly rho: bigint;
  /** Optional: the prover's own Paillier secret key for N0 (CRT speed-up). */
  readonly proverSecretKey?: PaillierSecretKey;
}

export interface LogStarProof {
  readonly S: bigint;
  readonly A: bigint;
  /** Y = α·B, compressed hex. */
  readonly Y: string;
  readonly D: bigint;
  readonly z1: bigint;
  readonly z2: bigint;
  readonly z3: bigint;
}

const DOMAIN = 'cggmp21/pi-log-star';

function challenge(ctx: ProofContext, st: LogStarStatement, S: bigint, A: bigint, Y: Point, D: bigint): bigint {
  const t = new Transcript(DOMAIN).appendContext(ctx).appendNumber('ell', rangeOf(st)).appendBigInt('N0', st.N0).appendBigInt('C', st.C);
  appendPoint(t, 'X', st.X);
  appendPoint(t, 'B', st.B);
  appendRingPedersen(t, 'rp', st.rp);
  t.appendBigInt('S', S).appendBigInt('A', A);
  appendPoint(t, 'Y', Y);
  return challengeE(t.appendBigInt('D', D));
}

export function proveLogStar(ctx: ProofContext, statement: LogStarStatement, witness: LogStarWitness, rng: Rng): LogStarProof {
  const { N0, C, X, B, rp } = statement;
  assertModulus(N0, 'statement.N0');
  const N2 = N0 * N0;
  assertUnit(C, N2, 'statement.C');
  assertCurvePoint(X, 'statement.X');
  assertCurvePoint(B, 'statement.B');
  assertRingPedersen(rp, 'statement.rp');
  assertBigInt(witness.x, 'witness.x');
  assertBigInt(witness.rho, 'witness.rho');
  const sk = witness.proverSecretKey;
  if (sk !== undefined && sk.publicKey.N !== N0) throw new InvalidInputError('witness.proverSecretKey', 'is not the key of statement.N0');

  const ell = rangeOf(statement);
  const twoLE = 1n << BigInt(ell + EPSILON);
  const alpha = randomSymmetric(rng, twoLE);
  const mu = randomSymmetric(rng, (1n << BigInt(ell)) * rp.N);
  const r = randomCoprime(rng, N0);
  const gamma = randomSymmetric(rng, twoLE * rp.N);

  const S = rpCommit(rp, witness.x, mu);
  const A = paillierEnc(N0, N2, alpha, r, expModN2(N0, sk));
  const Y = mulPoint(B, alpha);
  if (Y.equals(Point.ZERO)) throw new InvalidInputError('rng', 'produced a zero nonce');
  const D = rpCommit(rp, alpha, gamma);
  const e = challenge(ctx, statement, S, A, Y, D);
  return {
    S,
    A,
    Y: pointToHex(Y),
    D,
    z1: alpha + e * witness.x,
    z2: (r * expModN(N0, sk)(witness.rho, e)) % N0,
    z3: gamma + e * mu,
  };
}

/**
 * Never throws on a malformed statement or proof (returns false); throws only on a malformed ctx.
 * `verifierKey`, the verifier's own Paillier secret key, makes the checks modulo N̂ use the CRT when
 * N̂ is its modulus (as in CGGMP21); the result is the same.
 */
export function verifyLogStar(
  ctx: ProofContext,
  statement: LogStarStatement,
  proof: LogStarProof,
  verifierKey?: PaillierSecretKey,
): boolean {
  new Transcript(DOMAIN).appendContext(ctx); // validates ctx (the caller's input)
  try {
    const { N0, C, X, B, rp } = statement;
    ensure(isAcceptableModulus(N0) && isAcceptableRingPedersen(rp) && isCurvePoint(X) && isCurvePoint(B));
    const N2 = N0 * N0;
    ensure(areUnits([C], N0, N2));
    ensure(typeof proof === 'object' && proof !== null);
    const { S, A, D, z1, z2, z3 } = proof;
    const Y = pointFromHex(proof.Y);
    ensure(Y !== undefined);
    ensure(areUnits([S, D], rp.N) && areUnits([A], N0, N2) && areUnits([z2], N0));
    ensure(inSymmetricRange(z1, 1n << BigInt(rangeOf(statement) + EPSILON)));
    ensure(typeof z3 === 'bigint');
    const e = challenge(ctx, statement, S, A, Y, D);
    ensure(mulPoint(B, z1).equals(Y.add(mulPoint(X, e))));
    ensure(equalsTimesPower(N2, paillierEnc(N0, N2, z1, z2), A, C, e));
    const expN = expModN(rp.N, verifierKey);
    ensure(equalsTimesPower(rp.N, rpCommit(rp, z1, z3, expN), D, S, e, expN));
    return true;
  } catch {
    return false;
  }
}
