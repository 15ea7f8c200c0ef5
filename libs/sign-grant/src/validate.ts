import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  assertChecksummedAddress,
  assertEip1559Transaction,
  ChainInputError,
  decodeErc20TransferData,
  UINT256_LIMIT,
  type Address,
  type Eip1559Transaction,
} from '@custody/chain-core';
import { SignGrantInputError } from './errors';
import {
  GRANT_VERSIONS,
  MESSAGE_HASHES,
  PAYLOAD_KINDS,
  SIGN_SCHEMES,
  type Approval,
  type EvmTransactionPayload,
  type MessagePayload,
  type SignPayload,
  type SignRequest,
  type UnsignedSignGrant,
} from './types';

/** Limits enforced on every grant (decoded, signed or checked). */
export const LIMITS = {
  maxMessageBytes: 64 * 1024,
  maxDerivationDepth: 255,
  maxApprovals: 64,
  maxRequiredApprovals: 64,
} as const;

/**
 * The identifier grammar (request ids, key ids): 1..128 characters of [A-Za-z0-9._:-]. The signer's
 * API checks every identifier it is given against this one pattern.
 */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const IDENTIFIER_MAX_LENGTH = 128;
const ID_PATTERN = IDENTIFIER_PATTERN;
const APPROVER_ID_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;
const POLICY_VERSION_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
const HARDENED = 0x80000000;

