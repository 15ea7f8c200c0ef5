import type { KeyObject } from 'node:crypto';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { ed25519SignNative, ed25519SigningKey, x25519PrivateKey, x25519SharedNative } from './native-curves';
import { PeerAuthInputError } from './errors';
import { decodeFixedLength } from './text-encoding';

/** A source of randomness: `n` fresh bytes from a CSPRNG (same shape as mpc-core's `Rng`). */
export type Rng = (byteLength: number) => Uint8Array;

/** The operating system's CSPRNG through WebCrypto's `getRandomValues`. */
export const systemRng: Rng = (byteLength: number): Uint8Array => {
  const out = new Uint8Array(byteLength);
  for (let offset = 0; offset < byteLength; offset += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(byteLength, offset + 65536)));
  }
  return out;
};

/** Draws `n` bytes and checks that the injected source honoured the length. */
export function drawBytes(rng: Rng, n: number, argument = 'rng'): Uint8Array {
  const out = rng(n);
  if (!(out instanceof Uint8Array) || out.length !== n) {
    throw new PeerAuthInputError(argument, `must return a Uint8Array of ${n} bytes`);
  }
  return out;
}

export const SEED_LENGTH = 32;
export const PUBLIC_KEY_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;

/**
 * A signer's static identity: an Ed25519 key (RFC 8032 §5.1.5, from a 32-byte seed) that signs every
 * envelope it sends, and the X25519 key (RFC 7748) derived from the same seed by the birational map
 * Edwards25519 → Curve25519, to which its peers encrypt point-to-point messages.
 *
 * The secret parts live in private fields: they do not appear in `JSON.stringify`, `util.inspect` or
 * a log line. JavaScript cannot guarantee they are erased from memory (see README.md).
 */
export class PeerIdentity {
  readonly #seed: Uint8Array;
  readonly #x25519Secret: Uint8Array;
  readonly #signingKey: KeyObject;
  readonly #agreementKey: KeyObject;
  /** The Ed25519 identity public key (32 bytes), as pinned in every peer's directory. */
  readonly publicKey: Uint8Array;
  /** The X25519 public key derived from {@link publicKey} (32 bytes). */
  readonly x25519PublicKey: Uint8Array;

