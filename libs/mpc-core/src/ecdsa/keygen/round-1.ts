import { bytesToHex } from '@noble/hashes/utils.js';
import { InvalidInputError } from '../../errors';
import type { Rng } from '../../rng';
import { commitPolynomial, randomPolynomial } from '../../math/vss';
import { schnorrCommit } from '../../zk/pi-sch';
import { pointToHex } from '../curve';
import { hedgedRng } from '../hedged-rng';
import { type RoundResult, assertSessionId, normalizeParties } from '../protocol';
import { keygenCommitment } from './commitment';
import type { KeygenRound1Message } from './messages';
import type { KeygenParams, KeygenRound1State } from './state';

export const KEYGEN_ROUND_1 = 'ecdsa-keygen/round-1';

export function validateKeygenParams(params: KeygenParams): KeygenParams {
  if (typeof params !== 'object' || params === null) throw new InvalidInputError('params', 'must be an object');
  assertSessionId(params.sessionId, 'params.sessionId');
  const partyIds = normalizeParties(params.partyIds, 'params.partyIds', params.self);
  if (partyIds.length < 2) throw new InvalidInputError('params.partyIds', 'need at least 2 parties');
  const t = params.threshold;
  if (!Number.isSafeInteger(t) || t < 2 || t > partyIds.length) {
    throw new InvalidInputError('params.threshold', 'must be an integer with 2 <= threshold <= number of parties');
  }
  if (params.mode !== 'keygen' && params.mode !== 'refresh') throw new InvalidInputError('params.mode', "must be 'keygen' or 'refresh'");
  return { sessionId: params.sessionId, self: params.self, partyIds, threshold: t, mode: params.mode };
}

/**
 * Round 1: sample f_i of degree t−1 (a_0 = 0 in refresh), the Schnorr nonce, rid_i and u_i, and
 * broadcast the hash commitment V_i to all of it. There is no secret yet to hedge with, so the
 * stream (`hedgedRng`) binds fresh bytes to the session id, the party, the parties and the mode: a
 * repeated random stream in another session gives another polynomial and Schnorr nonce (with the same
 * a_0 and nonce, two Πsch responses to different challenges would reveal a_0).
 */
export function keygenRound1(paramsIn: KeygenParams, rngIn: Rng): RoundResult<KeygenRound1State, KeygenRound1Message> {
  const params = validateKeygenParams(paramsIn);
  const refresh = params.mode === 'refresh';
  const rng = hedgedRng(rngIn, { secrets: [], sessionId: params.sessionId, self: params.self, parties: params.partyIds, label: `keygen/round-1/${params.mode}` });
  const polynomial = randomPolynomial(rng, params.threshold, refresh ? 0n : undefined);
  const commitments = commitPolynomial(polynomial, refresh ? 1 : 0);
  const schnorr = schnorrCommit(rng);
  const rid = rng(32);
  const u = rng(32);
  const commitment = keygenCommitment(params.sessionId, params.partyIds, params.self, params.mode, {
    A: commitments.map(pointToHex),
    schnorrA: pointToHex(schnorr.A),
    rid: bytesToHex(rid),
    u: bytesToHex(u),
  });
  const message: KeygenRound1Message = { kind: 'keygen/1', commitment };
  return {
    state: { kind: 'keygen/state-1', params, polynomial, commitments, schnorr, rid, u },
    outgoing: params.partyIds.filter((j) => j !== params.self).map((to) => ({ to, message })),
  };
}
