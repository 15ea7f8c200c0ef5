import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { SignGrantInputError } from './errors';
import type { SignGrant, SignPayload, SignRequest } from './types';
import { validateSignedGrant, validateSignRequest } from './validate';

/**
 * The JSON wire form of a sign grant (and of a request, for approver apps): fixed key order, byte
 * fields in lower-case hex, integers as JSON numbers (all timestamps are safe integers). Decoding is
 * strict (exact key sets, types, lengths, ranges): text that does not decode throws
 * {@link SignGrantInputError} naming the field (the caller maps it to "invalid argument" at an API, or
 * to a refusal at a signer). A decoded grant is only well-formed: it still has to pass `checkGrant`.
 * The signatures cover the binary encoding (encoding.ts), not this JSON, so a re-encoded grant
 * verifies the same.
 */

export interface SignRequestJson {
  requestId: string;
  keyId: string;
  scheme: string;
  derivationPath: number[];
  payload: MessagePayloadJson | EvmTransactionPayloadJson;
}

export interface MessagePayloadJson {
  kind: string;
  hash: string;
  message: string;
}

export interface EvmTransactionPayloadJson {
  kind: string;
  chainId: number;
  nonce: number;
  maxFeePerGas: string;
  maxPriorityFeePerGas: string;
  gas: string;
  to: string;
  value: string;
  data: string;
  erc20: { recipient: string; amount: string } | null;
}

export interface SignGrantJson {
  version: number;
  request: SignRequestJson;
  policyVersion: string;
  /** Version 2 and later. */
  policyHash?: string;
  approvals: Array<{ approverId: string; signature: string }>;
  requiredApprovals: number;
  issuedAt: number;
  expiresAt: number;
  engineSignature: string;
}

const hex = (b: Uint8Array): string => bytesToHex(b);

export function signRequestToJson(request: SignRequest): SignRequestJson {
  validateSignRequest(request);
  return {
    requestId: request.requestId,
    keyId: request.keyId,
    scheme: request.scheme,
    derivationPath: [...request.derivationPath],
    payload: payloadToJson(request.payload),
  };
}

function payloadToJson(p: SignPayload): MessagePayloadJson | EvmTransactionPayloadJson {
  if (p.kind === 'message') return { kind: p.kind, hash: p.hash, message: hex(p.message) };
  return {
    kind: p.kind,
    chainId: p.chainId,
    nonce: p.nonce,
    maxFeePerGas: p.maxFeePerGas.toString(),
    maxPriorityFeePerGas: p.maxPriorityFeePerGas.toString(),
    gas: p.gas.toString(),
    to: p.to,
    value: p.value.toString(),
    data: hex(p.data),
    erc20: p.erc20 === null ? null : { recipient: p.erc20.recipient, amount: p.erc20.amount.toString() },
  };
}

export function signGrantToJson(grant: SignGrant): SignGrantJson {
  validateSignedGrant(grant);
  return {
    version: grant.version,
    request: signRequestToJson(grant.request),
    policyVersion: grant.policyVersion,
    ...(grant.version === 2 ? { policyHash: hex(grant.policyHash) } : {}),
    approvals: grant.approvals.map((a) => ({ approverId: a.approverId, signature: hex(a.signature) })),
    requiredApprovals: grant.requiredApprovals,
    issuedAt: grant.issuedAt,
    expiresAt: grant.expiresAt,
    engineSignature: hex(grant.engineSignature),
  };
}

export function encodeSignGrant(grant: SignGrant): string {
  return JSON.stringify(signGrantToJson(grant));
}

class DecodeError extends Error {}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function fromHex(value: unknown, argument: string): Uint8Array {
  if (typeof value !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(value)) throw new DecodeError(`${argument}: must be lower-case hex`);
  return hexToBytes(value);
}

const DECIMAL = /^(?:0|[1-9][0-9]{0,77})$/;

