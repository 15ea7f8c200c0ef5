import { hashLeaf } from '@custody/transparency-log';
import { AuditInputError } from './errors';

/**
 * An audit record: what happened, when, by whom, about which request or wallet, with a body holding
 * what an auditor needs to verify it offline (signatures, public keys, digests) and never a secret.
 * Its leaf in the Merkle tree is `hashLeaf(encodeRecord(record))`: canonical JSON (sorted keys, no
 * whitespace, strings / safe integers / booleans / null / arrays / objects only), UTF-8.
 */
export const AUDIT_RECORD_TYPES = [
  'api-request',
  'policy-proposal',
  'policy-approval',
  'policy-activation',
  'evaluation',
  'request-approval',
  'request-rejection',
  'sign-grant',
  'signing-session',
  'key-generation',
  'key-refresh',
  'address-book-change',
  'api-client-change',
  'webhook-endpoint-change',
] as const;
export type AuditRecordType = (typeof AUDIT_RECORD_TYPES)[number];

export type AuditValue = string | number | boolean | null | readonly AuditValue[] | { readonly [k: string]: AuditValue };

export interface AuditRecord {
  readonly version: 1;
  readonly type: AuditRecordType;
  /** Milliseconds since the Unix epoch. */
  readonly occurredAt: number;
  /** Who acted: an API client id, an approver id, or a service (`service:policy-engine`). */
  readonly actor: string;
  readonly requestId: string | null;
  readonly wallet: string | null;
  readonly body: { readonly [k: string]: AuditValue };
}

export const IDENT = /^[A-Za-z0-9._:@/-]{1,128}$/;
export const MAX_RECORD_BYTES = 256 * 1024;
const MAX_DEPTH = 8;
/** Body keys that would mean someone is about to log a secret. Refused outright. */
const SECRET_KEY = /(secret|private|share|nonce|password|seed|mnemonic|kek|token)/i;

function fail(field: string, why: string): never {
  throw new AuditInputError(field, why);
}

function checkValue(field: string, v: unknown, depth: number): void {
  if (depth > MAX_DEPTH) fail(field, `nests deeper than ${MAX_DEPTH}`);
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) fail(field, 'numbers must be safe integers (amounts go as decimal strings)');
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => checkValue(`${field}[${i}]`, x, depth + 1));
    return;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (!/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(k)) fail(`${field}`, `key ${JSON.stringify(k.slice(0, 40))} must be 1..64 alphanumerics`);
      if (SECRET_KEY.test(k)) fail(`${field}.${k}`, 'looks like a secret; audit records hold public material only');
      checkValue(`${field}.${k}`, x, depth + 1);
    }
    return;
  }
  fail(field, 'must be a string, safe integer, boolean, null, array or plain object');
}

export function validateRecord(r: unknown): asserts r is AuditRecord {
  if (typeof r !== 'object' || r === null) fail('record', 'must be an object');
  const o = r as Record<string, unknown>;
  if (o.version !== 1) fail('record.version', 'must be 1');
  if (typeof o.type !== 'string' || !(AUDIT_RECORD_TYPES as readonly string[]).includes(o.type)) fail('record.type', 'is not a known record type');
  if (typeof o.occurredAt !== 'number' || !Number.isSafeInteger(o.occurredAt) || o.occurredAt < 0) fail('record.occurredAt', 'must be milliseconds since the epoch');
  if (typeof o.actor !== 'string' || !IDENT.test(o.actor)) fail('record.actor', 'must be 1..128 of [A-Za-z0-9._:@/-]');
  for (const f of ['requestId', 'wallet'] as const) {
    if (o[f] !== null && (typeof o[f] !== 'string' || !IDENT.test(o[f]))) fail(`record.${f}`, 'must be null or 1..128 of [A-Za-z0-9._:@/-]');
  }
  if (typeof o.body !== 'object' || o.body === null || Array.isArray(o.body)) fail('record.body', 'must be an object');
  checkValue('record.body', o.body, 0);
  const extra = Object.keys(o).filter((k) => !['version', 'type', 'occurredAt', 'actor', 'requestId', 'wallet', 'body'].includes(k));
  if (extra.length > 0) fail('record', `unknown field ${JSON.stringify(extra[0]!.slice(0, 40))}`);
}

/** Canonical JSON: sorted keys, no whitespace. */
export function canonicalJson(v: AuditValue): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${(v as readonly AuditValue[]).map(canonicalJson).join(',')}]`;
  const o = v as { readonly [k: string]: AuditValue };
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k]!)}`)
    .join(',')}}`;
}

export function encodeRecord(r: AuditRecord): Uint8Array {
  validateRecord(r);
  const bytes = new TextEncoder().encode(canonicalJson(r as unknown as AuditValue));
  if (bytes.length > MAX_RECORD_BYTES) fail('record', `encodes to more than ${MAX_RECORD_BYTES} bytes`);
  return bytes;
}

/** Decodes a record's canonical bytes; refuses anything that is not exactly the canonical encoding. */
export function decodeRecord(bytes: Uint8Array): AuditRecord {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_RECORD_BYTES) fail('record', `must be at most ${MAX_RECORD_BYTES} bytes`);
  let text: string;
  let parsed: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    parsed = JSON.parse(text);
  } catch {
    fail('record', 'is not UTF-8 JSON');
  }
  validateRecord(parsed);
  if (canonicalJson(parsed as unknown as AuditValue) !== text) fail('record', 'is not in canonical form');
  return parsed;
}

export function recordLeafHash(r: AuditRecord): Uint8Array {
  return hashLeaf(encodeRecord(r));
}
