import { InvalidInputError, type PartyId } from '../../errors';
import type { Rng } from '../../rng';
import { nobleRng, validateSessionId, validateSessionParties } from '../common';
import { nobleId, validateThreshold } from '../key-share';
import type { DkgRound1Message, Outgoing } from '../messages';
import type { DkgRound1State } from '../state';
import { getSuite, type SuiteName } from '../suite';
import { proveSession } from './session-proof';

/** What every party of a DKG agrees on before it starts. */
export interface DkgParams {
  readonly suite: SuiteName;
  /** Unique per execution, 16 to 64 bytes, agreed by all parties (e.g. from the coordinator's request). */
  readonly sessionId: Uint8Array;
  /** Every party, ascending (ids 1..255). */
  readonly partyIds: readonly PartyId[];
  /** t: any t of the n parties can sign (2 <= t <= n). */
  readonly threshold: number;
  readonly me: PartyId;
}

/**
 * DKG round 1 (broadcast). Samples the party's polynomial with noble's `DKG.round1` (Feldman commitment
 * and frost-rs/RFC 9591-style proof of knowledge), and adds our session-bound proof of knowledge.
 */
export function dkgRound1(params: DkgParams, rng: Rng): { state: DkgRound1State; outgoing: Outgoing<DkgRound1Message>[] } {
  if (typeof params !== 'object' || params === null) throw new InvalidInputError('params', 'expected an object');
  const suite = getSuite(params.suite, 'params.suite');
  const sessionId = Uint8Array.from(validateSessionId(params.sessionId, 'params.sessionId'));
  const partyIds = [...validateSessionParties(params.partyIds, params.me, 'params.partyIds')];
  const threshold = validateThreshold(params.threshold, partyIds.length, 'params.threshold');
  const { public: pub, secret } = suite.frost.DKG.round1(nobleId(suite, params.me), { min: threshold, max: partyIds.length }, undefined, nobleRng(rng));
  const a0 = secret.coefficients?.[0];
  if (a0 === undefined) throw new InvalidInputError('params', 'noble DKG returned no polynomial');
  const commitment = pub.commitment.map((c) => Uint8Array.from(c));
  const message: DkgRound1Message = {
    kind: 'dkg/round-1',
    suite: suite.name,
    sessionId,
    commitment,
    proofOfKnowledge: Uint8Array.from(pub.proofOfKnowledge),
    sessionProof: proveSession(suite, sessionId, partyIds, params.me, threshold, commitment, a0, rng),
  };
  const state: DkgRound1State = {
    step: 'dkg/after-round-1',
    suite: suite.name,
    sessionId,
    partyIds,
    me: params.me,
    threshold,
    nobleSecret: secret,
    ownRound1: message,
  };
  return { state, outgoing: [{ to: 'all', message }] };
}
