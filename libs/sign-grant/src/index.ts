/**
 * @custody/sign-grant: the policy engine's sign grant, its canonical encodings and the signer's check.
 * Pure TypeScript over @noble/curves (Ed25519) and @noble/hashes (SHA-256, Keccak-256); no clock
 * (`now` is injected), no I/O. Replay protection (a request id signed before) is the signer's database's
 * job and deliberately not offered here.
 */
export { GrantRefused, SignGrantInputError, type GrantRefusalReason } from './errors';
export {
  GRANT_VERSION,
  GRANT_VERSIONS,
  PAYLOAD_KINDS,
  SIGN_SCHEMES,
  MESSAGE_HASHES,
  type SignScheme,
  type MessageHash,
  type MessagePayload,
  type EvmTransactionPayload,
  type Erc20TransferCall,
  type GrantVersion,
  type PayloadKind,
  type SignGrantV1,
  type SignGrantV2,
  type SignPayload,
  type SignRequest,
  type Approval,
  type SignGrant,
  type UnsignedSignGrant,
} from './types';
export { LIMITS, IDENTIFIER_PATTERN, IDENTIFIER_MAX_LENGTH, validateSignRequest, validatePayload, payloadTransaction } from './validate';
export { signingInput, encodeSignRequest, requestDigest, grantSigningBytes, grantId } from './encoding';
export {
  signGrant,
  approveRequest,
  checkGrant,
  DEFAULT_MAX_LIFETIME_MS,
  DEFAULT_MAX_CLOCK_SKEW_MS,
  DEFAULT_MIN_APPROVALS,
  type CheckGrantOptions,
} from './grant';
export {
  encodeSignGrant,
  decodeSignGrant,
  signGrantToJson,
  signGrantFromJson,
  signRequestToJson,
  signRequestFromJson,
  type SignGrantJson,
  type MessagePayloadJson,
  type EvmTransactionPayloadJson,
  type SignRequestJson,
} from './codec';
