/**
 * Checks of the request and the context at the core's entry points (the service decodes them; a wrong
 * shape is the caller's bug and is refused naming the field), and the request digest approvers sign.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CanonicalWriter } from '@custody/crypto-kit/canonical';
import { PolicyInputError, preview } from './errors';
import { OPERATIONS, type EvaluationContext, type PolicyRequest } from './types';
import { ID_PATTERN } from './units';

const MAX_LIST = 1000;
const MAX_ADDRESS = 256;
const MAX_ATTRIBUTE_VALUE = 1024;
const MAX_ATTRIBUTES = 64;
const MAX_AMOUNT = (1n << 256n) - 1n;

function fail(argument: string, reason: string): never {
  throw new PolicyInputError(argument, reason);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function checkId(v: unknown, argument: string): string {
  if (typeof v !== 'string' || !ID_PATTERN.test(v)) fail(argument, `${preview(v)} is not an id (1..128 of A-Z a-z 0-9 . _ : @ -)`);
  return v;
}

export function checkIds(v: unknown, argument: string): readonly string[] {
  if (!Array.isArray(v)) fail(argument, 'must be an array of ids');
  if (v.length > MAX_LIST) fail(argument, `more than ${MAX_LIST} items`);
  v.forEach((x, i) => checkId(x, `${argument}[${i}]`));
  return v as string[];
}

function checkTime(v: unknown, argument: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(argument, `${preview(v)} is not milliseconds since the epoch`);
  return v;
}

export function checkChainId(v: unknown, argument: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(argument, `${preview(v)} is not a chain id (a non-negative safe integer)`);
  return v;
}

/**
 * An address as the service normalized it. Matching (address book, velocity scopes) is exact, so a
 * hex address (`0x` and hex digits: EVM, and the like) must be in lower case: `0xAB…` and `0xab…` are
 * one address, and an upper-case spelling would otherwise slip past a rule on the lower-case one.
 */
export function checkAddress(v: unknown, argument: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_ADDRESS || !/^[\x21-\x7e]+$/.test(v)) fail(argument, `${preview(v)} is not an address (1..256 printable ASCII characters, no spaces)`);
  if (/^0[xX][0-9a-fA-F]+$/.test(v) && !/^0x[0-9a-f]+$/.test(v)) fail(argument, `${preview(v)} is a hex address not in lower case (the normalized form: 0x and lower-case hex digits)`);
  return v;
}

const REQUEST_KEYS = ['id', 'operation', 'createdAt', 'initiator', 'source', 'destination', 'asset', 'amount', 'chainId', 'attributes'];

/** A field the core would not read is refused, not ignored (a misspelt `destinaton` must not pass as no destination). */
function onlyKeys(value: Record<string, unknown>, keys: readonly string[], argument: string): void {
  for (const k of Object.keys(value)) if (!keys.includes(k)) fail(`${argument}.${k.slice(0, 40)}`, 'unknown field');
}

/** Throws {@link PolicyInputError} naming the first wrong field; a field it does not know is refused. */
export function validateRequest(request: unknown): asserts request is PolicyRequest {
  if (!isRecord(request)) fail('request', 'must be an object');
  onlyKeys(request, REQUEST_KEYS, 'request');
  checkId(request.id, 'request.id');
  if (!OPERATIONS.includes(request.operation as never)) fail('request.operation', `${preview(request.operation)} is not one of ${OPERATIONS.join(', ')}`);
  checkTime(request.createdAt, 'request.createdAt');
  if (!isRecord(request.initiator)) fail('request.initiator', 'must be an object');
  onlyKeys(request.initiator, ['id', 'groups'], 'request.initiator');
  checkId(request.initiator.id, 'request.initiator.id');
  checkIds(request.initiator.groups, 'request.initiator.groups');
  if (request.source !== undefined) {
    if (!isRecord(request.source)) fail('request.source', 'must be an object');
    onlyKeys(request.source, ['walletId', 'tags'], 'request.source');
    checkId(request.source.walletId, 'request.source.walletId');
    checkIds(request.source.tags, 'request.source.tags');
  }
  if (request.destination !== undefined) {
    if (!isRecord(request.destination)) fail('request.destination', 'must be an object');
    onlyKeys(request.destination, ['address', 'chainId'], 'request.destination');
    checkAddress(request.destination.address, 'request.destination.address');
    checkChainId(request.destination.chainId, 'request.destination.chainId');
  }
  if (request.asset !== undefined) {
    if (!isRecord(request.asset)) fail('request.asset', 'must be an object');
    onlyKeys(request.asset, ['id', 'decimals'], 'request.asset');
    checkId(request.asset.id, 'request.asset.id');
    const d = request.asset.decimals;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > 77) fail('request.asset.decimals', `${preview(d)} is not an integer in 0..77`);
  }
  if (request.amount !== undefined) {
    if (typeof request.amount !== 'bigint' || request.amount < 0n || request.amount > MAX_AMOUNT) fail('request.amount', `${preview(request.amount)} is not a non-negative bigint below 2^256`);
    if (request.asset === undefined) fail('request.asset', 'is required when an amount is given');
  }
  if (request.chainId !== undefined) checkChainId(request.chainId, 'request.chainId');
  if (request.attributes !== undefined) {
    if (!isRecord(request.attributes)) fail('request.attributes', 'must be an object of strings');
    const entries = Object.entries(request.attributes);
    if (entries.length > MAX_ATTRIBUTES) fail('request.attributes', `more than ${MAX_ATTRIBUTES} entries`);
    for (const [k, v] of entries) {
      checkId(k, 'request.attributes key');
      if (typeof v !== 'string' || v.length > MAX_ATTRIBUTE_VALUE) fail(`request.attributes.${k}`, `must be a string of at most ${MAX_ATTRIBUTE_VALUE} characters`);
    }
  }
  if (request.operation === 'withdrawal') {
    if (request.amount === undefined) fail('request.amount', 'is required for a withdrawal');
    if (request.destination === undefined) fail('request.destination', 'is required for a withdrawal');
    if (request.source === undefined) fail('request.source', 'is required for a withdrawal');
  }
}

