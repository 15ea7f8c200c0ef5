import { ed25519VerifyNative, x25519PrivateKey, x25519PublicKeyNative, x25519SharedNative } from './native-curves';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { AEAD_KEY_LENGTH, AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH, aesGcmOpen, aesGcmSeal, CanonicalWriter } from '@custody/crypto-kit';
import { assertSignerId, PeerDirectory, type SignerId } from './directory';
import { EnvelopeRejected, PeerAuthInputError } from './errors';
import { drawBytes, equalBytes, PeerIdentity, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, systemRng, x25519PublicKeyOf, type Rng } from './identity';
import { toHex } from './text-encoding';

/**
 * The authenticated, encrypted envelope of every signer-to-signer message (proto/signer/v1/peer.proto
 * `PeerEnvelope`).
 *
 * - Every envelope is signed (Ed25519, RFC 8032, strict verification: canonical encodings, no
 *   small-order key) by the sender's identity key over {@link envelopeSigningBytes}: a
 *   domain-separated, length-prefixed encoding of every other field (the payload by its SHA-256).
 * - A point-to-point payload is encrypted to the recipient: a fresh ephemeral X25519 key per message
 *   (RFC 7748), ECDH with the recipient's X25519 key (derived from its pinned Ed25519 identity key),
 *   HKDF-SHA256 (RFC 5869) whose info binds the domain, version, session id, sender id, recipient id,
 *   round, the ephemeral public key and both static keys, then AES-256-GCM (node:crypto) with the
 *   header as associated data. The signature covers the ciphertext (encrypt-then-sign); because the
 *   key derivation binds the sender id, another member cannot re-sign someone else's ciphertext as its
 *   own and have it decrypt.
 * - A broadcast (recipient 0) is signed, not encrypted; its consistency across parties is checked
 *   separately (see broadcast-echo.ts).
 *
 * Not in scope here (the session layer's job): dropping a second envelope for the same (session,
 * sender, recipient, round), and rounds out of order. {@link envelopeId} gives a stable id for that.
 */

export const ENVELOPE_VERSION = 1;
/** `recipientId` of a broadcast. */
export const BROADCAST_RECIPIENT = 0;
export const MIN_SESSION_ID_LENGTH = 16;
export const MAX_SESSION_ID_LENGTH = 64;
export const MAX_ROUND_LENGTH = 128;
/** Largest payload accepted (16 MiB; the gRPC channel's own limit is usually lower). */
export const MAX_PAYLOAD_LENGTH = 16 * 1024 * 1024;
const ROUND_PATTERN = /^[A-Za-z0-9._:/-]+$/;

const SIGNATURE_DOMAIN = 'custody/peer-envelope/v1/signature';
const AAD_DOMAIN = 'custody/peer-envelope/v1/aead-header';
const HKDF_SALT = utf8ToBytes('custody/peer-envelope/v1/hkdf-salt');
const HKDF_INFO_DOMAIN = 'custody/peer-envelope/v1/hkdf-info';
const ID_DOMAIN = 'custody/peer-envelope/v1/id';

/** The envelope as it travels; field names match the generated `signer.v1.PeerEnvelope`. */
export interface PeerEnvelope {
  version: number;
  sessionId: Uint8Array;
  senderId: number;
  /** 0 for a broadcast. */
  recipientId: number;
  round: string;
  /** Plaintext for a broadcast, AES-256-GCM ciphertext ‖ tag for a point-to-point message. */
  payload: Uint8Array;
  /** 32 bytes for a point-to-point message, empty for a broadcast. */
  ephemeralPublicKey: Uint8Array;
  /** 12 bytes for a point-to-point message, empty for a broadcast. */
  aeadNonce: Uint8Array;
  signature: Uint8Array;
}

/** This node: its signer id and identity. */
export interface LocalPeer {
  readonly id: SignerId;
  readonly identity: PeerIdentity;
}

