import { CONSISTENCY_PROOFS, INCLUSION_PROOFS, LEAF_INPUTS_HEX, NODE_HASHES_HEX, ROOT_HASHES_HEX } from '../test/vectors';
import {
  EMPTY_ROOT,
  TlogInputError,
  TlogVerificationError,
  consistencyProof,
  hashLeaf,
  inclusionProof,
  memoryAccessor,
  rootFromLeafHashes,
  rootHash,
  verifyConsistency,
  verifyInclusion,
} from './index';

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const leafHashes = LEAF_INPUTS_HEX.map((l) => hashLeaf(hex(l)));
const nodes = memoryAccessor(leafHashes);

describe('RFC 9162 tree (transparency-dev/merkle vectors)', () => {
  it('hashes leaves and complete subtrees as published', () => {
    NODE_HASHES_HEX.forEach((level, l) => level.forEach((h, i) => expect(toHex(nodes(l, i))).toBe(h)));
  });

  it('computes the root of every size 0..8', () => {
    expect(toHex(EMPTY_ROOT)).toBe(ROOT_HASHES_HEX[0]);
    ROOT_HASHES_HEX.forEach((h, n) => {
      expect(toHex(rootHash(nodes, n))).toBe(h);
      expect(toHex(rootFromLeafHashes(leafHashes.slice(0, n)))).toBe(h);
    });
  });

  it.each(INCLUSION_PROOFS)('generates and verifies the inclusion proof of leaf $index in size $size', ({ index, size, proof }) => {
    expect(inclusionProof(nodes, index, size).map(toHex)).toEqual(proof);
    verifyInclusion(index, size, leafHashes[index]!, proof.map(hex), hex(ROOT_HASHES_HEX[size]!));
  });

  it.each(CONSISTENCY_PROOFS)('generates and verifies the consistency proof $size1 → $size2', ({ size1, size2, proof }) => {
    expect(consistencyProof(nodes, size1, size2).map(toHex)).toEqual(proof);
    verifyConsistency(size1, size2, proof.map(hex), hex(ROOT_HASHES_HEX[size1]!), hex(ROOT_HASHES_HEX[size2]!));
  });

  it('rejects corrupted inclusion proofs (the probes of transparency-dev verify_test.go)', () => {
    for (const { index, size, proof } of INCLUSION_PROOFS.filter((p) => p.proof.length > 0)) {
      const p = proof.map(hex);
      const root = hex(ROOT_HASHES_HEX[size]!);
      const leaf = leafHashes[index]!;
      const bad: [number, number, Uint8Array, Uint8Array[], Uint8Array][] = [
        [index + 1, size, leaf, p, root],
        [index ^ 2, size, leaf, p, root],
        [index, size * 2, leaf, p, root],
        [index, Math.floor(size / 2), leaf, p, root],
        [index, size, hashLeaf(hex('ff')), p, root],
        [index, size, leaf, p, EMPTY_ROOT],
        [index, size, leaf, [...p, root], root],
        [index, size, leaf, [root, ...p], root],
        [index, size, leaf, p.slice(0, -1), root],
        ...p.map((_, i): [number, number, Uint8Array, Uint8Array[], Uint8Array] => {
          const q = p.map((x) => Uint8Array.from(x));
          q[i]![0]! ^= 8;
          return [index, size, leaf, q, root];
        }),
      ];
      if (index > 0) bad.push([index - 1, size, leaf, p, root]);
      for (const args of bad) expect(() => verifyInclusion(...args)).toThrow(TlogVerificationError);
    }
  });

  it('rejects corrupted consistency proofs', () => {
    for (const { size1, size2, proof } of CONSISTENCY_PROOFS.filter((p) => p.proof.length > 0)) {
      const p = proof.map(hex);
      const r1 = hex(ROOT_HASHES_HEX[size1]!);
      const r2 = hex(ROOT_HASHES_HEX[size2]!);
      const bad: [number, number, Uint8Array[], Uint8Array, Uint8Array][] = [
        [size1 - 1, size2, p, r1, r2],
        [size1 + 1, size2, p, r1, r2],
        [size1 ^ 2, size2, p, r1, r2],
        [size1, size2 * 2, p, r1, r2],
        [size1, Math.floor(size2 / 2), p, r1, r2],
        [size1, size2, p, EMPTY_ROOT, r2],
        [size1, size2, p, r1, EMPTY_ROOT],
        [size1, size2, p, r2, r1],
        [size1, size2, [], r1, r2],
        [size1, size2, [...p, r1], r1, r2],
        [size1, size2, [...p, r2], r1, r2],
        [size1, size2, [r1, ...p], r1, r2],
        [size1, size2, [r2, ...p], r1, r2],
        [size1, size2, [p[0]!, ...p], r1, r2],
        [size1, size2, p.slice(0, -1), r1, r2],
        ...p.map((_, i): [number, number, Uint8Array[], Uint8Array, Uint8Array] => {
          const q = p.map((x) => Uint8Array.from(x));
          q[i]![0]! ^= 16;
          return [size1, size2, q, r1, r2];
        }),
      ];
      for (const args of bad) {
        if (args[0] > args[1]) {
          expect(() => verifyConsistency(...args)).toThrow();
          continue;
        }
        expect(() => verifyConsistency(...args)).toThrow(TlogVerificationError);
      }
    }
  });

  it('handles the always-consistent and never-consistent edge cases', () => {
    const a = hex(ROOT_HASHES_HEX[1]!);
    const b = hex(ROOT_HASHES_HEX[2]!);
    verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT);
    verifyConsistency(0, 5, [], EMPTY_ROOT, b);
    verifyConsistency(1, 1, [], a, a);
    expect(() => verifyConsistency(1, 1, [], a, b)).toThrow(TlogVerificationError);
    expect(() => verifyConsistency(2, 1, [], a, b)).toThrow(TlogVerificationError);
    expect(() => verifyConsistency(1, 2, [], a, b)).toThrow(TlogVerificationError);
    expect(() => verifyConsistency(0, 1, [EMPTY_ROOT], EMPTY_ROOT, a)).toThrow(TlogVerificationError);
    expect(() => verifyConsistency(1, 1, [EMPTY_ROOT], a, a)).toThrow(TlogVerificationError);
  });

  it('refuses malformed arguments with an error naming the field', () => {
    expect(() => verifyInclusion(0, 1, new Uint8Array(31), [], EMPTY_ROOT)).toThrow(/leafHash/);
    expect(() => verifyInclusion(0, 1, EMPTY_ROOT, [new Uint8Array(0)], EMPTY_ROOT)).toThrow(/proof\[0\]/);
    expect(() => verifyInclusion(-1, 1, EMPTY_ROOT, [], EMPTY_ROOT)).toThrow(TlogInputError);
    expect(() => verifyInclusion(0, 2 ** 53, EMPTY_ROOT, [], EMPTY_ROOT)).toThrow(/size/);
    expect(() => verifyInclusion(0, 0, EMPTY_ROOT, [], EMPTY_ROOT)).toThrow(TlogVerificationError);
    expect(() => verifyInclusion(2, 1, EMPTY_ROOT, [], EMPTY_ROOT)).toThrow(TlogVerificationError);
    expect(() => inclusionProof(nodes, 8, 8)).toThrow(/index/);
    expect(() => consistencyProof(nodes, 5, 4)).toThrow(/oldSize/);
    expect(() => verifyConsistency(0.5, 1, [], EMPTY_ROOT, EMPTY_ROOT)).toThrow(/oldSize/);
  });
});
