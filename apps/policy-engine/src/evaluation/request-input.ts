import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { canonicalJson, OPERATIONS, policyRequestDigest, type Operation, type PolicyRequest } from '@custody/policy-core';
import { requestDigest, signRequestFromJson, signRequestToJson, SignGrantInputError, type SignRequest } from '@custody/sign-grant';
import { InvalidArgument } from '../errors';

/** A request as the API gave it, checked; `createdAt` is set by the engine at first evaluation. */
export interface RequestInput {
  readonly request: Omit<PolicyRequest, 'createdAt'>;
  /** The sign request the grant would authorize (withdrawal, message-signing), or null. */
  readonly signRequest: SignRequest | null;
}

/** The proto message custody.policy.v1.PolicyRequestInput as grpc-js hands it over (defaults on). */
export interface PolicyRequestInputMessage {
  requestId?: string;
  operation?: string;
  initiatorId?: string;
  initiatorGroups?: string[];
  sourceWalletId?: string;
  sourceTags?: string[];
  destinationAddress?: string;
  destinationChainId?: number;
  assetId?: string;
  assetDecimals?: number;
  amount?: string;
  chainId?: number;
  attributes?: Record<string, string>;
  signRequestJson?: string;
}

/** Request ids: the sign-grant grammar (the grant carries the same id), 1..128 of [A-Za-z0-9._:-]. */
export const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const AMOUNT = /^(0|[1-9][0-9]{0,77})$/;
const EVM_ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const OTHER_ADDRESS = /^[A-Za-z0-9:._-]{1,128}$/;
const MAX_LIST = 256;
const MAX_SIGN_REQUEST_JSON = 256 * 1024;

function shown(v: string): string {
  return JSON.stringify(v.length > 32 ? `${v.slice(0, 32)}…` : v);
}

export function checkRequestId(v: unknown, field: string): string {
  if (typeof v !== 'string' || !REQUEST_ID.test(v)) throw new InvalidArgument(field, `must be 1..128 characters of [A-Za-z0-9._:-]${typeof v === 'string' && v !== '' ? `, got ${shown(v)}` : ''}`);
  return v;
}

export function checkId(v: unknown, field: string): string {
  if (typeof v !== 'string' || !ID.test(v)) throw new InvalidArgument(field, `must be an id (1..128 of [A-Za-z0-9._:@-], starting with a letter or digit)${typeof v === 'string' && v !== '' ? `, got ${shown(v)}` : ''}`);
  return v;
}

export function checkIds(v: unknown, field: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new InvalidArgument(field, 'must be a list of ids');
  if (v.length > MAX_LIST) throw new InvalidArgument(field, `must have at most ${MAX_LIST} items`);
  const seen = new Set<string>();
  return v.map((x, i) => {
    const id = checkId(x, `${field}[${i}]`);
    if (seen.has(id)) throw new InvalidArgument(`${field}[${i}]`, `repeats ${shown(id)}`);
    seen.add(id);
    return id;
  });
}

export function checkChainId(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > 0xffffffff) throw new InvalidArgument(field, 'must be a chain id 1..4294967295');
  return v;
}

/**
 * Addresses as the engine stores and compares them: EVM (`0x` and 40 hex digits) lower-cased, any
 * other chain's 1..128 of [A-Za-z0-9:._-] as given (case matters, e.g. base58).
 */
export function normalizeAddress(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') throw new InvalidArgument(field, 'is required');
  if (EVM_ADDRESS.test(v)) return v.toLowerCase();
  if (v.startsWith('0x') || v.startsWith('0X')) throw new InvalidArgument(field, 'an EVM address must be 0x and 40 hex digits');
  if (!OTHER_ADDRESS.test(v)) throw new InvalidArgument(field, `must be 1..128 characters of [A-Za-z0-9:._-], got ${shown(v)}`);
  return v;
}

export function parseAmountField(v: unknown, field: string): bigint {
  if (typeof v !== 'string' || !AMOUNT.test(v)) throw new InvalidArgument(field, 'must be a non-negative decimal integer string (smallest unit, no sign, no leading zeros, at most 78 digits)');
  return BigInt(v);
}

