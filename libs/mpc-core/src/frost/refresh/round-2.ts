import { InternalError, InvalidInputError, ProtocolAbortError, type PartyId } from '../../errors';
import { intake, isArray } from '../common';
import type { KeyShare, PublicKeyPackage } from '../key-share';
import type { Incoming, RefreshCommitmentMessage, RefreshMessage, RefreshShareMessage } from '../messages';
import { consumeState, type RefreshRound1State } from '../state';
import { getSuite } from '../suite';
import { evaluateZeroCommitment } from './round-1';

const ROUND = 'frost-refresh/round-2';

/**
 * Refresh round 2 (local): checks every received zero-share against its sender's commitment (naming
 * each sender whose share fails), then returns the refreshed key share:
 * s_i' = s_i + Σ_j f_j(i), Y_k' = Y_k + Σ_j F_j(k), C'_0 = C_0 (same group key), C'_k = C_k + Σ_j C_{j,k}.
 * The old share must then be deleted: it no longer combines with refreshed shares.
 */
export function refreshRound2(state: RefreshRound1State, inbox: readonly Incoming<RefreshMessage>[]): { keyShare: KeyShare; outgoing: [] } {
  if (typeof state !== 'object' || state === null || state.step !== 'refresh/after-round-1') throw new InvalidInputError('state', 'expected the state after refresh round 1');
  if (!isArray(inbox)) throw new InvalidInputError('inbox', 'expected an array of incoming messages');
  consumeState(state);
  const { keyShare, sessionId } = state;
  const pub = keyShare.publicPackage;
  const suite = getSuite(pub.suite);
  const me = keyShare.partyId;
  const others = pub.partyIds.filter((p) => p !== me);
  const isCommitment = (e: Incoming<RefreshMessage>) => typeof e === 'object' && e !== null && typeof e.message === 'object' && e.message !== null && e.message.kind === 'refresh/round-1-commitment';
  const commitments = intake<RefreshCommitmentMessage>(ROUND, suite, sessionId, others, 'refresh/round-1-commitment', inbox.filter(isCommitment), (m) => {
    if (!Array.isArray(m.commitment) || m.commitment.length !== pub.threshold - 1) throw new InvalidInputError('commitment', `expected ${pub.threshold - 1} points`);
    m.commitment.forEach((c, i) => suite.parsePoint(c, `commitment[${i}]`));
  });
  const shares = intake<RefreshShareMessage>(ROUND, suite, sessionId, others, 'refresh/round-1-share', inbox.filter((e) => !isCommitment(e)), (m) => {
    suite.parseScalar(m.share, 'share');
  });
  const { Fn } = suite;
  const bad = others.filter((p) => {
    const f = suite.parseScalar(shares.get(p)!.share, 'share');
    const expected = evaluateZeroCommitment(suite, commitments.get(p)!.commitment, me);
    return f === 0n || !suite.pointEquals(suite.mulBase(f), expected);
  });
  if (bad.length > 0) throw new ProtocolAbortError(ROUND, bad, 'vss-share', 'zero-share does not match the sender\'s commitment');
  const all: { from: PartyId; commitment: readonly Uint8Array[] }[] = pub.partyIds.map((p) => ({ from: p, commitment: p === me ? state.ownCommitment : commitments.get(p)!.commitment }));
  let s = Fn.add(suite.parseScalar(keyShare.signingShare, 'keyShare.signingShare'), state.ownShare);
  for (const p of others) s = Fn.add(s, suite.parseScalar(shares.get(p)!.share, 'share'));
  const groupCommitment = pub.groupCommitment.map((c, k) => {
    if (k === 0) return Uint8Array.from(c);
    let acc = c;
    for (const { commitment } of all) acc = suite.pointAdd(acc, commitment[k - 1]);
    return acc;
  });
  const verifyingShares = pub.partyIds.map((id, i) => {
    let acc = pub.verifyingShares[i];
    for (const { commitment } of all) acc = suite.pointAdd(acc, evaluateZeroCommitment(suite, commitment, id));
    return acc;
  });
  const publicPackage: PublicKeyPackage = { ...pub, groupCommitment, verifyingShares };
  const index = pub.partyIds.indexOf(me);
  if (s === 0n || !suite.pointEquals(suite.mulBase(s), verifyingShares[index])) throw new InternalError('refreshed share does not match its verifying share');
  return { keyShare: { publicPackage, partyId: me, signingShare: suite.scalarToBytes(s) }, outgoing: [] };
}