/** A recipient: its id and pinned identity key (a {@link PeerEntry} fits). */
export interface Recipient {
  readonly id: SignerId;
  readonly identityPublicKey: Uint8Array;
}

export interface SealParams {
  readonly from: LocalPeer;
  readonly to: Recipient | 'broadcast';
  readonly sessionId: Uint8Array;
  readonly round: string;
  readonly payload: Uint8Array;
}

export interface OpenOptions {
  readonly self: LocalPeer;
  readonly directory: PeerDirectory;
  /**
   * REQUIRED: the sessions this node takes part in, as a set of lower-case hex session ids (see
   * {@link sessionIdHex}) or a predicate. An envelope of another session is rejected as `not-for-me`.
   * There is no default that opens any session's envelope: a caller that accepts a new session (an
   * invitation) says so with its own predicate.
   */
  readonly expectedSessionIds: ReadonlySet<string> | ((sessionId: Uint8Array) => boolean);
}

export interface OpenedEnvelope {
  readonly senderId: SignerId;
  /** 0 for a broadcast. */
  readonly recipientId: number;
  readonly sessionId: Uint8Array;
  readonly round: string;
  readonly payload: Uint8Array;
}

/** The lower-case hex form of a session id, for `expectedSessionIds` sets and logs. */
export function sessionIdHex(sessionId: Uint8Array): string {
  return toHex(sessionId);
}

type Header = Pick<PeerEnvelope, 'version' | 'sessionId' | 'senderId' | 'recipientId' | 'round' | 'ephemeralPublicKey' | 'aeadNonce'>;

/**
 * The bytes the sender's identity key signs: every field but the signature, length-prefixed, with
 * the payload represented by its SHA-256 (so that Ed25519, which hashes its message twice to sign
 * and once to verify, works on a short message whatever the payload size).
 */
export function envelopeSigningBytes(e: Omit<PeerEnvelope, 'signature'>): Uint8Array {
  return new CanonicalWriter(SIGNATURE_DOMAIN)
    .u32('version', e.version)
    .bytes('session-id', e.sessionId)
    .u32('sender-id', e.senderId)
    .u32('recipient-id', e.recipientId)
    .string('round', e.round)
    .u32('payload-length', e.payload.length)
    .bytes('payload-sha256', sha256(e.payload))
    .bytes('ephemeral-public-key', e.ephemeralPublicKey)
    .bytes('aead-nonce', e.aeadNonce)
    .finish();
}

/** A stable 32-byte id of an envelope (SHA-256 of its signed bytes and signature), for de-duplication. */
export function envelopeId(e: PeerEnvelope): Uint8Array {
  return sha256(new CanonicalWriter(ID_DOMAIN).bytes('signed', envelopeSigningBytes(e)).bytes('signature', e.signature).finish());
}

function aeadHeader(h: Header): Uint8Array {
  return new CanonicalWriter(AAD_DOMAIN)
    .u32('version', h.version)
    .bytes('session-id', h.sessionId)
    .u32('sender-id', h.senderId)
    .u32('recipient-id', h.recipientId)
    .string('round', h.round)
    .bytes('ephemeral-public-key', h.ephemeralPublicKey)
    .bytes('aead-nonce', h.aeadNonce)
    .finish();
}

function deriveAeadKey(
  shared: Uint8Array,
  h: Header,
  recipientX25519: Uint8Array,
  senderIdentityPublicKey: Uint8Array,
): Uint8Array {
  const info = new CanonicalWriter(HKDF_INFO_DOMAIN)
    .u32('version', h.version)
    .bytes('session-id', h.sessionId)
    .u32('sender-id', h.senderId)
    .u32('recipient-id', h.recipientId)
    .string('round', h.round)
    .bytes('ephemeral-public-key', h.ephemeralPublicKey)
    .bytes('recipient-x25519-public-key', recipientX25519)
    .bytes('sender-identity-public-key', senderIdentityPublicKey)
    .finish();
  return hkdf(sha256, shared, HKDF_SALT, info, AEAD_KEY_LENGTH);
}

