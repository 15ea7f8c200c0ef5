import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { validateIdentifier } from './asset';
import { IdempotencyConflictError, LedgerInputError } from './errors';

/**
 * Idempotency as formancehq/ledger does it: the first request under a key stores the hash of its
 * canonical input; a retry with the same key and the same input gets the first result back; the
 * same key with another input is a conflict, its own error.
 *
 * The canonical form is a stable JSON: object keys sorted by UTF-16 code units (as
 * `Array.prototype.sort` does), no whitespace, strings as `JSON.stringify` writes them, bigints as
 * their decimal digits (like a JSON integer), arrays in order. Refused (`LedgerInputError`, naming the
 * path): undefined inside arrays, functions, symbols, non-finite numbers, non-plain objects (Date,
 * Map, class instances, Uint8Array: encode them as strings first), cycles, nesting deeper than 64.
 * Object members whose value is undefined are left out, as `JSON.stringify` does.
 */
export const MAX_CANONICAL_DEPTH = 64;
const DOMAIN = 'custody/ledger/request/v1';

function canon(value: unknown, path: string, depth: number, seen: Set<object>): string {
  if (depth > MAX_CANONICAL_DEPTH) throw new LedgerInputError(path, `nests deeper than ${MAX_CANONICAL_DEPTH}`);
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new LedgerInputError(path, 'must be a finite number');
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (seen.has(value)) throw new LedgerInputError(path, 'is a cycle');
      seen.add(value);
      let out: string;
      if (Array.isArray(value)) {
        out = `[${(value as unknown[]).map((v, i) => canon(v, `${path}[${i}]`, depth + 1, seen)).join(',')}]`;
      } else {
        const proto = Object.getPrototypeOf(value) as unknown;
        if (proto !== Object.prototype && proto !== null) throw new LedgerInputError(path, 'must be a plain object');
        const record = value as Record<string, unknown>;
        const keys = Object.keys(record)
          .filter((k) => record[k] !== undefined)
          .sort();
        out = `{${keys.map((k) => `${JSON.stringify(k)}:${canon(record[k], `${path}.${k.slice(0, 40)}`, depth + 1, seen)}`).join(',')}}`;
      }
      seen.delete(value);
      return out;
    }
    default:
      throw new LedgerInputError(path, `cannot be canonicalized (${typeof value})`);
  }
}

/** The canonical JSON text of a request body. */
export function canonicalJson(value: unknown, field = 'body'): string {
  return canon(value, field, 0, new Set());
}

/**
 * The request hash stored with an idempotency key: hex SHA-256 of the domain, the operation name and
 * the canonical body, each length-prefixed, so the same body for two operations hashes differently.
 */
export function requestHash(operation: string, body: unknown): string {
  validateIdentifier(operation, 'operation');
  const parts = [DOMAIN, operation, canonicalJson(body)].map((s) => utf8ToBytes(s));
  const framed = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    new DataView(framed.buffer).setUint32(at, p.length, false);
    framed.set(p, at + 4);
    at += 4 + p.length;
  }
  return bytesToHex(sha256(framed));
}

/** An idempotency key: the identifier grammar, 1..128 characters of [A-Za-z0-9._:-]. */
export function validateIdempotencyKey(key: unknown, field = 'idempotencyKey'): string {
  return validateIdentifier(key, field);
}

/**
 * Decide what to do with a request under `key` whose hash is `hash`, given the hash stored for the
 * key (null when the key is new): `'execute'` (first use) or `'replay'` (return the stored result).
 * A different stored hash throws `IdempotencyConflictError`.
 */
export function idempotencyDecision(key: string, storedHash: string | null, hash: string): 'execute' | 'replay' {
  if (storedHash === null) return 'execute';
  if (storedHash === hash) return 'replay';
  throw new IdempotencyConflictError(key);
}
