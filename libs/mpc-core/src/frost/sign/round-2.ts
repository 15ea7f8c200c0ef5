import type { NonceCommitments } from '@noble/curves/abstract/frost.js';
import { InternalError, InvalidInputError } from '../../errors';
import { intake } from '../common';
import { nobleId, toNobleKey } from '../key-share';
import type { Incoming, Outgoing, SignRound1Message, SignRound2Message } from '../messages';
import { consumeState, type NonceStore, type SignRound1State, type SignRound2State } from '../state';
import { bytesEqual, getSuite } from '../suite';
import { commitmentId } from './preprocess';

const ROUND = 'frost-sign/round-2';

/**
 * Signing round 2 (broadcast; RFC 9591 §5.2): checks the other signers' commitments (naming any whose
 * message is malformed or from another session), and computes the signature share with noble. This
 * party's nonces are CONSUMED from the store first (refused if they are gone: a nonce is never used
 * twice; burned even if the round then aborts).
 */
export function signRound2(
  state: SignRound1State,
  inbox: readonly Incoming<SignRound1Message>[],
  store: NonceStore,
): { state: SignRound2State; outgoing: Outgoing<SignRound2Message>[] } {
  if (typeof state !== 'object' || state === null || state.step !== 'sign/after-round-1') throw new InvalidInputError('state', 'expected the state after signing round 1');
  consumeState(state);
  const { keyShare, sessionId, signers, message, own } = state;
  const suite = getSuite(keyShare.publicPackage.suite);
  const others = signers.filter((p) => p !== keyShare.partyId);
  // One-time use: the nonces are taken out of the store first, so whatever happens next (a share, an
  // abort, a crash) they are never used again.
  const record = store.consume(own.commitmentId);
  if (record === undefined) {
    throw new InvalidInputError('state.own.commitmentId', 'nonce unknown or already consumed: refusing to sign with a reused nonce');
  }
  const got = intake<SignRound1Message>(ROUND, suite, sessionId, others, 'sign/round-1', inbox, (m, from) => {
    const hiding = suite.parsePoint(m.hiding, 'hiding');
    const binding = suite.parsePoint(m.binding, 'binding');
    if (typeof m.commitmentId !== 'string' || m.commitmentId !== commitmentId(suite, from, hiding, binding)) {
      throw new InvalidInputError('commitmentId', 'does not name this commitment pair');
    }
  });
  const commitmentList: NonceCommitments[] = signers.map((p) => {
    const m = p === keyShare.partyId ? own : got.get(p)!;
    return { identifier: nobleId(suite, p), hiding: Uint8Array.from(m.hiding), binding: Uint8Array.from(m.binding) };
  });
  if (!bytesEqual(record.commitment.hiding, own.hiding) || !bytesEqual(record.commitment.binding, own.binding)) {
    throw new InternalError('the stored nonces do not match the announced commitment');
  }
  // A record whose nonces were wiped (used once, then put into a store again) is refused here, naming
  // the store, rather than as an internal error from noble (whose signShare also refuses zero nonces
  // and checks the nonces against this party's commitment).
  for (const [nonce, field] of [[record.hiding, 'hiding'], [record.binding, 'binding']] as const) {
    if (!(nonce instanceof Uint8Array) || nonce.length !== suite.scalarLength || nonce.every((b) => b === 0)) {
      throw new InvalidInputError('store', `the stored ${field} nonce is missing or wiped (a used record): refusing to sign`);
    }
  }
  const key = toNobleKey(suite, keyShare);
  const nonces = { hiding: record.hiding, binding: record.binding };
  let share: Uint8Array;
  try {
    share = Uint8Array.from(suite.frost.signShare(key.secret, key.public, nonces, commitmentList, message));
  } catch (error) {
    throw new InternalError(`noble signShare failed: ${error instanceof Error ? error.message : 'unknown'}`);
  } finally {
    nonces.hiding.fill(0);
    nonces.binding.fill(0);
    key.secret.signingShare.fill(0);
  }
  const out: SignRound2Message = { kind: 'sign/round-2', suite: suite.name, sessionId, signatureShare: share };
  const next: SignRound2State = { step: 'sign/after-round-2', keyShare, sessionId, signers, message, commitmentList, ownShare: share };
  return { state: next, outgoing: [{ to: 'all', message: out }] };
}