// Validated X25519 keys of recipients, by identity key (public values; bounded).
const x25519Cache = new Map<string, Uint8Array>();
function recipientX25519(identityPublicKey: Uint8Array): Uint8Array {
  const key = toHex(identityPublicKey);
  const hit = x25519Cache.get(key);
  if (hit) return hit;
  const x = x25519PublicKeyOf(identityPublicKey, 'to.identityPublicKey');
  if (x25519Cache.size >= 1024) x25519Cache.clear();
  x25519Cache.set(key, x);
  return x;
}

function validateLocalPeer(peer: LocalPeer, argument: string): void {
  if (typeof peer !== 'object' || peer === null) throw new PeerAuthInputError(argument, 'must be { id, identity }');
  assertSignerId(peer.id, `${argument}.id`);
  if (!(peer.identity instanceof PeerIdentity)) throw new PeerAuthInputError(`${argument}.identity`, 'must be a PeerIdentity');
}

function validateSessionId(sessionId: unknown): sessionId is Uint8Array {
  return sessionId instanceof Uint8Array && sessionId.length >= MIN_SESSION_ID_LENGTH && sessionId.length <= MAX_SESSION_ID_LENGTH;
}

function validRound(round: unknown): round is string {
  return typeof round === 'string' && round.length >= 1 && round.length <= MAX_ROUND_LENGTH && ROUND_PATTERN.test(round);
}

/**
 * Seals a message: signs it, and encrypts the payload when it goes to one recipient. Throws
 * {@link PeerAuthInputError} on a bad argument (this node's own bug, never a peer's input).
 */
export function sealEnvelope(params: SealParams, rng: Rng = systemRng): PeerEnvelope {
  if (typeof params !== 'object' || params === null) throw new PeerAuthInputError('params', 'must be an object');
  const { from, to, sessionId, round, payload } = params;
  validateLocalPeer(from, 'from');
  if (!validateSessionId(sessionId)) {
    throw new PeerAuthInputError('sessionId', `must be ${MIN_SESSION_ID_LENGTH}..${MAX_SESSION_ID_LENGTH} bytes`);
  }
  if (!validRound(round)) throw new PeerAuthInputError('round', `must be 1..${MAX_ROUND_LENGTH} characters of [A-Za-z0-9._:/-]`);
  if (!(payload instanceof Uint8Array)) throw new PeerAuthInputError('payload', 'must be a Uint8Array');
  if (payload.length > MAX_PAYLOAD_LENGTH) throw new PeerAuthInputError('payload', `must be at most ${MAX_PAYLOAD_LENGTH} bytes`);

  let unsigned: Omit<PeerEnvelope, 'signature'>;
  if (to === 'broadcast') {
    unsigned = {
      version: ENVELOPE_VERSION,
      sessionId: Uint8Array.from(sessionId),
      senderId: from.id,
      recipientId: BROADCAST_RECIPIENT,
      round,
      payload: Uint8Array.from(payload),
      ephemeralPublicKey: new Uint8Array(0),
      aeadNonce: new Uint8Array(0),
    };
  } else {
    if (typeof to !== 'object' || to === null) throw new PeerAuthInputError('to', "must be { id, identityPublicKey } or 'broadcast'");
    assertSignerId(to.id, 'to.id');
    if (to.id === from.id) throw new PeerAuthInputError('to.id', 'must differ from from.id');
    const recipientX = recipientX25519(to.identityPublicKey);
    const ephemeralSecret = drawBytes(rng, 32);
    try {
      const ephemeralKey = x25519PrivateKey(ephemeralSecret);
      const ephemeralPublicKey = x25519PublicKeyNative(ephemeralKey);
      const header: Header = {
        version: ENVELOPE_VERSION,
        sessionId: Uint8Array.from(sessionId),
        senderId: from.id,
        recipientId: to.id,
        round,
        ephemeralPublicKey,
        aeadNonce: Uint8Array.from(drawBytes(rng, AEAD_NONCE_LENGTH)),
      };
      const shared = x25519SharedNative(ephemeralKey, recipientX);
      const key = deriveAeadKey(shared, header, recipientX, from.identity.publicKey);
      shared.fill(0);
      try {
        unsigned = { ...header, payload: aesGcmSeal(key, header.aeadNonce, payload, aeadHeader(header)) };
      } finally {
        key.fill(0);
      }
    } finally {
      ephemeralSecret.fill(0);
    }
  }
  return { ...unsigned, signature: from.identity.sign(envelopeSigningBytes(unsigned)) };
}

