import { TlogInputError, excerpt } from './errors';

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Standard base64 (RFC 4648 §4) with padding; rejects anything that does not re-encode to itself. */
export function decodeBase64Strict(field: string, s: string, maxBytes = 1 << 16): Uint8Array {
  if (typeof s !== 'string') throw new TlogInputError(field, 'must be a string');
  if (s.length > Math.ceil(maxBytes / 3) * 4) throw new TlogInputError(field, `is longer than ${maxBytes} bytes`);
  if (s.length % 4 !== 0 || !B64.test(s)) throw new TlogInputError(field, `is not canonical base64: ${excerpt(s)}`);
  const binary = atob(s);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  if (encodeBase64(bytes) !== s) throw new TlogInputError(field, `is not canonical base64: ${excerpt(s)}`);
  return bytes;
}

/** Standard base64 with padding. `atob`/`btoa` rather than Buffer: the console verifies proofs in the browser with this library. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** An ASCII decimal with no leading zeroes, as a safe integer. */
export function parseDecimal(field: string, s: string): number {
  if (!DECIMAL.test(s) || s.length > 16) throw new TlogInputError(field, `must be a decimal with no leading zeroes: ${excerpt(s)}`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new TlogInputError(field, 'exceeds 2^53-1');
  return n;
}

/** An ASCII decimal with no leading zeroes, as a bigint ≤ max. */
export function parseDecimalBig(field: string, s: string, max: bigint): bigint {
  if (!DECIMAL.test(s) || s.length > 20) throw new TlogInputError(field, `must be a decimal with no leading zeroes: ${excerpt(s)}`);
  const n = BigInt(s);
  if (n > max) throw new TlogInputError(field, `exceeds ${max}`);
  return n;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

export function utf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** Bytes or string → string, refusing ill-formed UTF-8 (or lone surrogates in a string). */
export function toWellFormedString(field: string, input: string | Uint8Array): string {
  if (input instanceof Uint8Array) {
    try {
      return utf8Decoder.decode(input);
    } catch {
      throw new TlogInputError(field, 'is not valid UTF-8');
    }
  }
  if (typeof input !== 'string') throw new TlogInputError(field, 'must be a string or bytes');
  // A lone surrogate would not survive a UTF-8 round trip.
  if (utf8Decoder.decode(utf8Encoder.encode(input)) !== input) throw new TlogInputError(field, 'is not valid Unicode');
  return input;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
