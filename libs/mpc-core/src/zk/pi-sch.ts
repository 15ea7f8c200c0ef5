import { type ProofContext, Transcript } from '../transcript';
import { type Rng, randomNonZeroBelow } from '../rng';
import { CURVE_ORDER, G, type Point, assertPoint, isHex, modq, mulPublic, pointBytes, pointFromHex, pointToHex } from '../ecdsa/curve';

/**
 * Πsch: Schnorr proof of knowledge of x with X = x·G on secp256k1 (CGGMP21, ePrint 2021/060, the
 * Schnorr proof of knowledge Πsch used by its key generation; the figure number differs between
 * revisions). Non-interactive through our Transcript: the
 * challenge binds the domain tag, session id, party ids, prover, the statement X and the first
 * message A (and any extra bytes the caller binds, e.g. the keygen's joint randomness rid).
 *
 * The first message can be fixed ahead of time ({@link schnorrCommit}) so that a protocol can
 * commit to it in an earlier round, as CGGMP21's key generation does.
 */
export interface SchnorrProof {
  /** A = α·G, compressed hex. */
  readonly A: string;
  /** z = α + e·x mod q. */
  readonly z: bigint;
}

export interface SchnorrCommitment {
  /** The secret nonce α (never leaves the prover). */
  readonly alpha: bigint;
  readonly A: Point;
}

const DOMAIN = 'cggmp21/pi-sch';

export function schnorrCommit(rng: Rng): SchnorrCommitment {
  const alpha = randomNonZeroBelow(rng, CURVE_ORDER);
  return { alpha, A: G.multiply(alpha) };
}

function challenge(ctx: ProofContext, X: Point, A: Point, bind: Uint8Array): bigint {
  return new Transcript(DOMAIN)
    .appendContext(ctx)
    .appendBytes('X', pointBytes(X))
    .appendBytes('A', pointBytes(A))
    .appendBytes('bind', bind)
    .challengeBelow('e', CURVE_ORDER);
}

export function proveSchnorr(
  ctx: ProofContext,
  X: Point,
  x: bigint,
  commitment: SchnorrCommitment,
  bind: Uint8Array = new Uint8Array(0),
): SchnorrProof {
  assertPoint(X, 'X');
  const e = challenge(ctx, X, commitment.A, bind);
  return { A: pointToHex(commitment.A), z: modq(commitment.alpha + e * x) };
}

/** Never throws on a malformed proof: returns false. */
export function verifySchnorr(ctx: ProofContext, X: Point, proof: SchnorrProof, bind: Uint8Array = new Uint8Array(0)): boolean {
  try {
    assertPoint(X, 'X');
    if (typeof proof !== 'object' || proof === null || !isHex(proof.A, 33)) return false;
    if (typeof proof.z !== 'bigint' || proof.z < 0n || proof.z >= CURVE_ORDER) return false;
    const A = pointFromHex(proof.A, 'proof.A');
    const e = challenge(ctx, X, A, bind);
    return mulPublic(G, proof.z).equals(A.add(mulPublic(X, e)));
  } catch {
    return false;
  }
}

