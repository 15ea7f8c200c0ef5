import { shake256 } from '@noble/hashes/sha3.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { Rng } from '../../rng';

/**
 * TEST ONLY: a reproducible Rng (SHAKE256 of a seed and a counter). Never use it for keys: anyone
 * who knows the seed knows every value it produced.
 */
export function testOnlyDeterministicRng(seed: string): Rng {
  let counter = 0;
  const seedBytes = utf8ToBytes(seed);
  return (byteLength: number): Uint8Array => {
    const input = new Uint8Array(seedBytes.length + 4);
    input.set(seedBytes);
    new DataView(input.buffer).setUint32(seedBytes.length, counter++);
    return shake256(input, { dkLen: byteLength });
  };
}
