import { sha256 } from '@noble/hashes/sha2.js';
import { AEAD_KEY_LENGTH, AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH, aesGcmOpen, aesGcmSeal, CanonicalWriter } from '@custody/crypto-kit';
import { VaultError } from './errors';
import { KeyEncryptionKey, kekBytes } from './key-encryption-key';

/**
 * Envelope encryption of key shares at rest (an adapter: AES-256-GCM from node:crypto).
 *
 * Each share gets a fresh random 32-byte data key. The share is encrypted under the data key
 * (AES-256-GCM, 96-bit random nonce, AAD = the canonical encoding of version, key id, signer id and
 * scheme); the data key is encrypted ("wrapped") under the node's key-encryption key (AES-256-GCM,
 * its own random nonce, AAD = the same context plus the KEK's fingerprint). A record therefore only
 * opens with the right KEK and for the key id, signer and scheme it was sealed for.
 *
 * Random 96-bit nonces under one KEK stay far from the 2^32-messages bound of NIST SP 800-38D §8.3
 * for any realistic number of shares per node.
 *
 * Data keys are overwritten after use, best effort: JavaScript and OpenSSL may hold copies we cannot
 * reach (see README.md).
 */

export const SEALED_SHARE_VERSION = 1;
export type ShareScheme = 'ecdsa' | 'eddsa' | 'schnorr';
export const SHARE_SCHEMES: readonly ShareScheme[] = ['ecdsa', 'eddsa', 'schnorr'];
/** Largest plaintext share accepted (1 MiB). */
export const MAX_SHARE_LENGTH = 1024 * 1024;
export const AAD_DIGEST_LENGTH = 16;
const KEY_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** What a sealed share is bound to; all three are stored in the clear beside the record. */
export interface ShareContext {
  /** 1..128 characters of [A-Za-z0-9._:-]. */
  readonly keyId: string;
  /** 1..255. */
  readonly signerId: number;
  readonly scheme: ShareScheme;
}

export interface SealedShare {
  readonly version: number;
  /** Fingerprint of the KEK that wrapped the data key (32 hex characters). */
  readonly kekId: string;
  /**
   * First 16 bytes of SHA-256 of the share's associated data: a public fingerprint of (version, key
   * id, signer id, scheme) that lets {@link openShare} say "this record belongs to another key" rather
   * than "wrong KEK". Not a security control (the AEADs are): changing it only changes the error.
   */
  readonly aadDigest: Uint8Array;
  /** The data key under the KEK: 32 bytes ‖ 16-byte tag. */
  readonly wrappedDataKey: Uint8Array;
  readonly wrapNonce: Uint8Array;
  /** The share under the data key: ciphertext ‖ 16-byte tag. */
  readonly ciphertext: Uint8Array;
  readonly nonce: Uint8Array;
}

/** A source of randomness: `n` fresh bytes from a CSPRNG (same shape as mpc-core's `Rng`). */
export type Rng = (byteLength: number) => Uint8Array;

export const systemRng: Rng = (byteLength: number): Uint8Array => {
  const out = new Uint8Array(byteLength);
  globalThis.crypto.getRandomValues(out);
  return out;
};

function malformed(what: string): never {
  throw new VaultError('malformed', `malformed sealed share: ${what}`);
}

function draw(rng: Rng, n: number): Uint8Array {
  const out = rng(n);
  if (!(out instanceof Uint8Array) || out.length !== n) throw new VaultError('malformed', `invalid rng: must return ${n} bytes`);
  return out;
}

export function validateContext(aad: ShareContext, argument = 'aad'): void {
  if (typeof aad !== 'object' || aad === null) throw new VaultError('malformed', `invalid ${argument}: must be { keyId, signerId, scheme }`);
  if (typeof aad.keyId !== 'string' || !KEY_ID_PATTERN.test(aad.keyId)) {
    throw new VaultError('malformed', `invalid ${argument}.keyId: must be 1..128 characters of [A-Za-z0-9._:-]`);
  }
  if (typeof aad.signerId !== 'number' || !Number.isInteger(aad.signerId) || aad.signerId < 1 || aad.signerId > 255) {
    throw new VaultError('malformed', `invalid ${argument}.signerId: must be an integer in 1..255`);
  }
  if (!SHARE_SCHEMES.includes(aad.scheme)) {
    throw new VaultError('malformed', `invalid ${argument}.scheme: must be one of ${SHARE_SCHEMES.join(', ')}`);
  }
}

