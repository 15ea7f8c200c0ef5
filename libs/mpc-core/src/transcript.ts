import { shake256 } from '@noble/hashes/sha3.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { InvalidInputError, type PartyId } from './errors';

/**
 * What every Fiat-Shamir challenge of ours is bound to: the session (execution id), the set of
 * parties taking part and the party that proves. The statement itself is appended by each proof.
 */
export interface ProofContext {
  /** The execution id of this run of the protocol (unique per session; at least 16 bytes). */
  readonly sessionId: Uint8Array;
  /** Every party of the session, in ascending order. */
  readonly partyIds: readonly PartyId[];
  /** The party that makes the proof. */
  readonly prover: PartyId;
}

const PROTOCOL_TAG = 'custody-mpc/v1';

function u32(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidInputError('length', `not a u32: ${n}`);
  return new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** Sign byte (0 for ≥ 0, 1 for < 0) followed by the big-endian magnitude, no leading zeros. */
export function encodeSignedBigInt(x: bigint): Uint8Array {
  const negative = x < 0n;
  let hex = (negative ? -x : x).toString(16);
  if (hex === '0') hex = '';
  if (hex.length % 2) hex = '0' + hex;
  const out = new Uint8Array(1 + hex.length / 2);
  out[0] = negative ? 1 : 0;
  for (let i = 0; i < hex.length / 2; i++) out[1 + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex.length === 0 ? 0n : BigInt('0x' + hex);
}

/**
 * A Fiat-Shamir transcript with an injective encoding: every item is written as
 * `len(label) ‖ label ‖ len(value) ‖ value` (lengths as big-endian u32), after a protocol tag and a
 * per-proof domain tag. Two different sequences of items can never encode to the same bytes, which
 * is what TSSHOCK's first attack exploits when values are simply concatenated.
 *
 * Challenges are derived with SHAKE256 over the encoding, a challenge label and a counter, and are
 * rejection-sampled into their range (no modulo bias).
 */
export class Transcript {
  private readonly chunks: Uint8Array[] = [];

  constructor(domain: string) {
    if (domain.length === 0) throw new InvalidInputError('domain', 'must not be empty');
    this.appendBytes('protocol', utf8ToBytes(PROTOCOL_TAG));
    this.appendBytes('domain', utf8ToBytes(domain));
  }

  /** Binds the session id, the parties and the prover. */
  appendContext(ctx: ProofContext): this {
    if (!(ctx.sessionId instanceof Uint8Array) || ctx.sessionId.length < 16) {
      throw new InvalidInputError('ctx.sessionId', 'must be at least 16 bytes');
    }
    this.appendBytes('session-id', ctx.sessionId);
    this.appendPartyIds('party-ids', ctx.partyIds);
    this.appendNumber('prover', ctx.prover);
    return this;
  }

  appendBytes(label: string, value: Uint8Array): this {
    const l = utf8ToBytes(label);
    this.chunks.push(u32(l.length), l, u32(value.length), value);
    return this;
  }

  appendBigInt(label: string, value: bigint): this {
    return this.appendBytes(label, encodeSignedBigInt(value));
  }

  appendBigInts(label: string, values: readonly bigint[]): this {
    this.appendNumber(`${label}.length`, values.length);
    values.forEach((v, i) => this.appendBigInt(`${label}[${i}]`, v));
    return this;
  }

  appendNumber(label: string, value: number): this {
    return this.appendBytes(label, u32(value));
  }

  appendPartyIds(label: string, ids: readonly PartyId[]): this {
    const out = new Uint8Array(4 * ids.length);
    ids.forEach((id, i) => out.set(u32(id), 4 * i));
    return this.appendBytes(label, out);
  }

  private encoded(): Uint8Array {
    let length = 0;
    for (const c of this.chunks) length += c.length;
    const out = new Uint8Array(length);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }

  /** `byteLength` bytes of challenge; the transcript is not changed, so label each challenge distinctly. */
  challengeBytes(label: string, byteLength: number, counter = 0): Uint8Array {
    const l = utf8ToBytes(label);
    const base = this.encoded();
    const input = new Uint8Array(base.length + 4 + l.length + 4);
    input.set(base, 0);
    input.set(u32(l.length), base.length);
    input.set(l, base.length + 4);
    input.set(u32(counter), base.length + 4 + l.length);
    return shake256(input, { dkLen: byteLength });
  }

  /** A challenge uniform in [0, bound), by rejection sampling over successive counters. */
  challengeBelow(label: string, bound: bigint): bigint {
    if (bound <= 0n) throw new InvalidInputError('bound', 'must be positive');
    const bits = bound.toString(2).length;
    const bytes = Math.ceil(bits / 8);
    const excess = BigInt(bytes * 8 - bits);
    for (let counter = 0; ; counter++) {
      const candidate = bytesToBigInt(this.challengeBytes(label, bytes, counter)) >> excess;
      if (candidate < bound) return candidate;
    }
  }

  /** A challenge uniform in [-bound, bound]. */
  challengeSymmetric(label: string, bound: bigint): bigint {
    return this.challengeBelow(label, 2n * bound + 1n) - bound;
  }

  /** `count` challenge bits (for binary-challenge proofs repeated `count` times). */
  challengeBits(label: string, count: number): boolean[] {
    const bytes = this.challengeBytes(label, Math.ceil(count / 8));
    return Array.from({ length: count }, (_, i) => ((bytes[i >> 3]! >> (i & 7)) & 1) === 1);
  }
}
