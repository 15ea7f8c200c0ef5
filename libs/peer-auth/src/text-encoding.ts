/**
 * Strict hex and base64 decoding for configuration values: no whitespace inside, no mixed case in
 * hex, canonical base64 only (with padding), so that one key has exactly one spelling per encoding.
 */

const HEX = /^(?:[0-9a-f]{2})*$/;
const HEX_UPPER = /^(?:[0-9A-F]{2})*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Lower- or upper-case hex (not mixed), even length; optional `0x` prefix. `undefined` if not hex. */
export function decodeHexStrict(text: string): Uint8Array | undefined {
  const body = text.startsWith('0x') ? text.slice(2) : text;
  if (!HEX.test(body) && !HEX_UPPER.test(body)) return undefined;
  return Uint8Array.from(Buffer.from(body, 'hex'));
}

/** Canonical, padded base64 (RFC 4648 §4). `undefined` if not. */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Reject non-canonical trailing bits ("...Q=" vs "...R="): re-encoding must give the same text.
  if (bytes.toString('base64') !== text) return undefined;
  return Uint8Array.from(bytes);
}

/**
 * A value of exactly `length` bytes written as hex or base64. Hex is tried first: a 2·length-char
 * hex string and a base64 string of `length` bytes never have the same length for length ≥ 1.
 */
export function decodeFixedLength(text: string, length: number): Uint8Array | undefined {
  const hex = decodeHexStrict(text);
  if (hex !== undefined && hex.length === length) return hex;
  const b64 = decodeBase64Strict(text);
  if (b64 !== undefined && b64.length === length) return b64;
  return undefined;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
