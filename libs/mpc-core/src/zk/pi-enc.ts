import { InvalidInputError } from '../errors';
import { randomCoprime } from '../math/modarith';
import type { PaillierSecretKey } from '../math/paillier';
import type { RingPedersenParams } from '../math/ring-pedersen';
import { randomSymmetric, type Rng } from '../rng';
import { type ProofContext, Transcript } from '../transcript';
import {
  appendRingPedersen,
  assertBigInt,
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
  areUnits,
  paillierEnc,
  rpCommit,
} from './common';
import { ELL, EPSILON } from './params';

/**
 * Πenc, "Paillier encryption in range" (CGGMP21, ePrint 2021/060, section 6.1, Fig. 14 in the
 * revision whose Πaff-g is Fig. 15 and Πfac Fig. 28; later revisions renumber the figures).
 *
 * Statement: the prover's Paillier modulus N0, a ciphertext K and the VERIFIER's ring-Pedersen
 * parameters (N̂, s, t). Witness: k in ±2^ℓ and ρ in Z*_N0 with K = (1 + N0)^k · ρ^N0 mod N0^2.
 *
 * 1. α ← ±2^(ℓ+ε), μ ← ±2^ℓ·N̂, r ← Z*_N0, γ ← ±2^(ℓ+ε)·N̂;
 *    S = s^k t^μ, A = (1 + N0)^α r^N0 mod N0^2, C = s^α t^γ mod N̂.
 * 2. e ← ±q from the transcript ('cggmp21/pi-enc', context, N0, K, N̂, s, t, S, A, C).
 * 3. z1 = α + e·k, z2 = r·ρ^e mod N0, z3 = γ + e·μ.
 * Verify: z1 in ±2^(ℓ+ε); (1 + N0)^z1 z2^N0 = A·K^e mod N0^2; s^z1 t^z3 = C·S^e mod N̂.
 *
 * The prover does not check its witness: a wrong or out-of-range witness gives a proof that fails
 * verification. Passing the prover's own Paillier secret key makes A use the CRT (faster, same
 * proof).
 */
export interface EncStatement {
  /** The prover's Paillier modulus. */
  readonly N0: bigint;
  /** The ciphertext under N0. */
  readonly K: bigint;
  /** The verifier's ring-Pedersen parameters. */
  readonly rp: RingPedersenParams;
}

export interface EncWitness {
  readonly k: bigint;
  readonly rho: bigint;
  /** Optional: the prover's own Paillier secret key for N0 (CRT speed-up). */
  readonly proverSecretKey?: PaillierSecretKey;
}

export interface EncProof {
  readonly S: bigint;
  readonly A: bigint;
  readonly C: bigint;
  readonly z1: bigint;
  readonly z2: bigint;
  readonly z3: bigint;
}

const DOMAIN = 'cggmp21/pi-enc';

function challenge(ctx: ProofContext, st: EncStatement, S: bigint, A: bigint, C: bigint): bigint {
  const t = new Transcript(DOMAIN).appendContext(ctx).appendBigInt('N0', st.N0).appendBigInt('K', st.K);
  appendRingPedersen(t, 'rp', st.rp);
  return challengeE(t.appendBigInt('S', S).appendBigInt('A', A).appendBigInt('C', C));
}

export function proveEncRange(ctx: ProofContext, statement: EncStatement, witness: EncWitness, rng: Rng): EncProof {
  const { N0, K, rp } = statement;
  assertModulus(N0, 'statement.N0');
  const N2 = N0 * N0;
  assertUnit(K, N2, 'statement.K');
  assertRingPedersen(rp, 'statement.rp');
  assertBigInt(witness.k, 'witness.k');
  assertBigInt(witness.rho, 'witness.rho');
  const sk = witness.proverSecretKey;
  if (sk !== undefined && sk.publicKey.N !== N0) throw new InvalidInputError('witness.proverSecretKey', 'is not the key of statement.N0');

  const twoLE = 1n << BigInt(ELL + EPSILON);
  const alpha = randomSymmetric(rng, twoLE);
  const mu = randomSymmetric(rng, (1n << BigInt(ELL)) * rp.N);
  const r = randomCoprime(rng, N0);
  const gamma = randomSymmetric(rng, twoLE * rp.N);

  const S = rpCommit(rp, witness.k, mu);
  const A = paillierEnc(N0, N2, alpha, r, expModN2(N0, sk));
  const C = rpCommit(rp, alpha, gamma);
  const e = challenge(ctx, statement, S, A, C);
  return {
    S,
    A,
    C,
    z1: alpha + e * witness.k,
    z2: (r * expModN(N0, sk)(witness.rho, e)) % N0,
    z3: gamma + e * mu,
  };
}

/**
 * Never throws on a malformed statement or proof (returns false); throws only on a malformed ctx.
 * `verifierKey`, the verifier's own Paillier secret key, makes the checks modulo N̂ use the CRT when
 * N̂ is its modulus (as in CGGMP21); the result is the same.
 */
export function verifyEncRange(ctx: ProofContext, statement: EncStatement, proof: EncProof, verifierKey?: PaillierSecretKey): boolean {
  new Transcript(DOMAIN).appendContext(ctx); // validates ctx (the caller's input)
  try {
    const { N0, K, rp } = statement;
    ensure(isAcceptableModulus(N0) && isAcceptableRingPedersen(rp));
    const N2 = N0 * N0;
    ensure(areUnits([K], N0, N2));
    ensure(typeof proof === 'object' && proof !== null);
    const { S, A, C, z1, z2, z3 } = proof;
    ensure(areUnits([S, C], rp.N) && areUnits([A], N0, N2) && areUnits([z2], N0));
    ensure(inSymmetricRange(z1, 1n << BigInt(ELL + EPSILON)));
    ensure(typeof z3 === 'bigint');
    const e = challenge(ctx, statement, S, A, C);
    ensure(equalsTimesPower(N2, paillierEnc(N0, N2, z1, z2), A, K, e));
    const expN = expModN(rp.N, verifierKey);
    ensure(equalsTimesPower(rp.N, rpCommit(rp, z1, z3, expN), C, S, e, expN));
    return true;
  } catch {
    return false;
  }
}