function fail(argument: string, reason: string): never {
  throw new SignGrantInputError(argument, reason);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function exactKeys(value: Record<string, unknown>, keys: readonly string[], argument: string, optional: readonly string[] = []): void {
  for (const k of Object.keys(value)) if (!keys.includes(k) && !optional.includes(k)) fail(`${argument}.${k.slice(0, 40)}`, 'unknown field');
  for (const k of keys) if (value[k] === undefined) fail(`${argument}.${k}`, 'missing');
}

export function validatePayload(payload: unknown, scheme: unknown, argument = 'payload'): asserts payload is SignPayload {
  if (!isRecord(payload)) fail(argument, 'must be an object');
  if (payload.kind === 'message') validateMessagePayload(payload, scheme, argument);
  else if (payload.kind === 'evm-transaction') validateEvmTransactionPayload(payload, scheme, argument);
  else fail(`${argument}.kind`, `must be one of ${PAYLOAD_KINDS.join(', ')}`);
}

function validateMessagePayload(payload: Record<string, unknown>, scheme: unknown, argument: string): asserts payload is Record<string, unknown> & MessagePayload {
  exactKeys(payload, ['kind', 'message', 'hash'], argument);
  if (!(payload.message instanceof Uint8Array)) fail(`${argument}.message`, 'must be a Uint8Array');
  if (payload.message.length > LIMITS.maxMessageBytes) fail(`${argument}.message`, `must be at most ${LIMITS.maxMessageBytes} bytes`);
  if (!MESSAGE_HASHES.includes(payload.hash as never)) fail(`${argument}.hash`, `must be one of ${MESSAGE_HASHES.join(', ')}`);
  switch (scheme) {
    case 'ecdsa':
      if (payload.hash === 'none' && payload.message.length !== 32) fail(`${argument}.message`, "must be 32 bytes for ECDSA with hash 'none'");
      break;
    case 'eddsa':
      if (payload.hash !== 'none') fail(`${argument}.hash`, "must be 'none' for EdDSA (Ed25519 hashes the message itself)");
      break;
    case 'schnorr':
      if (payload.hash !== 'none') fail(`${argument}.hash`, "must be 'none' for Schnorr (BIP340)");
      if (payload.message.length !== 32) fail(`${argument}.message`, 'must be 32 bytes for Schnorr (BIP340)');
      break;
    default:
      fail('scheme', `must be one of ${SIGN_SCHEMES.join(', ')}`);
  }
}

const EVM_KEYS = ['kind', 'chainId', 'nonce', 'maxFeePerGas', 'maxPriorityFeePerGas', 'gas', 'to', 'value', 'data', 'erc20'];

/** Runs a libs/chain-core check, turning its error into this library's (same argument, same reason). */
function chainCheck(check: () => void): void {
  try {
    check();
  } catch (e) {
    if (e instanceof ChainInputError) throw new SignGrantInputError(e.argument, e.message.slice(`invalid ${e.argument}: `.length));
    throw e;
  }
}

/** The EIP-1559 transaction an `evm-transaction` payload describes (for libs/chain-core). */
export function payloadTransaction(payload: EvmTransactionPayload): Eip1559Transaction {
  return {
    chainId: payload.chainId,
    nonce: payload.nonce,
    maxFeePerGas: payload.maxFeePerGas,
    maxPriorityFeePerGas: payload.maxPriorityFeePerGas,
    gas: payload.gas,
    to: payload.to as Address,
    value: payload.value,
    data: payload.data,
  };
}

function validateEvmTransactionPayload(payload: Record<string, unknown>, scheme: unknown, argument: string): void {
  exactKeys(payload, EVM_KEYS, argument);
  if (scheme !== 'ecdsa') fail('scheme', "must be 'ecdsa' for an evm-transaction payload");
  const p = payload as unknown as EvmTransactionPayload;
  chainCheck(() => assertEip1559Transaction(payloadTransaction(p), argument));
  const erc20: unknown = payload.erc20;
  if (erc20 === null) {
    if (p.data.length !== 0) fail(`${argument}.data`, 'must be empty for a native transfer (erc20 null): other contract calls are not granted');
    return;
  }
  if (!isRecord(erc20)) fail(`${argument}.erc20`, 'must be null or { recipient, amount }');
  exactKeys(erc20, ['recipient', 'amount'], `${argument}.erc20`);
  chainCheck(() => assertChecksummedAddress(erc20.recipient, `${argument}.erc20.recipient`));
  if (typeof erc20.amount !== 'bigint' || erc20.amount < 0n || erc20.amount >= UINT256_LIMIT) fail(`${argument}.erc20.amount`, 'must be a bigint in 0..2^256-1');
  if (p.value !== 0n) fail(`${argument}.value`, 'must be 0 for an ERC-20 transfer');
  let call: { recipient: string; amount: bigint } = { recipient: '', amount: -1n };
  chainCheck(() => {
    call = decodeErc20TransferData(p.data, `${argument}.data`);
  });
  if (call.recipient !== erc20.recipient) fail(`${argument}.erc20.recipient`, 'is not the recipient of the transfer call in data');
  if (call.amount !== erc20.amount) fail(`${argument}.erc20.amount`, 'is not the amount of the transfer call in data');
}

export function validateSignRequest(request: unknown, argument = 'request'): asserts request is SignRequest {
  if (!isRecord(request)) fail(argument, 'must be an object');
  exactKeys(request, ['requestId', 'keyId', 'scheme', 'derivationPath', 'payload'], argument);
  if (typeof request.requestId !== 'string' || !ID_PATTERN.test(request.requestId)) {
    fail(`${argument}.requestId`, 'must be 1..128 characters of [A-Za-z0-9._:-]');
  }
  if (typeof request.keyId !== 'string' || !ID_PATTERN.test(request.keyId)) fail(`${argument}.keyId`, 'must be 1..128 characters of [A-Za-z0-9._:-]');
  if (!SIGN_SCHEMES.includes(request.scheme as never)) fail(`${argument}.scheme`, `must be one of ${SIGN_SCHEMES.join(', ')}`);
  const path: unknown = request.derivationPath;
  if (!Array.isArray(path)) fail(`${argument}.derivationPath`, 'must be an array');
  if (path.length > LIMITS.maxDerivationDepth) fail(`${argument}.derivationPath`, `must have at most ${LIMITS.maxDerivationDepth} indices`);
  for (let i = 0; i < path.length; i++) {
    const index: unknown = path[i];
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= HARDENED) {
      fail(`${argument}.derivationPath[${i}]`, 'must be a non-hardened index in 0..2^31-1');
    }
  }
  validatePayload(request.payload, request.scheme, `${argument}.payload`);
}