  private constructor(seed: Uint8Array) {
    this.#seed = Uint8Array.from(seed);
    this.publicKey = ed25519.getPublicKey(this.#seed);
    this.#x25519Secret = ed25519.utils.toMontgomerySecret(this.#seed);
    this.x25519PublicKey = x25519.getPublicKey(this.#x25519Secret);
    this.#signingKey = ed25519SigningKey(this.#seed);
    this.#agreementKey = x25519PrivateKey(this.#x25519Secret);
  }

  /** The identity of a 32-byte Ed25519 seed (RFC 8032 secret key). The seed is copied. */
  static fromSeed(seed: Uint8Array): PeerIdentity {
    if (!(seed instanceof Uint8Array)) throw new PeerAuthInputError('seed', 'must be a Uint8Array');
    if (seed.length !== SEED_LENGTH) throw new PeerAuthInputError('seed', `must be ${SEED_LENGTH} bytes, got ${seed.length}`);
    return new PeerIdentity(seed);
  }

  /** Ed25519 signature (RFC 8032, deterministic) over `message`. */
  sign(message: Uint8Array): Uint8Array {
    return ed25519SignNative(this.#signingKey, message);
  }

  /**
   * X25519(own secret, peer's public key) (RFC 7748 §6.1). Throws if the peer's key is of small order
   * (noble rejects the low-order u-coordinates before the ladder).
   */
  agree(peerX25519PublicKey: Uint8Array): Uint8Array {
    if (!(peerX25519PublicKey instanceof Uint8Array) || peerX25519PublicKey.length !== 32) throw new PeerAuthInputError('peerX25519PublicKey', 'must be 32 bytes');
    try {
      return x25519SharedNative(this.#agreementKey, peerX25519PublicKey);
    } catch {
      throw new PeerAuthInputError('peerX25519PublicKey', 'is of small order');
    }
  }

  toJSON(): { publicKey: string } {
    return { publicKey: Buffer.from(this.publicKey).toString('hex') };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `PeerIdentity(${Buffer.from(this.publicKey).toString('hex')})`;
  }
}

/** The identity of a 32-byte Ed25519 seed (RFC 8032 secret key). The seed is copied. */
export function identityFromSeed(seed: Uint8Array): PeerIdentity {
  return PeerIdentity.fromSeed(seed);
}

/** A fresh identity from `rng` (default: the system CSPRNG). */
export function generateIdentity(rng: Rng = systemRng): PeerIdentity {
  const seed = drawBytes(rng, SEED_LENGTH);
  try {
    return identityFromSeed(seed);
  } finally {
    seed.fill(0);
  }
}

/**
 * Parses a seed written as hex (64 characters, optional `0x`) or canonical base64 (44 characters).
 * Surrounding whitespace (a trailing newline in a mounted secret) is ignored; anything else is refused.
 */
export function parseSeed(text: string, argument = 'seed'): Uint8Array {
  if (typeof text !== 'string') throw new PeerAuthInputError(argument, 'must be a string');
  const bytes = decodeFixedLength(text.trim(), SEED_LENGTH);
  if (bytes === undefined) throw new PeerAuthInputError(argument, `must be ${SEED_LENGTH} bytes in hex or base64`);
  return bytes;
}

/** {@link parseSeed} then {@link identityFromSeed}; the parsed seed is wiped afterwards. */
export function identityFromText(text: string, argument = 'seed'): PeerIdentity {
  const seed = parseSeed(text, argument);
  try {
    return identityFromSeed(seed);
  } finally {
    seed.fill(0);
  }
}

/**
 * Checks an Ed25519 identity public key: 32 bytes, the canonical encoding of a curve point
 * (y < p; RFC 8032 §5.1.3 strictly, not ZIP-215), not of small order and in the prime-order subgroup
 * (an honest key always is; a mixed-order key is refused rather than tolerated). Returns a copy.
 */
export function validateIdentityPublicKey(publicKey: Uint8Array, argument = 'publicKey'): Uint8Array {
  if (!(publicKey instanceof Uint8Array)) throw new PeerAuthInputError(argument, 'must be a Uint8Array');
  if (publicKey.length !== PUBLIC_KEY_LENGTH) {
    throw new PeerAuthInputError(argument, `must be ${PUBLIC_KEY_LENGTH} bytes, got ${publicKey.length}`);
  }
  let point;
  try {
    point = ed25519.Point.fromBytes(publicKey, false);
  } catch {
    throw new PeerAuthInputError(argument, 'is not the canonical encoding of an Ed25519 point');
  }
  if (!equalBytes(point.toBytes(), publicKey)) {
    throw new PeerAuthInputError(argument, 'is not the canonical encoding of an Ed25519 point');
  }
  if (point.isSmallOrder()) throw new PeerAuthInputError(argument, 'is a point of small order');
  if (!point.isTorsionFree()) throw new PeerAuthInputError(argument, 'is not in the prime-order subgroup');
  return Uint8Array.from(publicKey);
}

/** Parses and validates an identity public key written as hex or base64. */
export function parseIdentityPublicKey(text: string, argument = 'publicKey'): Uint8Array {
  if (typeof text !== 'string') throw new PeerAuthInputError(argument, 'must be a string');
  const bytes = decodeFixedLength(text.trim(), PUBLIC_KEY_LENGTH);
  if (bytes === undefined) throw new PeerAuthInputError(argument, `must be ${PUBLIC_KEY_LENGTH} bytes in hex or base64`);
  return validateIdentityPublicKey(bytes, argument);
}

/** The X25519 public key of an Ed25519 identity public key (validated first). */
export function x25519PublicKeyOf(identityPublicKey: Uint8Array, argument = 'identityPublicKey'): Uint8Array {
  return ed25519.utils.toMontgomery(validateIdentityPublicKey(identityPublicKey, argument));
}

/** Byte equality for public values (not constant time; use {@link constantTimeEqual} for secrets). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Constant-time comparison for equal lengths; different lengths compare unequal at once. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
