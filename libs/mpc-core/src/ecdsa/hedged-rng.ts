import { shake256 } from '@noble/hashes/sha3.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { InvalidInputError, type PartyId } from '../errors';
import type { Rng } from '../rng';
import { Transcript } from '../transcript';

/** Fresh bytes drawn from the caller's Rng for every hedged stream. */
const FRESH_BYTES = 32;
const SEED_BYTES = 64;

/** What a hedged stream is bound to, besides fresh randomness. */
export interface HedgeBinding {
  /** Secrets of this party that no peer knows (key share x_i, Paillier factors). */
  readonly secrets: readonly bigint[];
  /** The (sub-)session id of the run. */
  readonly sessionId: Uint8Array;
  readonly self: PartyId;
  /** The parties of the run (the signing set in presigning). */
  readonly parties: readonly PartyId[];
  /** The protocol step, e.g. 'presign/round-1'. */
  readonly label: string;
  /** Public inputs of the step (the values received from peers that the step's proofs depend on). */
  readonly inputs?: readonly bigint[];
}

/**
 * A hedged random stream, in the manner of RFC 6979 §3.6 ("additional data k'") and RFC 9591
 * §4.1 (`nonce_generate(secret)`): seed = SHAKE256 over the injective {@link Transcript} encoding of
 * (32 fresh bytes from `rng`, the party's secrets, session id, party id, parties, label, public
 * inputs), and the stream is SHAKE256(seed ‖ counter ‖ length). Every secret scalar and nonce of the
 * step is then drawn from this stream by the usual rejection sampling (`randomBelow`, no bias).
 *
 * With a good `rng` the stream is as random as the rng. If the rng repeats (a VM snapshot restored,
 * a forked process), the stream still differs whenever the session id, the signing set or a received
 * input differs, so a peer that replays a session with changed inputs never obtains two responses
 * made with the same nonces. What remains is the exact replay of a step (same session id, same
 * inputs), which yields the same messages again and so reveals nothing new.
 */
export function hedgedRng(rng: Rng, binding: HedgeBinding): Rng {
  if (typeof rng !== 'function') throw new InvalidInputError('rng', 'must be a function');
  if (typeof binding !== 'object' || binding === null) throw new InvalidInputError('binding', 'must be an object');
  for (const s of binding.secrets) if (typeof s !== 'bigint') throw new InvalidInputError('binding.secrets', 'must be bigints');
  const fresh = rng(FRESH_BYTES);
  if (!(fresh instanceof Uint8Array) || fresh.length !== FRESH_BYTES) throw new InvalidInputError('rng', `must return ${FRESH_BYTES} bytes`);
  const t = new Transcript('custody-ecdsa/hedged-rng/v1')
    .appendBytes('fresh', fresh)
    .appendBigInts('secrets', binding.secrets)
    .appendBytes('session-id', binding.sessionId)
    .appendNumber('self', binding.self)
    .appendPartyIds('parties', binding.parties)
    .appendBytes('label', utf8ToBytes(binding.label))
    .appendBigInts('inputs', binding.inputs ?? []);
  const seed = t.challengeBytes('seed', SEED_BYTES);
  let counter = 0;
  return (byteLength: number): Uint8Array => {
    if (!Number.isSafeInteger(byteLength) || byteLength < 0) throw new InvalidInputError('byteLength', 'must be a non-negative integer');
    const input = new Uint8Array(SEED_BYTES + 8);
    input.set(seed);
    const view = new DataView(input.buffer);
    view.setUint32(SEED_BYTES, counter++);
    view.setUint32(SEED_BYTES + 4, byteLength);
    return shake256(input, { dkLen: byteLength });
  };
}
