import { InvalidInputError, type PartyId } from '../../errors';
import { randomNonZeroBelow, type Rng } from '../../rng';
import { validateSessionId } from '../common';
import { assertKeyShareShape, type KeyShare } from '../key-share';
import type { Outgoing, RefreshMessage } from '../messages';
import type { RefreshRound1State } from '../state';
import { getSuite, type FrostSuite } from '../suite';

export interface RefreshParams {
  readonly keyShare: KeyShare;
  /** Unique per refresh, 16 to 64 bytes, the same for every party. Every holder of the key takes part. */
  readonly sessionId: Uint8Array;
}

/** f(x) = Σ_{k=1}^{t-1} a_k x^k mod q (no constant term), by Horner's rule. */
export function evaluateZeroPolynomial(suite: FrostSuite, coefficients: readonly bigint[], x: PartyId): bigint {
  const { Fn } = suite;
  const X = BigInt(x);
  let acc = Fn.ZERO;
  for (let k = coefficients.length - 1; k >= 0; k--) acc = Fn.add(Fn.mul(acc, X), coefficients[k]);
  return Fn.mul(acc, X);
}

/** F(x) = Σ_{k=1}^{t-1} C_k·x^k: the public image of a zero-constant polynomial at x. */
export function evaluateZeroCommitment(suite: FrostSuite, commitment: readonly Uint8Array[], x: PartyId): Uint8Array {
  const { Fn } = suite;
  const X = BigInt(x);
  let power = X;
  let acc: Uint8Array | undefined;
  for (const C of commitment) {
    const term = suite.mulPublic(C, power);
    acc = acc === undefined ? term : suite.pointAdd(acc, term);
    power = Fn.mul(power, X);
  }
  if (acc === undefined) throw new InvalidInputError('commitment', 'must not be empty');
  return acc;
}

/**
 * Refresh round 1 (proactive secret sharing, a zero-sharing round): each party deals a random sharing
 * of ZERO, f_i(x) = Σ_{k=1}^{t-1} a_{i,k} x^k, broadcasting Feldman commitments C_{i,k} = a_{i,k}·G
 * (the constant term is implicitly the identity) and sending f_i(j) to each party j point to point.
 * Adding all these sharings to the old shares keeps the group key and re-randomizes every share.
 */
export function refreshRound1(params: RefreshParams, rng: Rng): { state: RefreshRound1State; outgoing: Outgoing<RefreshMessage>[] } {
  if (typeof params !== 'object' || params === null) throw new InvalidInputError('params', 'expected an object');
  const keyShare = assertKeyShareShape(params.keyShare, 'params.keyShare');
  const sessionId = Uint8Array.from(validateSessionId(params.sessionId, 'params.sessionId'));
  const pub = keyShare.publicPackage;
  const suite = getSuite(pub.suite);
  const coefficients = Array.from({ length: pub.threshold - 1 }, () => randomNonZeroBelow(rng, suite.order));
  const commitment = coefficients.map((a) => suite.mulBase(a));
  const outgoing: Outgoing<RefreshMessage>[] = [{ to: 'all', message: { kind: 'refresh/round-1-commitment', suite: suite.name, sessionId, commitment } }];
  for (const j of pub.partyIds) {
    if (j === keyShare.partyId) continue;
    outgoing.push({ to: j, message: { kind: 'refresh/round-1-share', suite: suite.name, sessionId, share: suite.scalarToBytes(evaluateZeroPolynomial(suite, coefficients, j)) } });
  }
  const state: RefreshRound1State = {
    step: 'refresh/after-round-1',
    keyShare,
    sessionId,
    ownShare: evaluateZeroPolynomial(suite, coefficients, keyShare.partyId),
    ownCommitment: commitment,
  };
  coefficients.fill(0n);
  return { state, outgoing };
}
