import { keccak_256 } from '@noble/hashes/sha3.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { CanonicalWriter } from '@custody/crypto-kit/canonical';
import { SignGrantInputError } from './errors';
import { validatePayload, validateSignRequest, validateUnsignedGrant } from './validate';
import type { SignPayload, SignRequest, SignScheme, UnsignedSignGrant } from './types';

const REQUEST_DOMAIN = 'custody/sign-request/v1';
const GRANT_DOMAIN = 'custody/sign-grant/v1';

/**
 * What the signers actually sign for a payload under a scheme:
 * - ECDSA: the 32-byte digest: SHA-256 or Keccak-256 of the message, or the message itself when it
 *   is already a 32-byte digest (`hash: 'none'`);
 * - EdDSA: the message itself (Ed25519 hashes it with SHA-512, RFC 8032 §5.1.6);
 * - Schnorr: the 32-byte message itself (BIP340).
 * Returns a fresh copy.
 */
export function signingInput(payload: SignPayload, scheme: SignScheme): Uint8Array {
  validatePayload(payload, scheme);
  if (scheme === 'ecdsa') {
    if (payload.hash === 'sha256') return sha256(payload.message);
    if (payload.hash === 'keccak256') return keccak_256(payload.message);
  }
  return Uint8Array.from(payload.message);
}

/** The canonical, domain-separated, length-prefixed encoding of a request. */
export function encodeSignRequest(request: SignRequest): Uint8Array {
  validateSignRequest(request);
  const w = new CanonicalWriter(REQUEST_DOMAIN)
    .string('request-id', request.requestId)
    .string('key-id', request.keyId)
    .string('scheme', request.scheme)
    .u32('derivation-depth', request.derivationPath.length);
  for (const index of request.derivationPath) w.u32('derivation-index', index);
  return w.string('payload-kind', request.payload.kind).string('hash', request.payload.hash).bytes('message', request.payload.message).finish();
}

/** SHA-256 of {@link encodeSignRequest}: what approvers sign (Ed25519). */
export function requestDigest(request: SignRequest): Uint8Array {
  return sha256(encodeSignRequest(request));
}

/** The bytes the policy engine signs: every field of the grant but the signature. */
export function grantSigningBytes(grant: UnsignedSignGrant): Uint8Array {
  validateUnsignedGrant(grant, 'grant', true);
  const w = new CanonicalWriter(GRANT_DOMAIN)
    .u32('version', grant.version)
    .bytes('request', encodeSignRequest(grant.request))
    .string('policy-version', grant.policyVersion)
    .u32('required-approvals', grant.requiredApprovals)
    .u32('approval-count', grant.approvals.length);
  for (const a of grant.approvals) w.string('approver-id', a.approverId).bytes('approval-signature', a.signature);
  return w.u64('issued-at', grant.issuedAt).u64('expires-at', grant.expiresAt).finish();
}

/**
 * A stable 32-byte id of a signed grant (SHA-256 over a domain tag, the signed bytes and the engine
 * signature), for the signer's audit log. Strict Ed25519 verification makes the signature
 * non-malleable, so one accepted grant has exactly one id.
 */
export function grantId(grant: UnsignedSignGrant & { readonly engineSignature: Uint8Array }): Uint8Array {
  const signed = grantSigningBytes(grant);
  if (!(grant.engineSignature instanceof Uint8Array) || grant.engineSignature.length !== 64) {
    throw new SignGrantInputError('grant.engineSignature', 'must be 64 bytes');
  }
  return sha256(new CanonicalWriter('custody/sign-grant-id/v1').bytes('signed', signed).bytes('engine-signature', grant.engineSignature).finish());
}
