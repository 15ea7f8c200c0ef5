import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { VaultError } from './errors';

export const KEK_LENGTH = 32;
const KEK_ID_LABEL = utf8ToBytes('custody/kek-id/v1');
const KEK_ID_BYTES = 16;

const secrets = new WeakMap<KeyEncryptionKey, Uint8Array>();

function invalid(source: string, what: string): never {
  throw new VaultError('invalid-kek', `invalid key-encryption key (${source}): ${what}`);
}

/**
 * The node's key-encryption key (KEK): exactly 32 bytes for AES-256-GCM, from the node's environment
 * or a mounted secret file. It only wraps and unwraps per-share data keys (see vault.ts).
 *
 * `kekId` is a public fingerprint, the first 16 bytes of HMAC-SHA256(kek, "custody/kek-id/v1") in
 * hex, recorded with every sealed share so that a node started with the wrong KEK fails with a clear
 * message before any decryption is tried. The key bytes live outside the object (a module-private
 * WeakMap): they never show in `JSON.stringify`, `util.inspect` or a log line.
 */
export class KeyEncryptionKey {
  /** Public fingerprint (32 lower-case hex characters). */
  readonly kekId: string;

  private constructor(key: Uint8Array) {
    const copy = Uint8Array.from(key);
    secrets.set(this, copy);
    this.kekId = Buffer.from(hmac(sha256, copy, KEK_ID_LABEL).subarray(0, KEK_ID_BYTES)).toString('hex');
  }

  /** From raw bytes (copied). */
  static fromBytes(bytes: Uint8Array): KeyEncryptionKey {
    if (!(bytes instanceof Uint8Array)) invalid('bytes', 'must be a Uint8Array');
    return KeyEncryptionKey.checked(bytes, 'bytes');
  }

  /** From 64 hex characters (either case, optional `0x`, surrounding whitespace ignored). */
  static fromHex(text: string): KeyEncryptionKey {
    if (typeof text !== 'string') invalid('hex', 'must be a string');
    let body = text.trim();
    if (body.startsWith('0x')) body = body.slice(2);
    if (!/^[0-9a-fA-F]*$/.test(body)) invalid('hex', 'contains characters that are not hex digits');
    if (body.length % 2 !== 0) invalid('hex', `has an odd number of hex digits (${body.length})`);
    const bytes = Uint8Array.from(Buffer.from(body, 'hex'));
    try {
      return KeyEncryptionKey.checked(bytes, 'hex');
    } finally {
      bytes.fill(0);
    }
  }

  /** From canonical, padded base64 (surrounding whitespace ignored). */
  static fromBase64(text: string): KeyEncryptionKey {
    if (typeof text !== 'string') invalid('base64', 'must be a string');
    const body = text.trim();
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(body)) {
      invalid('base64', 'is not padded base64 (RFC 4648 §4)');
    }
    const decoded = Buffer.from(body, 'base64');
    if (decoded.toString('base64') !== body) invalid('base64', 'is not canonical base64');
    const bytes = Uint8Array.from(decoded);
    decoded.fill(0);
    try {
      return KeyEncryptionKey.checked(bytes, 'base64');
    } finally {
      bytes.fill(0);
    }
  }

  /**
   * From an environment value or a mounted file: 64 hex characters or 44 base64 characters (a
   * trailing newline is fine), or, for file bytes, exactly 32 raw bytes. The forms cannot be
   * confused: they differ in length.
   */
  static fromFileContents(contents: string | Uint8Array): KeyEncryptionKey {
    if (contents instanceof Uint8Array) {
      if (contents.length === KEK_LENGTH) return KeyEncryptionKey.checked(contents, 'file (raw bytes)');
      const text = Buffer.from(contents.buffer, contents.byteOffset, contents.byteLength).toString('latin1');
      return KeyEncryptionKey.fromText(text, 'file');
    }
    if (typeof contents !== 'string') invalid('file', 'must be a string or bytes');
    return KeyEncryptionKey.fromText(contents, 'file');
  }

  private static fromText(text: string, source: string): KeyEncryptionKey {
    const body = text.trim();
    if (/^(0x)?[0-9a-fA-F]+$/.test(body)) return KeyEncryptionKey.fromHex(body);
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return KeyEncryptionKey.fromBase64(body);
    invalid(source, `is neither ${KEK_LENGTH} raw bytes nor hex nor base64 (${body.length} characters after trimming)`);
  }

  private static checked(bytes: Uint8Array, source: string): KeyEncryptionKey {
    if (bytes.length !== KEK_LENGTH) invalid(source, `decodes to ${bytes.length} bytes, expected ${KEK_LENGTH}`);
    if (bytes.every((b) => b === 0)) invalid(source, 'is all zero bytes (a placeholder, not a key)');
    return new KeyEncryptionKey(bytes);
  }

  /** Overwrites the key bytes (best effort; see README.md) and makes this object unusable. */
  destroy(): void {
    secrets.get(this)?.fill(0);
    secrets.delete(this);
  }

  toJSON(): { kekId: string } {
    return { kekId: this.kekId };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `KeyEncryptionKey(${this.kekId})`;
  }
}

/** @internal The key bytes, for vault.ts only (not exported from the package). */
export function kekBytes(kek: KeyEncryptionKey): Uint8Array {
  const bytes = secrets.get(kek);
  if (bytes === undefined) throw new VaultError('invalid-kek', 'key-encryption key was destroyed or is not a KeyEncryptionKey');
  return bytes;
}
