import fc from 'fast-check';
import { sha256 } from '@noble/hashes/sha2.js';
import { TlogVerificationError, consistencyProof, hashChildren, hashLeaf, inclusionProof, memoryAccessor, rootHash, verifyConsistency, verifyInclusion } from './index';

/** The naive tree, straight from the RFC 9162 §2.1.1 definition (recursive MTH over the data). */
function naiveMth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  if (leaves.length === 1) return hashLeaf(leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return hashChildren(naiveMth(leaves.slice(0, k)), naiveMth(leaves.slice(k)));
}

const leavesOf = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => Uint8Array.of(i & 0xff, i >> 8, 7));

describe('RFC 9162 tree: properties against the naive definition', () => {
  it('root, inclusion and consistency agree with the naive tree for random sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.nat(), fc.nat(), (n, a, b) => {
        const data = leavesOf(n);
        const nodes = memoryAccessor(data.map(hashLeaf));
        const root = naiveMth(data);
        expect(rootHash(nodes, n)).toEqual(root);
        const index = a % n;
        const proof = inclusionProof(nodes, index, n);
        verifyInclusion(index, n, hashLeaf(data[index]!), proof, root);
        if (n > 1) expect(() => verifyInclusion((index + 1) % n, n, hashLeaf(data[index]!), proof, root)).toThrow(TlogVerificationError);
        const m = (b % n) + 1;
        const cproof = consistencyProof(nodes, m, n);
        verifyConsistency(m, n, cproof, naiveMth(data.slice(0, m)), root);
        if (m < n) {
          // A different history of the same size m is not consistent with this tree.
          const forked = [...data.slice(0, m - 1), Uint8Array.of(0xee)];
          expect(() => verifyConsistency(m, n, cproof, naiveMth(forked), root)).toThrow(TlogVerificationError);
        }
      }),
      { numRuns: 80 },
    );
  });
});