function reject(reason: EnvelopeRejected['reason'], detail: string): never {
  throw new EnvelopeRejected(reason, detail);
}

function isNonNegativeInteger(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
}

function checkShape(value: unknown): PeerEnvelope {
  if (typeof value !== 'object' || value === null) reject('malformed', 'envelope is not an object');
  const e = value as Record<keyof PeerEnvelope, unknown>;
  if (!isNonNegativeInteger(e.version)) reject('malformed', 'version is not a u32');
  if (e.version !== ENVELOPE_VERSION) reject('unknown-version', `version ${e.version}`);
  if (!validateSessionId(e.sessionId)) reject('malformed', 'sessionId length');
  if (!isNonNegativeInteger(e.senderId)) reject('malformed', 'senderId is not a u32');
  if (!isNonNegativeInteger(e.recipientId)) reject('malformed', 'recipientId is not a u32');
  if (!validRound(e.round)) reject('malformed', 'round');
  // A point-to-point payload carries the 16-byte tag on top of at most MAX_PAYLOAD_LENGTH bytes.
  if (!(e.payload instanceof Uint8Array) || e.payload.length > MAX_PAYLOAD_LENGTH + AEAD_TAG_LENGTH) reject('malformed', 'payload');
  if (!(e.ephemeralPublicKey instanceof Uint8Array)) reject('malformed', 'ephemeralPublicKey');
  if (!(e.aeadNonce instanceof Uint8Array)) reject('malformed', 'aeadNonce');
  if (!(e.signature instanceof Uint8Array) || e.signature.length !== SIGNATURE_LENGTH) reject('malformed', 'signature length');
  if (e.recipientId === BROADCAST_RECIPIENT) {
    if (e.ephemeralPublicKey.length !== 0 || e.aeadNonce.length !== 0) reject('malformed', 'broadcast with encryption fields');
    if (e.payload.length > MAX_PAYLOAD_LENGTH) reject('malformed', 'payload');
  } else {
    if (e.ephemeralPublicKey.length !== PUBLIC_KEY_LENGTH) reject('malformed', 'ephemeralPublicKey length');
    if (e.aeadNonce.length !== AEAD_NONCE_LENGTH) reject('malformed', 'aeadNonce length');
    if (e.payload.length < AEAD_TAG_LENGTH) reject('malformed', 'ciphertext shorter than the tag');
  }
  return e as PeerEnvelope;
}

/**
 * Checks and opens an incoming envelope, in this order: shape and version; the sender is a pinned
 * peer other than this node; the signature by the sender's pinned key; addressed to this node (or a
 * broadcast) and of an expected session; then decryption. Throws only {@link EnvelopeRejected} for
 * anything in `envelope`; a bad `options` (this node's own configuration) throws
 * {@link PeerAuthInputError}.
 */
