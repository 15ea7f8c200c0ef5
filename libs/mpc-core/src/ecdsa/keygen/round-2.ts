import { bytesToHex } from '@noble/hashes/utils.js';
import { InvalidInputError, type PartyId } from '../../errors';
import type { Rng } from '../../rng';
import { evaluatePolynomial } from '../../math/vss';
import { isHex, pointToHex } from '../curve';
import { type Inbox, type RoundResult, assertObject, checkInbox, parseFrom } from '../protocol';
import type { KeygenRound1Message, KeygenRound2Message } from './messages';
import type { KeygenRound1State, KeygenRound2State } from './state';

export const KEYGEN_ROUND_2 = 'ecdsa-keygen/round-2';

export function parseKeygenRound1Message(m: unknown): KeygenRound1Message {
  assertObject(m, 'message');
  if (m.kind !== 'keygen/1') throw new InvalidInputError('message.kind', "must be 'keygen/1'");
  if (!isHex(m.commitment, 32)) throw new InvalidInputError('message.commitment', 'must be 32 bytes of hex');
  return { kind: 'keygen/1', commitment: m.commitment };
}

/** Round 2: store every V_j, then reveal (broadcast) the decommitment and send f_i(j) to each j. */
export function keygenRound2(state: KeygenRound1State, inbox: Inbox<KeygenRound1Message>, _rng: Rng): RoundResult<KeygenRound2State, KeygenRound2Message> {
  if (state?.kind !== 'keygen/state-1') throw new InvalidInputError('state', 'not a keygen round-1 state');
  const { params } = state;
  const others = params.partyIds.filter((j) => j !== params.self);
  checkInbox(KEYGEN_ROUND_2, inbox, others);
  const received = new Map<PartyId, string>();
  for (const [from, m] of inbox) received.set(from, parseFrom(KEYGEN_ROUND_2, from, () => parseKeygenRound1Message(m)).commitment);
  const decommitment = {
    A: state.commitments.map(pointToHex),
    schnorrA: pointToHex(state.schnorr.A),
    rid: bytesToHex(state.rid),
    u: bytesToHex(state.u),
  };
  return {
    state: { ...state, kind: 'keygen/state-2', received },
    outgoing: others.map((to) => ({
      to,
      message: { kind: 'keygen/2', decommitment, share: evaluatePolynomial(state.polynomial, BigInt(to)) },
    })),
  };
}
