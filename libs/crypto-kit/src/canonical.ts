import { utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * An unambiguous, domain-separated byte encoding for what is signed, MACed or used as AEAD
 * associated data. The output is `field(domain) ‖ field(label₁, value₁) ‖ …`, where every string
 * and byte string is preceded by its length as a big-endian u32 and integers have a fixed width. Two
 * different sequences of fields can never encode to the same bytes (no "a‖bc" = "ab‖c" ambiguity).
 */
export class CanonicalWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  constructor(domain: string) {
    this.raw(lengthPrefixed(utf8ToBytes(domain)));
  }

  bytes(label: string, value: Uint8Array): this {
    this.raw(lengthPrefixed(utf8ToBytes(label)));
    this.raw(lengthPrefixed(value));
    return this;
  }

  string(label: string, value: string): this {
    return this.bytes(label, utf8ToBytes(value));
  }

  u32(label: string, value: number): this {
    return this.bytes(label, u32be(value));
  }

  /** A non-negative safe integer (e.g. milliseconds since the epoch) as 8 bytes big-endian. */
  u64(label: string, value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('canonical encoding: not a non-negative safe integer');
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(value), false);
    return this.bytes(label, out);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }

  private raw(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }
}

export function u32be(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError('canonical encoding: not a u32');
  return new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

function lengthPrefixed(value: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + value.length);
  out.set(u32be(value.length), 0);
  out.set(value, 4);
  return out;
}