/** Reads a Map or a plain record the same way (own properties only). */
export function lookup<V>(m: ReadonlyMap<string, V> | Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  if (m === undefined) return undefined;
  if (m instanceof Map) return (m as ReadonlyMap<string, V>).get(key);
  return Object.prototype.hasOwnProperty.call(m, key) ? (m as Readonly<Record<string, V>>)[key] : undefined;
}

/** Throws {@link PolicyInputError} naming the first wrong field. Approvals are checked one by one later. */
export function validateContext(context: unknown): asserts context is EvaluationContext {
  if (!isRecord(context)) fail('context', 'must be an object');
  checkTime(context.now, 'context.now');
  const usage = context.velocityUsage;
  if (!(usage instanceof Map) && !isRecord(usage)) fail('context.velocityUsage', 'must be a Map or an object of bigints');
  const values = usage instanceof Map ? [...(usage as Map<unknown, unknown>).entries()] : Object.entries(usage);
  for (const [k, v] of values) {
    if (typeof v !== 'bigint' || v < 0n) fail(`context.velocityUsage[${preview(k)}]`, `${preview(v)} is not a non-negative bigint`);
  }
  if (context.approvals !== undefined && !Array.isArray(context.approvals)) fail('context.approvals', 'must be an array');
  if (context.approvers !== undefined && !(context.approvers instanceof Map) && !isRecord(context.approvers)) fail('context.approvers', 'must be a Map or an object');
  if (context.requestDigest !== undefined && (!(context.requestDigest instanceof Uint8Array) || context.requestDigest.length !== 32)) {
    fail('context.requestDigest', 'must be 32 bytes');
  }
  if (context.hook !== undefined) {
    if (!isRecord(context.hook)) fail('context.hook', 'must be an object');
    checkId(context.hook.ruleId, 'context.hook.ruleId');
    if (!['approve', 'reject', 'unavailable'].includes(context.hook.verdict as string)) fail('context.hook.verdict', `${preview(context.hook.verdict)} is not approve, reject or unavailable`);
  }
}

const DIGEST_DOMAIN = 'custody/policy-request/v1';

/**
 * SHA-256 of the request's canonical encoding (every field, in a fixed order, length-prefixed,
 * domain `custody/policy-request/v1`): what approvers sign, inside {@link approvalMessage}.
 */
export function policyRequestDigest(request: PolicyRequest): Uint8Array {
  validateRequest(request);
  const w = new CanonicalWriter(DIGEST_DOMAIN)
    .string('id', request.id)
    .string('operation', request.operation)
    .u64('created-at', request.createdAt)
    .string('initiator', request.initiator.id);
  w.u32('initiator-groups', request.initiator.groups.length);
  for (const g of [...request.initiator.groups].sort()) w.string('group', g);
  if (request.source !== undefined) {
    w.string('source-wallet', request.source.walletId).u32('source-tags', request.source.tags.length);
    for (const t of [...request.source.tags].sort()) w.string('tag', t);
  } else w.string('source-wallet', '');
  if (request.destination !== undefined) w.string('destination-address', request.destination.address).u64('destination-chain', request.destination.chainId);
  else w.string('destination-address', '');
  w.string('asset', request.asset?.id ?? '').u32('asset-decimals', request.asset?.decimals ?? 0);
  w.string('amount', request.amount === undefined ? '' : request.amount.toString());
  w.string('chain-id', request.chainId === undefined ? '' : String(request.chainId));
  const attributes = Object.entries(request.attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  w.u32('attributes', attributes.length);
  for (const [k, v] of attributes) w.string('key', k).string('value', v);
  return sha256(w.finish());
}