function shareAad(version: number, aad: ShareContext): Uint8Array {
  return new CanonicalWriter('custody/key-vault/v1/share-aad')
    .u32('version', version)
    .string('key-id', aad.keyId)
    .u32('signer-id', aad.signerId)
    .string('scheme', aad.scheme)
    .finish();
}

function wrapAad(version: number, kekId: string, aad: ShareContext): Uint8Array {
  return new CanonicalWriter('custody/key-vault/v1/wrap-aad')
    .u32('version', version)
    .string('kek-id', kekId)
    .string('key-id', aad.keyId)
    .u32('signer-id', aad.signerId)
    .string('scheme', aad.scheme)
    .finish();
}

function aadDigestOf(version: number, aad: ShareContext): Uint8Array {
  return sha256(shareAad(version, aad)).subarray(0, AAD_DIGEST_LENGTH);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function assertKek(kek: KeyEncryptionKey): void {
  if (!(kek instanceof KeyEncryptionKey)) throw new VaultError('invalid-kek', 'invalid kek: must be a KeyEncryptionKey');
}

/** Seals one key share for (keyId, signerId, scheme) under `kek`. */
export function sealShare(kek: KeyEncryptionKey, plaintext: Uint8Array, aad: ShareContext, rng: Rng = systemRng): SealedShare {
  assertKek(kek);
  if (!(plaintext instanceof Uint8Array)) throw new VaultError('malformed', 'invalid plaintext: must be a Uint8Array');
  if (plaintext.length === 0 || plaintext.length > MAX_SHARE_LENGTH) {
    throw new VaultError('malformed', `invalid plaintext: must be 1..${MAX_SHARE_LENGTH} bytes, got ${plaintext.length}`);
  }
  validateContext(aad);
  const version = SEALED_SHARE_VERSION;
  const dataKey = draw(rng, AEAD_KEY_LENGTH);
  try {
    const nonce = Uint8Array.from(draw(rng, AEAD_NONCE_LENGTH));
    const wrapNonce = Uint8Array.from(draw(rng, AEAD_NONCE_LENGTH));
    const ciphertext = aesGcmSeal(dataKey, nonce, plaintext, shareAad(version, aad));
    const wrappedDataKey = aesGcmSeal(kekBytes(kek), wrapNonce, dataKey, wrapAad(version, kek.kekId, aad));
    return { version, kekId: kek.kekId, aadDigest: aadDigestOf(version, aad), wrappedDataKey, wrapNonce, ciphertext, nonce };
  } finally {
    dataKey.fill(0);
  }
}

/** Checks the shape of a sealed share (types, lengths, version); throws VaultError('malformed'). */
export function validateSealedShare(sealed: SealedShare): void {
  if (typeof sealed !== 'object' || sealed === null) malformed('not an object');
  if (sealed.version !== SEALED_SHARE_VERSION) malformed(`unsupported version ${String(sealed.version)}`);
  if (typeof sealed.kekId !== 'string' || !/^[0-9a-f]{32}$/.test(sealed.kekId)) malformed('kekId must be 32 lower-case hex characters');
  const bytes = (name: keyof SealedShare, ok: (n: number) => boolean, expect: string) => {
    const v = sealed[name];
    if (!(v instanceof Uint8Array) || !ok(v.length)) malformed(`${name} must be ${expect}`);
  };
  bytes('aadDigest', (n) => n === AAD_DIGEST_LENGTH, `${AAD_DIGEST_LENGTH} bytes`);
  bytes('wrappedDataKey', (n) => n === AEAD_KEY_LENGTH + AEAD_TAG_LENGTH, `${AEAD_KEY_LENGTH + AEAD_TAG_LENGTH} bytes`);
  bytes('wrapNonce', (n) => n === AEAD_NONCE_LENGTH, `${AEAD_NONCE_LENGTH} bytes`);
  bytes('nonce', (n) => n === AEAD_NONCE_LENGTH, `${AEAD_NONCE_LENGTH} bytes`);
  bytes('ciphertext', (n) => n > AEAD_TAG_LENGTH && n <= MAX_SHARE_LENGTH + AEAD_TAG_LENGTH, `more than ${AEAD_TAG_LENGTH} bytes`);
}

function unwrapDataKey(kek: KeyEncryptionKey, sealed: SealedShare, aad: ShareContext): Uint8Array {
  if (sealed.kekId !== kek.kekId) {
    throw new VaultError(
      'wrong-kek',
      `wrong key-encryption key: the record was sealed by KEK ${sealed.kekId}, this node's KEK is ${kek.kekId}`,
    );
  }
  if (!sameBytes(sealed.aadDigest, aadDigestOf(sealed.version, aad))) {
    throw new VaultError(
      'wrong-context',
      `record does not belong to this key/signer/scheme (asked for key ${aad.keyId}, signer ${aad.signerId}, scheme ${aad.scheme})`,
    );
  }
  const dataKey = aesGcmOpen(kekBytes(kek), sealed.wrapNonce, sealed.wrappedDataKey, wrapAad(sealed.version, kek.kekId, aad));
  if (dataKey === undefined) {
    throw new VaultError('wrong-kek', 'wrong key-encryption key: the data key does not unwrap (wrong KEK, or the record was altered)');
  }
  return dataKey;
}

/**
 * Opens a sealed share, failing closed with {@link VaultError}:
 * - `wrong-kek` when the record names another KEK, or its data key does not unwrap;
 * - `wrong-context` when the record was sealed for another key id, signer or scheme;
 * - `tampered` when the share's ciphertext does not authenticate;
 * - `malformed` for a record of the wrong shape.
 * The caller owns the returned plaintext and should overwrite it when done.
 */
export function openShare(kek: KeyEncryptionKey, sealed: SealedShare, aad: ShareContext): Uint8Array {
  assertKek(kek);
  validateContext(aad);
  validateSealedShare(sealed);
  const dataKey = unwrapDataKey(kek, sealed, aad);
  try {
    const plaintext = aesGcmOpen(dataKey, sealed.nonce, sealed.ciphertext, shareAad(sealed.version, aad));
    if (plaintext === undefined) throw new VaultError('tampered', 'tampered record: the share ciphertext does not authenticate');
    return plaintext;
  } finally {
    dataKey.fill(0);
  }
}

/**
 * KEK rotation: re-wraps the record's data key under `newKek` (fresh wrap nonce) after checking that
 * the whole record opens under `oldKek`; the share's ciphertext and nonce are kept as they are, so the
 * share itself is never exposed to the caller. Fails closed like {@link openShare}.
 */
export function rewrapShare(
  oldKek: KeyEncryptionKey,
  newKek: KeyEncryptionKey,
  sealed: SealedShare,
  aad: ShareContext,
  rng: Rng = systemRng,
): SealedShare {
  assertKek(oldKek);
  assertKek(newKek);
  validateContext(aad);
  validateSealedShare(sealed);
  const dataKey = unwrapDataKey(oldKek, sealed, aad);
  try {
    const plaintext = aesGcmOpen(dataKey, sealed.nonce, sealed.ciphertext, shareAad(sealed.version, aad));
    if (plaintext === undefined) throw new VaultError('tampered', 'tampered record: the share ciphertext does not authenticate');
    plaintext.fill(0);
    const wrapNonce = Uint8Array.from(draw(rng, AEAD_NONCE_LENGTH));
    const wrappedDataKey = aesGcmSeal(kekBytes(newKek), wrapNonce, dataKey, wrapAad(sealed.version, newKek.kekId, aad));
    return {
      version: sealed.version,
      kekId: newKek.kekId,
      aadDigest: Uint8Array.from(sealed.aadDigest),
      wrappedDataKey,
      wrapNonce,
      ciphertext: Uint8Array.from(sealed.ciphertext),
      nonce: Uint8Array.from(sealed.nonce),
    };
  } finally {
    dataKey.fill(0);
  }
}

/**
 * The start-up check: given the KEK fingerprints recorded in this node's database (e.g.
 * `SELECT DISTINCT kek_id ...`), fails closed with `wrong-kek` when any record was sealed by another
 * KEK, so that a node started with the wrong key stops with a clear message before serving.
 * Records sealed by several KEKs mean an unfinished rotation: finish it with {@link rewrapShare}.
 */
export function assertRecordsSealedBy(kek: KeyEncryptionKey, recordedKekIds: Iterable<string>): void {
  assertKek(kek);
  const others = new Set<string>();
  for (const id of recordedKekIds) {
    if (typeof id !== 'string' || !/^[0-9a-f]{32}$/.test(id)) throw new VaultError('malformed', 'invalid recorded kekId: must be 32 lower-case hex characters');
    if (id !== kek.kekId) others.add(id);
  }
  if (others.size > 0) {
    throw new VaultError(
      'wrong-kek',
      `wrong key-encryption key: this node's KEK is ${kek.kekId}, but stored records were sealed by ${[...others].sort().join(', ')}`,
    );
  }
}