function validateApprovals(approvals: unknown, argument: string): asserts approvals is Approval[] {
  if (!Array.isArray(approvals)) fail(argument, 'must be an array');
  if (approvals.length > LIMITS.maxApprovals) fail(argument, `must have at most ${LIMITS.maxApprovals} entries`);
  for (let i = 0; i < approvals.length; i++) {
    const a: unknown = approvals[i];
    const at = `${argument}[${i}]`;
    if (!isRecord(a)) fail(at, 'must be an object');
    exactKeys(a, ['approverId', 'signature'], at);
    if (typeof a.approverId !== 'string' || !APPROVER_ID_PATTERN.test(a.approverId)) {
      fail(`${at}.approverId`, 'must be 1..128 characters of [A-Za-z0-9._:@-]');
    }
    if (!(a.signature instanceof Uint8Array) || a.signature.length !== 64) fail(`${at}.signature`, 'must be 64 bytes');
  }
}

function isTimestamp(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Validates everything but the engine signature. */
export function validateUnsignedGrant(grant: unknown, argument = 'grant', allowSignature = false): asserts grant is UnsignedSignGrant {
  if (!isRecord(grant)) fail(argument, 'must be an object');
  if (!GRANT_VERSIONS.includes(grant.version as never)) fail(`${argument}.version`, `must be one of ${GRANT_VERSIONS.join(', ')}`);
  const keys = ['version', 'request', 'policyVersion', 'approvals', 'requiredApprovals', 'issuedAt', 'expiresAt'];
  if (grant.version === 2) keys.push('policyHash');
  exactKeys(grant, keys, argument, allowSignature ? ['engineSignature'] : []);
  validateSignRequest(grant.request, `${argument}.request`);
  if (grant.version === 1 && grant.request.payload.kind !== 'message') fail(`${argument}.version`, `must be 2 for a ${grant.request.payload.kind} payload`);
  if (typeof grant.policyVersion !== 'string' || !POLICY_VERSION_PATTERN.test(grant.policyVersion)) {
    fail(`${argument}.policyVersion`, 'must be 1..64 characters of [A-Za-z0-9._:-]');
  }
  if (grant.version === 2 && (!(grant.policyHash instanceof Uint8Array) || grant.policyHash.length !== 32)) fail(`${argument}.policyHash`, 'must be 32 bytes');
  validateApprovals(grant.approvals, `${argument}.approvals`);
  const required = grant.requiredApprovals;
  if (typeof required !== 'number' || !Number.isInteger(required) || required < 0 || required > LIMITS.maxRequiredApprovals) {
    fail(`${argument}.requiredApprovals`, `must be an integer in 0..${LIMITS.maxRequiredApprovals}`);
  }
  if (!isTimestamp(grant.issuedAt)) fail(`${argument}.issuedAt`, 'must be a non-negative integer (ms)');
  if (!isTimestamp(grant.expiresAt)) fail(`${argument}.expiresAt`, 'must be a non-negative integer (ms)');
  if (grant.expiresAt <= grant.issuedAt) fail(`${argument}.expiresAt`, 'must be after issuedAt');
}

export function validateSignedGrant(grant: unknown, argument = 'grant'): void {
  validateUnsignedGrant(grant, argument, true);
  const sig = (grant as Record<string, unknown>).engineSignature;
  if (sig === undefined) fail(`${argument}.engineSignature`, 'missing');
  if (!(sig instanceof Uint8Array) || sig.length !== 64) fail(`${argument}.engineSignature`, 'must be 64 bytes');
}

// Public keys already found valid (hex), so that pinned keys passed on every check are validated
// once; bounded, public data only.
const validPublicKeys = new Set<string>();

/** A 32-byte Ed25519 public key that decodes canonically to a point of prime order. */
export function validateEd25519PublicKey(key: unknown, argument: string): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 32) fail(argument, 'must be a 32-byte Ed25519 public key');
  const hex = bytesToHex(key);
  if (validPublicKeys.has(hex)) return;
  let ok: boolean;
  try {
    const point = ed25519.Point.fromBytes(key, false);
    ok = !point.isSmallOrder() && point.isTorsionFree();
  } catch {
    ok = false;
  }
  if (!ok) fail(argument, 'is not a valid Ed25519 public key (canonical, prime order)');
  if (validPublicKeys.size >= 4096) validPublicKeys.clear();
  validPublicKeys.add(hex);
}

export function validateEd25519SecretKey(key: unknown, argument: string): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 32) fail(argument, 'must be a 32-byte Ed25519 secret key (seed)');
}
