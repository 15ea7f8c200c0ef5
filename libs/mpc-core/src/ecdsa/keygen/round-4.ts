import { InvalidInputError, type PartyId } from '../../errors';
import { Transcript } from '../../transcript';
import { evaluateCommitments } from '../../math/vss';
import { verifySchnorr, type SchnorrProof } from '../../zk/pi-sch';
import { G, Point, mulPublic } from '../curve';
import { type Inbox, assertObject, check, checkInbox, parseFrom } from '../protocol';
import type { KeygenRound3Message } from './messages';
import { schnorrContext } from './round-3';
import type { KeygenOutput, KeygenRound3State } from './state';

export const KEYGEN_ROUND_4 = 'ecdsa-keygen/output';

export function parseKeygenRound3Message(m: unknown): KeygenRound3Message {
  assertObject(m, 'message');
  if (m.kind !== 'keygen/3') throw new InvalidInputError('message.kind', "must be 'keygen/3'");
  assertObject(m.proof, 'message.proof');
  return { kind: 'keygen/3', proof: m.proof as unknown as SchnorrProof };
}

/**
 * Output: verify every Πsch (`pi-sch`; its first message must be the B_j committed in round 1),
 * then X_j = Σ_l F_l(j) for every party, X = Σ_l A_l,0, the own share and the chain code.
 */
export function keygenOutput(state: KeygenRound3State, inbox: Inbox<KeygenRound3Message>): KeygenOutput {
  if (state?.kind !== 'keygen/state-3') throw new InvalidInputError('state', 'not a keygen round-3 state');
  const { params } = state;
  const others = params.partyIds.filter((j) => j !== params.self);
  checkInbox(KEYGEN_ROUND_4, inbox, others);
  for (const from of others) {
    const m = parseFrom(KEYGEN_ROUND_4, from, () => parseKeygenRound3Message(inbox.get(from)));
    const committedB = state.schnorrA.get(from)!;
    const ok =
      m.proof.A === committedB.toHex(true) &&
      verifySchnorr(schnorrContext(params, from), state.commitments.get(from)![0], m.proof, state.rid);
    check(KEYGEN_ROUND_4, from, 'pi-sch', ok);
  }
  const offset = params.mode === 'refresh' ? 1 : 0;
  const publicShares = new Map<PartyId, Point>();
  for (const j of params.partyIds) {
    let acc: Point = Point.ZERO;
    for (const A of state.commitments.values()) acc = acc.add(evaluateCommitments(A, BigInt(j), offset));
    publicShares.set(j, acc);
  }
  let publicKey: Point = Point.ZERO;
  if (params.mode === 'keygen') for (const A of state.commitments.values()) publicKey = publicKey.add(A[0]);
  if (!mulPublic(G, state.share).equals(publicShares.get(params.self)!)) {
    throw new InvalidInputError('state', 'own share does not match the commitments');
  }
  if (params.mode === 'keygen' && publicKey.is0()) throw new InvalidInputError('publicKey', 'is the identity');
  const chainCode = new Transcript('custody/ecdsa/chain-code').appendBytes('sid', params.sessionId).appendBytes('rid', state.rid).challengeBytes('chain-code', 32);
  return {
    sessionId: params.sessionId,
    self: params.self,
    partyIds: params.partyIds,
    threshold: params.threshold,
    mode: params.mode,
    share: state.share,
    publicShares,
    publicKey,
    chainCode,
  };
}
