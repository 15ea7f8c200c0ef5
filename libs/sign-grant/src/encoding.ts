import { keccak_256 } from '@noble/hashes/sha3.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { addressToBytes, transactionSigningHash, type Address } from '@custody/chain-core';
import { CanonicalWriter } from '@custody/crypto-kit/canonical';
import { SignGrantInputError } from './errors';
import { payloadTransaction, validatePayload, validateSignRequest, validateUnsignedGrant } from './validate';
import type { EvmTransactionPayload, SignPayload, SignRequest, SignScheme, UnsignedSignGrant } from './types';

/** The request encoding of a `message` payload (unchanged since grant version 1, so approvals of it stay valid). */
const REQUEST_DOMAIN = 'custody/sign-request/v1';
/** The request encoding of an `evm-transaction` payload. */
const EVM_REQUEST_DOMAIN = 'custody/sign-request/evm-transaction/v1';
const GRANT_DOMAINS = { 1: 'custody/sign-grant/v1', 2: 'custody/sign-grant/v2' } as const;

/** A uint256 as its 32-byte big-endian word (fixed width: the encoding stays injective). */
function word(x: bigint): Uint8Array {
  return hexToBytes(x.toString(16).padStart(64, '0'));
}

/**
 * What the signers actually sign for a payload under a scheme:
 * - an `evm-transaction` (ECDSA only): the EIP-1559 signing hash, Keccak-256 of the unsigned
 *   envelope, re-encoded from the fields by libs/chain-core (viem);
 * - ECDSA: the 32-byte digest: SHA-256 or Keccak-256 of the message, or the message itself when it
 *   is already a 32-byte digest (`hash: 'none'`);
 * - EdDSA: the message itself (Ed25519 hashes it with SHA-512, RFC 8032 §5.1.6);
 * - Schnorr: the 32-byte message itself (BIP340).
 * Returns a fresh copy.
 */
export function signingInput(payload: SignPayload, scheme: SignScheme): Uint8Array {
  validatePayload(payload, scheme);
  if (payload.kind === 'evm-transaction') return transactionSigningHash(payloadTransaction(payload));
  if (scheme === 'ecdsa') {
    if (payload.hash === 'sha256') return sha256(payload.message);
    if (payload.hash === 'keccak256') return keccak_256(payload.message);
  }
  return Uint8Array.from(payload.message);
}

/**
 * The canonical, domain-separated, length-prefixed encoding of a request. Its domain depends on the
 * payload kind: `custody/sign-request/v1` for a message (as in grant version 1),
 * `custody/sign-request/evm-transaction/v1` for an EVM transaction.
 */
export function encodeSignRequest(request: SignRequest): Uint8Array {
  validateSignRequest(request);
  if (request.payload.kind === 'evm-transaction') return encodeEvmRequest(request, request.payload);
  const payload = request.payload;
  const w = new CanonicalWriter(REQUEST_DOMAIN)
    .string('request-id', request.requestId)
    .string('key-id', request.keyId)
    .string('scheme', request.scheme)
    .u32('derivation-depth', request.derivationPath.length);
  for (const index of request.derivationPath) w.u32('derivation-index', index);
  return w.string('payload-kind', payload.kind).string('hash', payload.hash).bytes('message', payload.message).finish();
}

function encodeEvmRequest(request: SignRequest, p: EvmTransactionPayload): Uint8Array {
  const w = new CanonicalWriter(EVM_REQUEST_DOMAIN)
    .string('request-id', request.requestId)
    .string('key-id', request.keyId)
    .string('scheme', request.scheme)
    .u32('derivation-depth', request.derivationPath.length);
  for (const index of request.derivationPath) w.u32('derivation-index', index);
  w.string('payload-kind', p.kind)
    .u64('chain-id', p.chainId)
    .u64('nonce', p.nonce)
    .bytes('max-fee-per-gas', word(p.maxFeePerGas))
    .bytes('max-priority-fee-per-gas', word(p.maxPriorityFeePerGas))
    .bytes('gas', word(p.gas))
    .bytes('to', addressToBytes(p.to as Address))
    .bytes('value', word(p.value))
    .bytes('data', p.data);
  if (p.erc20 === null) w.u32('erc20', 0);
  else w.u32('erc20', 1).bytes('erc20-recipient', addressToBytes(p.erc20.recipient as Address)).bytes('erc20-amount', word(p.erc20.amount));
  return w.finish();
}

/** SHA-256 of {@link encodeSignRequest}: what approvers sign (Ed25519). */
export function requestDigest(request: SignRequest): Uint8Array {
  return sha256(encodeSignRequest(request));
}

/**
 * The bytes the policy engine signs: every field of the grant but the signature, under the domain of
 * its version (`custody/sign-grant/v1`, `custody/sign-grant/v2`); version 2 adds `policy-hash` after
 * `policy-version`.
 */
export function grantSigningBytes(grant: UnsignedSignGrant): Uint8Array {
  validateUnsignedGrant(grant, 'grant', true);
  const w = new CanonicalWriter(GRANT_DOMAINS[grant.version])
    .u32('version', grant.version)
    .bytes('request', encodeSignRequest(grant.request))
    .string('policy-version', grant.policyVersion);
  if (grant.version === 2) w.bytes('policy-hash', grant.policyHash);
  w.u32('required-approvals', grant.requiredApprovals)
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