/** Checks every field of a PolicyRequestInput and builds the core's request (without createdAt). */
export function decodeRequestInput(m: PolicyRequestInputMessage | undefined, field = 'request'): RequestInput {
  if (m === undefined || m === null) throw new InvalidArgument(field, 'is required');
  const id = checkRequestId(m.requestId, `${field}.request_id`);
  if (!OPERATIONS.includes(m.operation as Operation)) throw new InvalidArgument(`${field}.operation`, `must be one of ${OPERATIONS.join(', ')}`);
  const operation = m.operation as Operation;
  const initiator = { id: checkId(m.initiatorId, `${field}.initiator_id`), groups: checkIds(m.initiatorGroups, `${field}.initiator_groups`) };
  const request: { -readonly [K in keyof Omit<PolicyRequest, 'createdAt'>]: Omit<PolicyRequest, 'createdAt'>[K] } = { id, operation, initiator };
  if (m.sourceWalletId) request.source = { walletId: checkId(m.sourceWalletId, `${field}.source_wallet_id`), tags: checkIds(m.sourceTags, `${field}.source_tags`) };
  else if ((m.sourceTags ?? []).length > 0) throw new InvalidArgument(`${field}.source_tags`, 'needs source_wallet_id');
  if (m.destinationAddress) {
    request.destination = { address: normalizeAddress(m.destinationAddress, `${field}.destination_address`), chainId: checkChainId(m.destinationChainId, `${field}.destination_chain_id`) };
  } else if (m.destinationChainId) throw new InvalidArgument(`${field}.destination_address`, 'is required with destination_chain_id');
  if (m.assetId) {
    const decimals = m.assetDecimals ?? 0;
    if (!Number.isInteger(decimals) || decimals < 0 || decimals > 77) throw new InvalidArgument(`${field}.asset_decimals`, 'must be 0..77');
    request.asset = { id: checkId(m.assetId, `${field}.asset_id`), decimals };
  }
  if (m.amount) {
    if (!request.asset) throw new InvalidArgument(`${field}.asset_id`, 'is required with an amount');
    request.amount = parseAmountField(m.amount, `${field}.amount`);
  }
  if (m.chainId) request.chainId = checkChainId(m.chainId, `${field}.chain_id`);
  const attributes = m.attributes ?? {};
  const keys = Object.keys(attributes);
  if (keys.length > 64) throw new InvalidArgument(`${field}.attributes`, 'must have at most 64 entries');
  for (const k of keys) {
    checkId(k, `${field}.attributes key`);
    if (k === SIGN_REQUEST_ATTRIBUTE) throw new InvalidArgument(`${field}.attributes.${k}`, 'is reserved (the engine sets it from sign_request_json)');
    const v = attributes[k];
    if (typeof v !== 'string' || v.length > 1024) throw new InvalidArgument(`${field}.attributes.${k}`, 'must be a string of at most 1024 characters');
  }
  if (keys.length > 0) request.attributes = { ...attributes };
  if (operation === 'withdrawal') {
    if (!request.source) throw new InvalidArgument(`${field}.source_wallet_id`, 'is required for a withdrawal');
    if (!request.destination) throw new InvalidArgument(`${field}.destination_address`, 'is required for a withdrawal');
    if (request.amount === undefined) throw new InvalidArgument(`${field}.amount`, 'is required for a withdrawal');
  }
  let signRequest: SignRequest | null = null;
  if (m.signRequestJson) {
    if (operation !== 'withdrawal' && operation !== 'message-signing') throw new InvalidArgument(`${field}.sign_request_json`, 'only withdrawal and message-signing requests carry a sign request');
    signRequest = decodeSignRequest(m.signRequestJson, `${field}.sign_request_json`);
    if (signRequest.requestId !== id) throw new InvalidArgument(`${field}.sign_request_json`, 'its requestId must equal request_id');
    if (operation === 'withdrawal') checkWithdrawalPayload(request, signRequest, `${field}.sign_request_json`);
    request.attributes = { ...request.attributes, [SIGN_REQUEST_ATTRIBUTE]: bytesToHex(requestDigest(signRequest)) };
  }
  return { request, signRequest };
}

