import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { PartyId } from '../../errors';
import { randomNonZeroBelow, type Rng } from '../../rng';
import { Transcript } from '../../transcript';
import type { FrostSuite } from '../suite';

/**
 * Our session-bound proof of knowledge for DKG round 1 (a Schnorr proof of a_{i,0}, the constant term
 * of party i's polynomial, for C_{i,0} = a_{i,0}·G).
 *
 * noble's DKG proof of knowledge (frost-rs, RFC 9591 style) hashes only the identifier, C_{i,0} and R, so
 * a round-1 message from one session would verify in another. This proof's challenge is
 *
 *   c = Transcript("custody-frost/dkg/session-proof/v1")
 *         .context(session id, party ids, prover)
 *         .suite(context string).threshold(t).commitment(C_{i,0..t-1}).R
 *         .challengeBelow(order)
 *
 * and z = k + c·a_{i,0}; verification checks z·G = R + c·C_{i,0}. Encoding: R ‖ z (suite encodings).
 * A message replayed into another session, or another party's commitment claimed as one's own, fails.
 */
const DOMAIN = 'custody-frost/dkg/session-proof/v1';

function challenge(
  suite: FrostSuite,
  sessionId: Uint8Array,
  partyIds: readonly PartyId[],
  prover: PartyId,
  threshold: number,
  commitment: readonly Uint8Array[],
  R: Uint8Array,
): bigint {
  const t = new Transcript(DOMAIN)
    .appendContext({ sessionId, partyIds, prover })
    .appendBytes('suite', utf8ToBytes(suite.contextString))
    .appendNumber('threshold', threshold)
    .appendNumber('commitment.length', commitment.length);
  commitment.forEach((c, i) => t.appendBytes(`commitment[${i}]`, c));
  return t.appendBytes('R', R).challengeBelow('challenge', suite.order);
}

export function proveSession(
  suite: FrostSuite,
  sessionId: Uint8Array,
  partyIds: readonly PartyId[],
  prover: PartyId,
  threshold: number,
  commitment: readonly Uint8Array[],
  secret: bigint,
  rng: Rng,
): Uint8Array {
  const { Fn } = suite;
  const k = randomNonZeroBelow(rng, suite.order);
  const R = suite.mulBase(k);
  const c = challenge(suite, sessionId, partyIds, prover, threshold, commitment, R);
  const z = Fn.add(k, Fn.mul(c, secret));
  const out = new Uint8Array(suite.pointLength + suite.scalarLength);
  out.set(R, 0);
  out.set(suite.scalarToBytes(z), suite.pointLength);
  return out;
}

/** Whether the proof verifies; the commitment points must already be validated. */
export function verifySession(
  suite: FrostSuite,
  sessionId: Uint8Array,
  partyIds: readonly PartyId[],
  prover: PartyId,
  threshold: number,
  commitment: readonly Uint8Array[],
  proof: Uint8Array,
): boolean {
  if (proof.length !== suite.pointLength + suite.scalarLength || commitment.length < 1) return false;
  const R = suite.parsePoint(proof.subarray(0, suite.pointLength), 'sessionProof.R');
  const z = suite.parseScalar(proof.subarray(suite.pointLength), 'sessionProof.z');
  const c = challenge(suite, sessionId, partyIds, prover, threshold, commitment, R);
  if (z === 0n || c === 0n) return false;
  const lhs = suite.mulBase(z);
  let rhs: Uint8Array;
  try {
    rhs = suite.pointAdd(R, suite.mulPublic(commitment[0], c));
  } catch {
    return false;
  }
  return suite.pointEquals(lhs, rhs);
}
