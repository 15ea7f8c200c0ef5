/**
 * @custody/key-vault: envelope encryption of key shares at rest. An adapter: AES-256-GCM comes from
 * node:crypto (OpenSSL); HMAC and SHA-256 from @noble/hashes. See README.md for what JavaScript
 * cannot guarantee about erasing keys from memory.
 */
export { VaultError, type VaultErrorReason } from './errors';
export { KeyEncryptionKey, KEK_LENGTH } from './key-encryption-key';
export {
  sealShare,
  openShare,
  rewrapShare,
  assertRecordsSealedBy,
  validateSealedShare,
  validateContext,
  systemRng,
  SEALED_SHARE_VERSION,
  SHARE_SCHEMES,
  MAX_SHARE_LENGTH,
  AAD_DIGEST_LENGTH,
  type SealedShare,
  type ShareContext,
  type ShareScheme,
  type Rng,
} from './vault';
export {
  sealedShareToColumns,
  sealedShareFromColumns,
  sealedShareToJson,
  sealedShareFromJson,
  type SealedShareColumns,
} from './codec';
