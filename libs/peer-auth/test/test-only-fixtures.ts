/**
 * TEST-ONLY fixtures: fixed identity seeds and a deterministic RNG. Never use these keys anywhere
 * but tests.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { identityFromSeed, PeerDirectory, type LocalPeer, type Rng } from '../src';

/** A deterministic byte stream: SHA-256(label ‖ counter) blocks. Reproducible, not secure. */
export function testOnlyRng(label: string): Rng {
  let counter = 0;
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) {
      const block = sha256(utf8ToBytes(`${label}/${counter++}`));
      out.set(block.subarray(0, Math.min(32, n - off)), off);
    }
    return out;
  };
}

export function testOnlySeed(id: number): Uint8Array {
  return sha256(utf8ToBytes(`TEST-ONLY signer identity seed ${id}`));
}

export function testOnlyPeer(id: number): LocalPeer {
  return { id, identity: identityFromSeed(testOnlySeed(id)) };
}

/** A directory of signers 1..n on loopback ports 50061.. */
export function testOnlyDirectory(n: number): PeerDirectory {
  const config = Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    publicKey: Buffer.from(testOnlyPeer(i + 1).identity.publicKey).toString('hex'),
    address: `127.0.0.1:${50061 + i}`,
  }));
  return PeerDirectory.fromConfig(JSON.stringify(config));
}