function fromDecimal(value: unknown, argument: string): bigint {
  if (typeof value !== 'string' || !DECIMAL.test(value)) throw new DecodeError(`${argument}: must be a decimal string (0, or up to 78 digits without a leading zero)`);
  return BigInt(value);
}

function payloadFromJson(payload: Record<string, unknown>, argument: string): Record<string, unknown> {
  if (payload.kind !== 'evm-transaction') return { ...payload, message: fromHex(payload.message, `${argument}.message`) };
  const erc20 = payload.erc20;
  if (erc20 !== null && erc20 !== undefined && !isRecord(erc20)) throw new DecodeError(`${argument}.erc20: must be an object or null`);
  return {
    ...payload,
    maxFeePerGas: fromDecimal(payload.maxFeePerGas, `${argument}.maxFeePerGas`),
    maxPriorityFeePerGas: fromDecimal(payload.maxPriorityFeePerGas, `${argument}.maxPriorityFeePerGas`),
    gas: fromDecimal(payload.gas, `${argument}.gas`),
    value: fromDecimal(payload.value, `${argument}.value`),
    data: fromHex(payload.data, `${argument}.data`),
    ...(isRecord(erc20) ? { erc20: { ...erc20, amount: fromDecimal(erc20.amount, `${argument}.erc20.amount`) } } : {}),
  };
}

function requestFromJson(value: unknown, argument: string): SignRequest {
  if (!isRecord(value)) throw new DecodeError(`${argument}: must be an object`);
  const payload = value.payload;
  if (!isRecord(payload)) throw new DecodeError(`${argument}.payload: must be an object`);
  // Field sets, types and ranges are checked by the validators on the decoded value; here only the
  // hex and decimal strings are turned into bytes and bigints, keeping unknown keys so that the
  // validators see and refuse them.
  return { ...value, payload: payloadFromJson(payload, `${argument}.payload`) } as unknown as SignRequest;
}

/** Decodes a request (for approver apps); throws {@link SignGrantInputError} naming the field. */
export function signRequestFromJson(value: unknown): SignRequest {
  try {
    const request = requestFromJson(value, 'request');
    validateSignRequest(request);
    return request;
  } catch (e) {
    if (e instanceof DecodeError) throw new SignGrantInputError('request', e.message);
    throw e;
  }
}

/** Decodes and validates a grant object; throws {@link SignGrantInputError} naming the field. */
export function signGrantFromJson(value: unknown): SignGrant {
  try {
    if (!isRecord(value)) throw new DecodeError('grant: must be an object');
    if (!Array.isArray(value.approvals)) throw new DecodeError('grant.approvals: must be an array');
    const grant = {
      ...value,
      request: requestFromJson(value.request, 'grant.request'),
      approvals: value.approvals.map((a: unknown, i) => {
        if (!isRecord(a)) throw new DecodeError(`grant.approvals[${i}]: must be an object`);
        return { ...a, signature: fromHex(a.signature, `grant.approvals[${i}].signature`) };
      }),
      ...(value.policyHash !== undefined ? { policyHash: fromHex(value.policyHash, 'grant.policyHash') } : {}),
      engineSignature: fromHex(value.engineSignature, 'grant.engineSignature'),
    } as unknown as SignGrant;
    validateSignedGrant(grant);
    return grant;
  } catch (e) {
    if (e instanceof DecodeError) throw new SignGrantInputError('grant', e.message);
    throw e;
  }
}

/** Parses the JSON text of a grant; throws {@link SignGrantInputError} naming the field. */
export function decodeSignGrant(json: string): SignGrant {
  if (typeof json !== 'string') throw new SignGrantInputError('grant', 'must be a JSON string');
  if (json.length > 1024 * 1024) throw new SignGrantInputError('grant', 'JSON longer than 1 MiB');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new SignGrantInputError('grant', 'not valid JSON');
  }
  return signGrantFromJson(parsed);
}
