/**
 * The content hash of a policy document: SHA-256 over its canonical JSON (keys sorted by UTF-16 code
 * units, no whitespace, JSON.stringify escaping). For the value types a document holds (strings,
 * safe integers, booleans, arrays, objects) this is RFC 8785 (JCS), so an auditor can recompute it
 * with any JCS implementation. YAML and JSON renderings of the same document hash alike.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { PolicyInputError } from './errors';
import type { PolicyDocument } from './types';

/** Canonical JSON of a JSON value (objects, arrays, strings, finite numbers, booleans, null). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new PolicyInputError('value', 'a non-finite number has no canonical JSON');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new PolicyInputError('value', `a ${typeof value} has no canonical JSON`);
}

/** Lowercase hex SHA-256 of the document's canonical JSON (validate the document first). */
export function policyHash(doc: PolicyDocument): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(doc))));
}
