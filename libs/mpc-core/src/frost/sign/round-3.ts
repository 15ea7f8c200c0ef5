import { InternalError, InvalidInputError, ProtocolAbortError } from '../../errors';
import { intake } from '../common';
import { groupPublicKey, nobleId, toNoblePublic } from '../key-share';
import type { Incoming, SignRound2Message } from '../messages';
import { consumeState, type SignRound2State } from '../state';
import { getSuite } from '../suite';

const ROUND = 'frost-sign/round-3';

export interface SignResult {
  /** The public key a verifier uses (Ed25519: 32 bytes; BIP340: 32-byte x-only). */
  readonly publicKey: Uint8Array;
  /** The final signature (Ed25519: R ‖ S, 64 bytes; BIP340: 64 bytes). */
  readonly signature: Uint8Array;
}

/**
 * Signing round 3 (local; RFC 9591 §5.3-5.4): verifies EVERY other signer's share against its commitment
 * and verifying share before aggregation (naming each sender whose share fails), aggregates with noble,
 * which verifies the final signature before returning it.
 */
export function signRound3(state: SignRound2State, inbox: readonly Incoming<SignRound2Message>[]): { result: SignResult; outgoing: [] } {
  if (typeof state !== 'object' || state === null || state.step !== 'sign/after-round-2') throw new InvalidInputError('state', 'expected the state after signing round 2');
  consumeState(state);
  const { keyShare, sessionId, signers, message, commitmentList, ownShare } = state;
  const suite = getSuite(keyShare.publicPackage.suite);
  const others = signers.filter((p) => p !== keyShare.partyId);
  const got = intake<SignRound2Message>(ROUND, suite, sessionId, others, 'sign/round-2', inbox, (m) => {
    suite.parseScalar(m.signatureShare, 'signatureShare');
  });
  const pub = toNoblePublic(suite, keyShare.publicPackage);
  const list = [...commitmentList];
  const bad = others.filter((p) => !suite.frost.verifyShare(pub, list, message, nobleId(suite, p), Uint8Array.from(got.get(p)!.signatureShare)));
  if (bad.length > 0) throw new ProtocolAbortError(ROUND, bad, 'signature-share', 'share does not verify against its commitment and verifying share');
  const shares: Record<string, Uint8Array> = {};
  for (const p of signers) shares[nobleId(suite, p)] = Uint8Array.from(p === keyShare.partyId ? ownShare : got.get(p)!.signatureShare);
  let signature: Uint8Array;
  try {
    signature = Uint8Array.from(suite.frost.aggregate(pub, list, message, shares));
  } catch (error) {
    // Only our own share is left unchecked above; noble names the shares that fail on aggregation.
    const cheaters = error instanceof Error && 'cheaters' in error && Array.isArray(error.cheaters) ? (error.cheaters as unknown[]) : [];
    const culprits = signers.filter((p) => cheaters.includes(nobleId(suite, p)));
    if (culprits.length > 0) throw new ProtocolAbortError(ROUND, culprits, 'signature-share', 'share does not verify against its commitment and verifying share');
    throw new InternalError('aggregation failed without a culprit');
  }
  // noble's aggregate verifies the aggregated signature under the group key before returning it (and
  // throws otherwise): that is the final verification; the tests check every signature again with
  // independent verifiers (node:crypto for Ed25519, a BigInt BIP340 verifier).
  const publicKey = groupPublicKey(keyShare.publicPackage);
  return { result: { publicKey, signature }, outgoing: [] };
}
