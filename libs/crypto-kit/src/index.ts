/**
 * @custody/crypto-kit: the small pieces the security adapters share. `canonical.ts` is pure (an
 * injective, domain-tagged, length-prefixed encoding for bytes that are signed, hashed or bound as
 * associated data); `aead.ts` wraps node:crypto's AES-256-GCM and is for adapters only.
 */
export * from './aead';
export * from './canonical';
