import { ed25519 } from '@noble/curves/ed25519.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { EventsInputError } from './errors';

/**
 * Standard Webhooks signatures (standard-webhooks `spec/standard-webhooks.md`, "Signature scheme"):
 * the signed content is `${webhook-id}.${webhook-timestamp}.${body}`; `v1a,<base64>` is its
 * Ed25519 signature (asymmetric; the service's key, public key `whpk_<base64>`), `v1,<base64>` its
 * HMAC-SHA256 under the endpoint's secret (`whsec_<base64>`). The `webhook-signature` header is a
 * space-separated list of them.
 */

const encoder = new TextEncoder();
const MSG_ID = /^[A-Za-z0-9_.-]{1,128}$/;

function abytes(value: unknown, field: string, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new EventsInputError(field, 'must be a Uint8Array');
  if (length !== undefined && value.length !== length) throw new EventsInputError(field, `must be ${length} bytes, not ${value.length}`);
  return value;
}

function checkHeaderParts(id: unknown, timestamp: unknown): { id: string; timestamp: number } {
  if (typeof id !== 'string' || !MSG_ID.test(id)) throw new EventsInputError('webhook-id', 'must be 1..128 characters of [A-Za-z0-9_.-]');
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) throw new EventsInputError('webhook-timestamp', 'must be a non-negative integer of seconds');
  return { id, timestamp };
}

/** The bytes every signature covers: `${id}.${timestamp}.${body}` (the body exactly as sent). */
export function signedContent(id: string, timestamp: number, body: Uint8Array | string): Uint8Array {
  const parts = checkHeaderParts(id, timestamp);
  const prefix = encoder.encode(`${parts.id}.${parts.timestamp}.`);
  const payload = typeof body === 'string' ? encoder.encode(body) : abytes(body, 'body');
  const out = new Uint8Array(prefix.length + payload.length);
  out.set(prefix, 0);
  out.set(payload, prefix.length);
  return out;
}

/** `v1a,<base64 Ed25519 signature>` by the 32-byte seed `secretKey`. */
export function signV1a(secretKey: Uint8Array, id: string, timestamp: number, body: Uint8Array | string): string {
  abytes(secretKey, 'secretKey', 32);
  return `v1a,${Buffer.from(ed25519.sign(signedContent(id, timestamp, body), secretKey)).toString('base64')}`;
}

/** `v1,<base64 HMAC-SHA256>` under `secret` (24..64 bytes, the decoded `whsec_` value). */
export function signV1(secret: Uint8Array, id: string, timestamp: number, body: Uint8Array | string): string {
  abytes(secret, 'secret');
  if (secret.length < 24 || secret.length > 64) throw new EventsInputError('secret', 'must be 24..64 bytes');
  return `v1,${Buffer.from(hmac(sha256, secret, signedContent(id, timestamp, body))).toString('base64')}`;
}

/** The public key as Standard Webhooks serializes it: `whpk_<base64>`. */
export function formatPublicKey(publicKey: Uint8Array): string {
  return `whpk_${Buffer.from(abytes(publicKey, 'publicKey', 32)).toString('base64')}`;
}

/** `whpk_<base64>` → the 32-byte key. */
export function parsePublicKey(text: string): Uint8Array {
  if (typeof text !== 'string' || !text.startsWith('whpk_')) throw new EventsInputError('publicKey', 'must start with whpk_');
  const key = new Uint8Array(Buffer.from(text.slice(5), 'base64'));
  if (key.length !== 32) throw new EventsInputError('publicKey', 'must hold 32 bytes');
  return key;
}

/** The Ed25519 public key of the signing seed. */
export function webhookPublicKey(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(abytes(secretKey, 'secretKey', 32));
}

/**
 * The HMAC secret of one endpoint, derived from the service's webhook key so nothing secret is
 * stored per endpoint: HMAC-SHA256(seed, "custody webhook endpoint secret v1\0" || endpointId).
 * Shown to the endpoint's owner once, at creation, as `whsec_<base64>`.
 */
export function endpointSecret(secretKey: Uint8Array, endpointId: string): Uint8Array {
  abytes(secretKey, 'secretKey', 32);
  if (typeof endpointId !== 'string' || endpointId.length === 0) throw new EventsInputError('endpointId', 'must be a non-empty string');
  return hmac(sha256, secretKey, encoder.encode(`custody webhook endpoint secret v1\0${endpointId}`));
}

export function formatSecret(secret: Uint8Array): string {
  return `whsec_${Buffer.from(secret).toString('base64')}`;
}

/**
 * Verifies a `webhook-signature` header's `v1a` entries against `publicKey`: true when one of
 * them is a valid signature of the content (a receiver still checks the timestamp's freshness).
 */
export function verifyV1a(publicKey: Uint8Array, id: string, timestamp: number, body: Uint8Array | string, header: string): boolean {
  abytes(publicKey, 'publicKey', 32);
  const content = signedContent(id, timestamp, body);
  for (const entry of header.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1a') continue;
    const signature = Buffer.from(entry.slice(comma + 1), 'base64');
    if (signature.length !== 64) continue;
    try {
      if (ed25519.verify(new Uint8Array(signature), content, publicKey)) return true;
    } catch {
      // a malformed signature is just not a valid one
    }
  }
  return false;
}
