/**
 * The one error of the key vault. Messages say what was wrong (a length, a field, a fingerprint),
 * never a key, a data key or a plaintext.
 */
export type VaultErrorReason =
  /** The key-encryption key itself is unusable (length, encoding, all zero). */
  | 'invalid-kek'
  /** The record was sealed by another key-encryption key, or the data key does not unwrap. */
  | 'wrong-kek'
  /** The record belongs to another key id, signer or scheme. */
  | 'wrong-context'
  /** The record's ciphertext was altered. */
  | 'tampered'
  /** The record or an argument has the wrong shape (types, lengths, version). */
  | 'malformed';

export class VaultError extends Error {
  override readonly name = 'VaultError';
  constructor(
    readonly reason: VaultErrorReason,
    message: string,
  ) {
    super(message);
  }
}
