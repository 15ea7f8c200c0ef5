import { sha256 } from '@noble/hashes/sha2.js';

function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('a request value must be a finite number');
    return JSON.stringify(value);
  }
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value as Record<string, unknown>).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  throw new TypeError(`a request value of type ${typeof value} cannot be hashed`);
}

/**
 * SHA-256 of the method name and the canonical JSON of the request (keys sorted, the idempotency key
 * left out): the same request gives the same hash whatever the field order, a different one differs.
 */
export function requestHash(method: string, request: unknown): Buffer {
  const body = typeof request === 'object' && request !== null && !Array.isArray(request) ? Object.fromEntries(Object.entries(request).filter(([k]) => k !== 'idempotencyKey')) : request;
  return Buffer.from(sha256(new TextEncoder().encode(`custody.ledger.v1/${method}\n${canonical(body)}`)));
}