export function openEnvelope(envelope: unknown, options: OpenOptions): OpenedEnvelope {
  if (typeof options !== 'object' || options === null) throw new PeerAuthInputError('options', 'must be an object');
  validateLocalPeer(options.self, 'options.self');
  if (!(options.directory instanceof PeerDirectory)) throw new PeerAuthInputError('options.directory', 'must be a PeerDirectory');
  options.directory.assertSelf(options.self.id, options.self.identity, 'options.self');
  const expected: unknown = options.expectedSessionIds;
  if (typeof expected !== 'function' && !(expected instanceof Set)) {
    throw new PeerAuthInputError('options.expectedSessionIds', 'is required: a Set of hex session ids or a predicate (the session binding is mandatory)');
  }
  const isExpected = (sessionId: Uint8Array): boolean =>
    typeof expected === 'function' ? (expected as (id: Uint8Array) => unknown)(sessionId) === true : (expected as ReadonlySet<string>).has(sessionIdHex(sessionId));

  let e: PeerEnvelope;
  try {
    e = checkShape(envelope);
  } catch (error) {
    // A hostile object (throwing getters, proxies) must not escape as anything but a rejection.
    if (error instanceof EnvelopeRejected) throw error;
    reject('malformed', 'envelope could not be read');
  }
  if (e.senderId === options.self.id) reject('unknown-sender', `sender ${e.senderId} is this node (reflected message)`);
  const sender = options.directory.get(e.senderId);
  if (!sender) reject('unknown-sender', `sender ${e.senderId} is not pinned`);

  let valid: boolean;
  try {
    valid = ed25519VerifyNative(e.signature, envelopeSigningBytes(e), sender.identityPublicKey);
  } catch {
    valid = false;
  }
  if (!valid) reject('bad-signature', `signature of sender ${e.senderId} does not verify`);

  if (e.recipientId !== BROADCAST_RECIPIENT && e.recipientId !== options.self.id) {
    reject('not-for-me', `addressed to signer ${e.recipientId}`);
  }
  if (!isExpected(e.sessionId)) reject('not-for-me', `unknown session ${sessionIdHex(e.sessionId)}`);

  const opened = {
    senderId: e.senderId,
    recipientId: e.recipientId,
    sessionId: Uint8Array.from(e.sessionId),
    round: e.round,
  };
  if (e.recipientId === BROADCAST_RECIPIENT) return { ...opened, payload: Uint8Array.from(e.payload) };

  let plaintext: Uint8Array | undefined;
  try {
    const self = options.directory.require(options.self.id);
    const shared = options.self.identity.agree(e.ephemeralPublicKey);
    const key = deriveAeadKey(shared, e, self.x25519PublicKey, sender.identityPublicKey);
    shared.fill(0);
    try {
      plaintext = aesGcmOpen(key, e.aeadNonce, e.payload, aeadHeader(e));
    } finally {
      key.fill(0);
    }
  } catch {
    plaintext = undefined;
  }
  if (plaintext === undefined) reject('decrypt-failed', `point-to-point payload from sender ${e.senderId}`);
  return { ...opened, payload: plaintext };
}

/**
 * Transferable evidence of equivocation: two envelopes that both carry a valid signature of the same
 * pinned sender, for the same session, round and recipient, with different payloads. Returns the
 * sender's id when they prove it, `undefined` otherwise (never throws for envelope contents). Use it
 * to name the culprit after an echo mismatch: the parties exchange the signed broadcasts they hold.
 */
export function equivocationBy(a: unknown, b: unknown, directory: PeerDirectory): SignerId | undefined {
  if (!(directory instanceof PeerDirectory)) throw new PeerAuthInputError('directory', 'must be a PeerDirectory');
  let x: PeerEnvelope;
  let y: PeerEnvelope;
  try {
    x = checkShape(a);
    y = checkShape(b);
  } catch {
    return undefined;
  }
  if (x.senderId !== y.senderId || x.recipientId !== y.recipientId || x.round !== y.round) return undefined;
  if (!equalBytes(x.sessionId, y.sessionId) || equalBytes(x.payload, y.payload)) return undefined;
  const sender = directory.get(x.senderId);
  if (!sender) return undefined;
  const valid = (e: PeerEnvelope) => {
    try {
      return ed25519VerifyNative(e.signature, envelopeSigningBytes(e), sender.identityPublicKey);
    } catch {
      return false;
    }
  };
  return valid(x) && valid(y) ? x.senderId : undefined;
}
