import { InvalidInputError } from './errors';

/**
 * A source of randomness, injected into every function that needs one so that the protocols stay
 * pure and tests can be reproducible. Production code uses {@link systemRng}, backed by
 * `crypto.getRandomValues`; nothing else in this library draws randomness.
 */
export type Rng = (byteLength: number) => Uint8Array;

/** The operating system's CSPRNG through WebCrypto's `getRandomValues`. */
export const systemRng: Rng = (byteLength: number): Uint8Array => {
  const out = new Uint8Array(byteLength);
  // getRandomValues fills at most 65536 bytes per call.
  for (let offset = 0; offset < byteLength; offset += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(byteLength, offset + 65536)));
  }
  return out;
};

function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex.length === 0 ? 0n : BigInt('0x' + hex);
}

/** A uniform integer in [0, bound) by rejection sampling (no modulo bias). */
export function randomBelow(rng: Rng, bound: bigint): bigint {
  if (bound <= 0n) throw new InvalidInputError('bound', 'must be positive');
  const bits = bound.toString(2).length;
  const bytes = Math.ceil(bits / 8);
  const excess = BigInt(bytes * 8 - bits);
  for (;;) {
    const candidate = bytesToBigInt(rng(bytes)) >> excess;
    if (candidate < bound) return candidate;
  }
}

/** A uniform integer in [1, bound). */
export function randomNonZeroBelow(rng: Rng, bound: bigint): bigint {
  for (;;) {
    const x = randomBelow(rng, bound);
    if (x !== 0n) return x;
  }
}

/** A uniform integer in [-bound, bound] (the ±2^ℓ ranges of the range proofs). */
export function randomSymmetric(rng: Rng, bound: bigint): bigint {
  return randomBelow(rng, 2n * bound + 1n) - bound;
}
