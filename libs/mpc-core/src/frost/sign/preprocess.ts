import { utf8ToBytes } from '@noble/hashes/utils.js';
import { InvalidInputError, type PartyId } from '../../errors';
import type { Rng } from '../../rng';
import { Transcript } from '../../transcript';
import { hex, nobleRng } from '../common';
import { assertKeyShareShape } from '../key-share';
import type { KeyShare } from '../key-share';
import type { PublishedCommitment } from '../messages';
import type { NonceStore } from '../state';
import { getSuite, type FrostSuite } from '../suite';
import { rememberOwnEd25519Commitment } from '../validated-points';

export const MAX_PREPROCESS_BATCH = 1000;

/**
 * The id of a published commitment pair: the first 16 bytes of
 * `Transcript("custody-frost/commitment-id/v1").suite.party.hiding.binding.challengeBytes("id")`, hex.
 * It names the pair so that a node can persist the nonces and consume them exactly once.
 */
export function commitmentId(suite: FrostSuite, partyId: PartyId, hiding: Uint8Array, binding: Uint8Array): string {
  return hex(
    new Transcript('custody-frost/commitment-id/v1')
      .appendBytes('suite', utf8ToBytes(suite.contextString))
      .appendNumber('party', partyId)
      .appendBytes('hiding', hiding)
      .appendBytes('binding', binding)
      .challengeBytes('id', 16),
  );
}

/**
 * Preprocessing (RFC 9591 §5.1 `commit`, run `count` times ahead of signing): makes `count` nonce pairs
 * with noble, puts each into `store` under its id, and returns the public commitments to publish.
 * The nonces never leave the store except through its one-time `consume`.
 */
export function preprocess(keyShare: KeyShare, count: number, store: NonceStore, rng: Rng): PublishedCommitment[] {
  assertKeyShareShape(keyShare);
  if (!Number.isInteger(count) || count < 1 || count > MAX_PREPROCESS_BATCH) {
    throw new InvalidInputError('count', `must be an integer in [1, ${MAX_PREPROCESS_BATCH}]`);
  }
  if (typeof store !== 'object' || store === null || typeof store.put !== 'function') throw new InvalidInputError('store', 'expected a NonceStore');
  const suite = getSuite(keyShare.publicPackage.suite);
  const secret = { identifier: suite.frost.Identifier.fromNumber(keyShare.partyId), signingShare: Uint8Array.from(keyShare.signingShare) };
  const out: PublishedCommitment[] = [];
  for (let i = 0; i < count; i++) {
    const { nonces, commitments } = suite.frost.commit(secret, nobleRng(rng));
    const hiding = Uint8Array.from(commitments.hiding);
    const binding = Uint8Array.from(commitments.binding);
    if (suite.name === 'ed25519') {
      // computed here as k·G by noble's commit: remember them as checked (speed only)
      rememberOwnEd25519Commitment(hiding);
      rememberOwnEd25519Commitment(binding);
    }
    const commitment: PublishedCommitment = {
      suite: suite.name,
      partyId: keyShare.partyId,
      commitmentId: commitmentId(suite, keyShare.partyId, hiding, binding),
      hiding,
      binding,
    };
    store.put({ commitment, hiding: Uint8Array.from(nonces.hiding), binding: Uint8Array.from(nonces.binding) });
    nonces.hiding.fill(0);
    nonces.binding.fill(0);
    out.push(commitment);
  }
  secret.signingShare.fill(0);
  return out;
}