/**
 * A withdrawal's sign request must be an EVM transaction that does exactly what the policy judged:
 * on the destination's chain, to the destination (native: `to`; ERC-20: the transfer's recipient),
 * for the amount (native: `value`; ERC-20: the transfer's amount). A message payload cannot be
 * checked against the request, so a withdrawal does not take one.
 */
function checkWithdrawalPayload(request: { destination?: { address: string; chainId: number }; amount?: bigint; chainId?: number }, signRequest: SignRequest, field: string): void {
  const p = signRequest.payload;
  if (p.kind !== 'evm-transaction') throw new InvalidArgument(field, "a withdrawal's sign request must be an evm-transaction payload (checked against destination and amount)");
  const d = request.destination!;
  if (p.chainId !== d.chainId) throw new InvalidArgument(field, `the transaction's chainId ${p.chainId} is not destination_chain_id ${d.chainId}`);
  if (request.chainId !== undefined && request.chainId !== p.chainId) throw new InvalidArgument(field, `the transaction's chainId ${p.chainId} is not chain_id ${request.chainId}`);
  const recipient = (p.erc20 ? p.erc20.recipient : p.to).toLowerCase();
  const amount = p.erc20 ? p.erc20.amount : p.value;
  if (recipient !== d.address.toLowerCase()) throw new InvalidArgument(field, `the transaction pays ${recipient}, not destination_address`);
  if (amount !== request.amount) throw new InvalidArgument(field, `the transaction moves ${amount}, not amount ${request.amount}`);
}

function decodeSignRequest(text: string, field: string): SignRequest {
  if (text.length > MAX_SIGN_REQUEST_JSON) throw new InvalidArgument(field, `must be at most ${MAX_SIGN_REQUEST_JSON} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidArgument(field, 'is not JSON');
  }
  try {
    return signRequestFromJson(value);
  } catch (error) {
    if (error instanceof SignGrantInputError) throw new InvalidArgument(field, error.message);
    throw error;
  }
}

/** The stored form of a request (JSON, amount as a decimal string) and back. */
export function requestToJson(r: PolicyRequest): Record<string, unknown> {
  return { ...r, amount: r.amount === undefined ? undefined : r.amount.toString() };
}

const REQUEST_FIELDS = ['id', 'operation', 'createdAt', 'initiator', 'source', 'destination', 'asset', 'chainId', 'attributes'] as const;

export function requestFromJson(body: Record<string, unknown>): PolicyRequest {
  const out: Record<string, unknown> = {};
  for (const k of REQUEST_FIELDS) if (body[k] !== undefined) out[k] = body[k];
  if (typeof body.amount === 'string') out.amount = BigInt(body.amount);
  return out as unknown as PolicyRequest;
}

/**
 * The request attribute that binds a sign request into the policy request: hex of libs/sign-grant's
 * `requestDigest(signRequest)`. It is part of policy-core's request digest, so an approver's one
 * approval signature covers the exact payload the signers will sign. Reserved: a caller cannot set it.
 */
export const SIGN_REQUEST_ATTRIBUTE = 'signRequestDigest';

/** What approvers sign over (inside policy-core's approval message): policy-core's request digest. */
export function engineRequestDigest(request: PolicyRequest): Uint8Array {
  return policyRequestDigest(request);
}

/** The hash that identifies a request's input (for idempotent retries): the request without createdAt and the sign request. */
export function inputHash(input: RequestInput): string {
  const body = { request: requestToJson({ ...input.request, createdAt: 0 }), signRequest: input.signRequest ? signRequestToJson(input.signRequest) : null };
  return bytesToHex(sha256(new TextEncoder().encode(canonicalJson(JSON.parse(JSON.stringify(body))))));
}
