import { hexToBytes } from '@noble/hashes/utils.js';
import { InvalidInputError, type PartyId } from '../../errors';
import type { Rng } from '../../rng';
import { evaluatePolynomial, verifyShare } from '../../math/vss';
import { proveSchnorr } from '../../zk/pi-sch';
import { type Point, assertScalar, isHex, pointFromHex, modq } from '../curve';
import { type Inbox, type RoundResult, assertObject, check, checkInbox, parseFrom, proofContext } from '../protocol';
import { keygenCommitment } from './commitment';
import type { KeygenDecommitment, KeygenRound2Message, KeygenRound3Message } from './messages';
import type { KeygenParams, KeygenRound2State, KeygenRound3State } from './state';

export const KEYGEN_ROUND_3 = 'ecdsa-keygen/round-3';

export function parseKeygenRound2Message(m: unknown, expectedLength: number): KeygenRound2Message & { points: Point[]; B: Point } {
  assertObject(m, 'message');
  if (m.kind !== 'keygen/2') throw new InvalidInputError('message.kind', "must be 'keygen/2'");
  const d = m.decommitment;
  assertObject(d, 'message.decommitment');
  if (!Array.isArray(d.A)) throw new InvalidInputError('message.decommitment.A', 'must be an array');
  if (d.A.length !== expectedLength) throw new InvalidInputError('message.decommitment.A', `must have exactly ${expectedLength} commitments`);
  const points = d.A.map((a: unknown, k) => pointFromHex(a, `message.decommitment.A[${k}]`));
  const B = pointFromHex(d.schnorrA, 'message.decommitment.schnorrA');
  if (!isHex(d.rid, 32)) throw new InvalidInputError('message.decommitment.rid', 'must be 32 bytes of hex');
  if (!isHex(d.u, 32)) throw new InvalidInputError('message.decommitment.u', 'must be 32 bytes of hex');
  assertScalar(m.share, 'message.share');
  const decommitment: KeygenDecommitment = { A: d.A as string[], schnorrA: d.schnorrA as string, rid: d.rid, u: d.u };
  return { kind: 'keygen/2', decommitment, share: m.share, points, B };
}

export function schnorrContext(params: KeygenParams, prover: PartyId) {
  return proofContext(params.sessionId, `${params.mode}/pi-sch`, params.partyIds, prover);
}

/**
 * Round 3: check every decommitment against its V_j (`commitment`), the number of Feldman
 * commitments (`vss-commitment-length`, as a malformed message) and every received share against
 * the sender's commitments (`vss-share`); then rid = ⊕ rid_j and prove knowledge of a_i,0 (a_i,1 in
 * refresh) with the nonce committed in round 1.
 */
export function keygenRound3(state: KeygenRound2State, inbox: Inbox<KeygenRound2Message>, _rng: Rng): RoundResult<KeygenRound3State, KeygenRound3Message> {
  if (state?.kind !== 'keygen/state-2') throw new InvalidInputError('state', 'not a keygen round-2 state');
  const { params } = state;
  const others = params.partyIds.filter((j) => j !== params.self);
  checkInbox(KEYGEN_ROUND_3, inbox, others);
  const refresh = params.mode === 'refresh';
  const expectedLength = refresh ? params.threshold - 1 : params.threshold;
  const commitments = new Map<PartyId, readonly Point[]>([[params.self, state.commitments]]);
  const schnorrA = new Map<PartyId, Point>([[params.self, state.schnorr.A]]);
  const rid = new Uint8Array(state.rid);
  let share = evaluatePolynomial(state.polynomial, BigInt(params.self));
  for (const from of others) {
    const m = parseFrom(KEYGEN_ROUND_3, from, () => parseKeygenRound2Message(inbox.get(from), expectedLength));
    const V = keygenCommitment(params.sessionId, params.partyIds, from, params.mode, m.decommitment);
    check(KEYGEN_ROUND_3, from, 'commitment', V === state.received.get(from), 'decommitment does not open V_j');
    check(KEYGEN_ROUND_3, from, 'vss-share', verifyShare(m.points, BigInt(params.self), m.share, refresh ? 1 : 0));
    commitments.set(from, m.points);
    schnorrA.set(from, m.B);
    const r = hexToBytes(m.decommitment.rid);
    for (let k = 0; k < 32; k++) rid[k] ^= r[k];
    share = modq(share + m.share);
  }
  const ctx = schnorrContext(params, params.self);
  const proof = proveSchnorr(ctx, state.commitments[0], state.polynomial.coefficients[refresh ? 1 : 0], state.schnorr, rid);
  return {
    state: { kind: 'keygen/state-3', params, schnorrA, commitments, share, rid },
    outgoing: others.map((to) => ({ to, message: { kind: 'keygen/3', proof } })),
  };
}
