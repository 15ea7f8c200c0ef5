import { InvalidInputError, type PartyId } from '../../errors';
import type { Rng } from '../../rng';
import { validateBytes, validateSessionId } from '../common';
import { assertKeyShareShape, validatePartyIds, type KeyShare } from '../key-share';
import type { Outgoing, PublishedCommitment, SignRound1Message } from '../messages';
import type { NonceStore, SignRound1State } from '../state';
import { getSuite } from '../suite';
import { deriveKeySharePath, taprootTweakKeyShare } from '../derive';
import { commitmentId, preprocess } from './preprocess';

export interface SignParams {
  /** This party's key share, or a child / Taproot-tweaked share from `derive.ts`. */
  readonly keyShare: KeyShare;
  /** Unique per signing session, 16 to 64 bytes, the same for every signer. */
  readonly sessionId: Uint8Array;
  /** The signers of this session, ascending; at least t, all holding shares of this key. */
  readonly signers: readonly PartyId[];
  /** The message to sign (Ed25519: any length; BIP340: any length, usually a 32-byte sighash). */
  readonly message: Uint8Array;
  /**
   * A commitment made ahead of time by {@link preprocess} whose nonces are in the store. Without one, a
   * fresh pair is made now and stored.
   */
  readonly commitment?: PublishedCommitment;
  /** Sign for the child key at this path of non-hardened indices (e.g. the sign grant's path). */
  readonly derivationPath?: readonly number[];
  /** BIP340 only: sign for the Taproot output key of the (derived) key, BIP341 key path. */
  readonly taproot?: { readonly merkleRoot?: Uint8Array };
}

/** Checks the signer set against the key's parties and threshold. */
export function validateSigners(keyShare: KeyShare, signers: unknown): readonly PartyId[] {
  const ids = validatePartyIds(signers, 'signers');
  const pub = keyShare.publicPackage;
  if (ids.length < pub.threshold) throw new InvalidInputError('signers', `at least ${pub.threshold} signers are needed`);
  for (const id of ids) if (!pub.partyIds.includes(id)) throw new InvalidInputError('signers', `party ${id} holds no share of this key`);
  if (!ids.includes(keyShare.partyId)) throw new InvalidInputError('signers', 'this party is not one of the signers');
  return ids;
}

/**
 * Signing round 1 (broadcast; RFC 9591 §5.1): announces the commitment pair this party signs with in this
 * session. The nonces stay in the store; they are consumed in round 2.
 */
export function signRound1(params: SignParams, store: NonceStore, rng: Rng): { state: SignRound1State; outgoing: Outgoing<SignRound1Message>[] } {
  if (typeof params !== 'object' || params === null) throw new InvalidInputError('params', 'expected an object');
  let keyShare = assertKeyShareShape(params.keyShare, 'params.keyShare');
  // Public tweaks are applied to a copy of the share, here, for this session only.
  if (params.derivationPath !== undefined) keyShare = deriveKeySharePath(keyShare, params.derivationPath);
  if (params.taproot !== undefined) {
    if (typeof params.taproot !== 'object' || params.taproot === null) throw new InvalidInputError('params.taproot', 'expected { merkleRoot? }');
    keyShare = taprootTweakKeyShare(keyShare, params.taproot.merkleRoot);
  }
  const suite = getSuite(keyShare.publicPackage.suite);
  const sessionId = Uint8Array.from(validateSessionId(params.sessionId, 'params.sessionId'));
  const signers = [...validateSigners(keyShare, params.signers)];
  const message = Uint8Array.from(validateBytes(params.message, 'params.message'));
  if (typeof store !== 'object' || store === null || typeof store.has !== 'function' || typeof store.consume !== 'function') {
    throw new InvalidInputError('store', 'expected a NonceStore');
  }
  let commitment = params.commitment;
  if (commitment === undefined) {
    commitment = preprocess(keyShare, 1, store, rng)[0]!;
  } else {
    if (typeof commitment !== 'object' || commitment === null) throw new InvalidInputError('params.commitment', 'expected a published commitment');
    if (commitment.suite !== suite.name || commitment.partyId !== keyShare.partyId) {
      throw new InvalidInputError('params.commitment', 'not a commitment of this party and suite');
    }
    // The id names the pair (a hash of suite, party and both points), and the store holds records
    // under the id of their own points: so a commitment whose points differ from the stored ones is
    // refused here, in round 1, before round 2 consumes (burns) the nonce.
    const hiding = suite.parsePoint(commitment.hiding, 'params.commitment.hiding');
    const binding = suite.parsePoint(commitment.binding, 'params.commitment.binding');
    if (typeof commitment.commitmentId !== 'string' || commitment.commitmentId !== commitmentId(suite, keyShare.partyId, hiding, binding)) {
      throw new InvalidInputError('params.commitment', 'its points are not the pair its commitment id names (not the stored commitment)');
    }
  }
  if (!store.has(commitment.commitmentId)) {
    throw new InvalidInputError('params.commitment', 'its nonces are not in the store (unknown or already used): refusing to reuse a nonce');
  }
  const own: SignRound1Message = {
    kind: 'sign/round-1',
    suite: suite.name,
    sessionId,
    commitmentId: commitment.commitmentId,
    hiding: Uint8Array.from(commitment.hiding),
    binding: Uint8Array.from(commitment.binding),
  };
  const state: SignRound1State = { step: 'sign/after-round-1', keyShare, sessionId, signers, message, own };
  return { state, outgoing: [{ to: 'all', message: own }] };
}
