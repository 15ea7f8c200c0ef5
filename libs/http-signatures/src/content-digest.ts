import { createHash } from 'node:crypto';
import { parseDictionary } from 'structured-headers';
import { SignatureError } from './errors';

/**
 * RFC 9530 `Content-Digest` with `sha-256` (section 2): a Structured-Fields dictionary whose
 * `sha-256` member is the byte sequence of SHA-256 over the message content.
 */
export function contentDigest(body: Uint8Array): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

/**
 * Checks a received `Content-Digest` against the body: it must parse as an RFC 8941 dictionary and
 * carry a `sha-256` byte sequence equal to SHA-256 of the body (other algorithms are ignored, RFC 9530
 * section 2; without `sha-256` the field is refused).
 */
export function checkContentDigest(header: string | undefined, body: Uint8Array): void {
  checkContentDigestSha256(header, createHash('sha256').update(body).digest());
}

/** {@link checkContentDigest} given the SHA-256 of the body rather than the body. */
export function checkContentDigestSha256(header: string | undefined, sha256: Uint8Array): void {
  if (header === undefined || header === '') throw new SignatureError('content-digest-missing', 'the content-digest header is missing');
  let dictionary;
  try {
    dictionary = parseDictionary(header);
  } catch {
    throw new SignatureError('content-digest-malformed', 'the content-digest header is not a structured-field dictionary (RFC 9530)');
  }
  const member = dictionary.get('sha-256');
  if (!member) throw new SignatureError('content-digest-malformed', 'the content-digest header has no sha-256 member');
  const value = member[0] as unknown;
  if (!(value instanceof ArrayBuffer)) throw new SignatureError('content-digest-malformed', 'the content-digest sha-256 member is not a byte sequence');
  if (!Buffer.from(sha256).equals(Buffer.from(value))) throw new SignatureError('content-digest-mismatch', 'the content-digest does not match the body');
}
