/**
 * @custody/peer-auth: signer identities, the pinned peer directory, the signed and encrypted peer
 * envelope, and the broadcast echo check. An adapter: AES-256-GCM comes from node:crypto; curves and
 * hashes from @noble (see README.md for what JavaScript cannot guarantee).
 */
export { PeerAuthInputError, EnvelopeRejected, type EnvelopeRejectionReason } from './errors';
export {
  PeerIdentity,
  identityFromSeed,
  identityFromText,
  generateIdentity,
  parseSeed,
  parseIdentityPublicKey,
  validateIdentityPublicKey,
  x25519PublicKeyOf,
  constantTimeEqual,
  systemRng,
  SEED_LENGTH,
  PUBLIC_KEY_LENGTH,
  SIGNATURE_LENGTH,
  type Rng,
} from './identity';
export {
  PeerDirectory,
  assertSignerId,
  MIN_SIGNER_ID,
  MAX_SIGNER_ID,
  type PeerEntry,
  type PeerEntryInput,
  type SignerId,
} from './directory';
export {
  sealEnvelope,
  openEnvelope,
  envelopeSigningBytes,
  envelopeId,
  equivocationBy,
  sessionIdHex,
  ENVELOPE_VERSION,
  BROADCAST_RECIPIENT,
  MIN_SESSION_ID_LENGTH,
  MAX_SESSION_ID_LENGTH,
  MAX_ROUND_LENGTH,
  MAX_PAYLOAD_LENGTH,
  type PeerEnvelope,
  type LocalPeer,
  type Recipient,
  type SealParams,
  type OpenOptions,
  type OpenedEnvelope,
} from './envelope';
export { BroadcastEcho, broadcastEchoHash, echoMismatches, ECHO_HASH_LENGTH, type ReceivedBroadcast } from './broadcast-echo';
export { ed25519VerifyNative } from './native-curves';
