import { sha256 } from '@noble/hashes/sha2.js';
import { CanonicalWriter } from '@custody/crypto-kit';
import { assertSignerId, type SignerId } from './directory';
import { PeerAuthInputError } from './errors';
import { constantTimeEqual } from './identity';

/**
 * The echo check of a reliable broadcast (cf. dfns/cggmp21's echo round): after a broadcast round,
 * every party hashes all the broadcasts of that round it holds (its own included), ordered by sender
 * id, and sends the 32-byte hash to every other party; the round only counts when all hashes agree.
 * A party that equivocated (sent different payloads to different peers) makes some hashes differ.
 *
 * A non-empty {@link echoMismatches} result means: abort the round. The listed parties saw a
 * different set of broadcasts than this node, which is either their fault or the fault of a sender
 * who equivocated; to name the equivocator, compare the signed envelopes themselves (two validly
 * signed envelopes of one sender for the same session and round with different payloads prove it:
 * see `equivocationBy` in envelope.ts).
 */

const ECHO_DOMAIN = 'custody/broadcast-echo/v1';
export const ECHO_HASH_LENGTH = 32;

export interface ReceivedBroadcast {
  readonly senderId: SignerId;
  readonly payload: Uint8Array;
}

/**
 * SHA-256 over a domain tag, the session id, the round and every (sender id, payload) in ascending
 * sender order. The caller passes every broadcast of the round, its own included.
 */
export function broadcastEchoHash(sessionId: Uint8Array, round: string, broadcasts: readonly ReceivedBroadcast[]): Uint8Array {
  if (!(sessionId instanceof Uint8Array) || sessionId.length === 0) throw new PeerAuthInputError('sessionId', 'must be non-empty bytes');
  if (typeof round !== 'string' || round.length === 0) throw new PeerAuthInputError('round', 'must be a non-empty string');
  if (!Array.isArray(broadcasts as unknown) || broadcasts.length === 0) throw new PeerAuthInputError('broadcasts', 'must be a non-empty array');
  const seen = new Set<number>();
  for (let i = 0; i < broadcasts.length; i++) {
    const b = broadcasts[i];
    assertSignerId(b?.senderId, `broadcasts[${i}].senderId`);
    if (!(b.payload instanceof Uint8Array)) throw new PeerAuthInputError(`broadcasts[${i}].payload`, 'must be a Uint8Array');
    if (seen.has(b.senderId)) throw new PeerAuthInputError(`broadcasts[${i}].senderId`, `duplicate sender ${b.senderId}`);
    seen.add(b.senderId);
  }
  const w = new CanonicalWriter(ECHO_DOMAIN).bytes('session-id', sessionId).string('round', round).u32('count', broadcasts.length);
  for (const b of [...broadcasts].sort((x, y) => x.senderId - y.senderId)) {
    w.u32('sender-id', b.senderId).bytes('payload', b.payload);
  }
  return sha256(w.finish());
}

/**
 * The parties whose echo hash differs from this node's own, in ascending order. `echoes` holds the
 * hash each other party sent (this node's own entry, if present, is ignored). A hash of the wrong
 * length counts as a mismatch. Parties missing from `echoes` are not listed here: waiting for them
 * is the session deadline's job.
 */
export function echoMismatches(ownHash: Uint8Array, echoes: ReadonlyMap<SignerId, Uint8Array>, selfId?: SignerId): SignerId[] {
  if (!(ownHash instanceof Uint8Array) || ownHash.length !== ECHO_HASH_LENGTH) {
    throw new PeerAuthInputError('ownHash', `must be ${ECHO_HASH_LENGTH} bytes`);
  }
  if (!(echoes instanceof Map)) throw new PeerAuthInputError('echoes', 'must be a Map from signer id to hash');
  const out: SignerId[] = [];
  for (const [id, hash] of echoes) {
    assertSignerId(id, 'echoes key');
    if (id === selfId) continue;
    if (!(hash instanceof Uint8Array) || !constantTimeEqual(hash, ownHash)) out.push(id);
  }
  return out.sort((a, b) => a - b);
}

/** The echo check in one place: {@link broadcastEchoHash} and {@link echoMismatches}. */
export const BroadcastEcho = {
  hash: broadcastEchoHash,
  mismatches: echoMismatches,
} as const;
