import { sha256 } from '@noble/hashes/sha2.js';
import { TlogInputError, TlogVerificationError } from './errors';

/**
 * The Merkle tree of RFC 9162 §2.1 (identical to RFC 6962 §2.1) with SHA-256.
 *
 * Indices and sizes are JavaScript safe integers (0..2^53-1); the arithmetic below never uses the
 * 32-bit bitwise operators so it is exact over that whole range.
 */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** MTH({}) = SHA-256() (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

/** RFC 9162 §2.1.1: MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export function hashLeaf(data: Uint8Array): Uint8Array {
  assertBytes('data', data);
  const h = sha256.create();
  h.update(LEAF_PREFIX);
  h.update(data);
  return h.digest();
}

/** RFC 9162 §2.1.1: SHA-256(0x01 || left || right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  const h = sha256.create();
  h.update(NODE_PREFIX);
  h.update(left);
  h.update(right);
  return h.digest();
}

/**
 * The hash of the complete subtree of 2^level leaves whose first leaf is `index * 2^level`
 * (level 0: the leaf hashes). Proof generation reads the tree only through this, so a store can
 * answer from stored nodes or tiles without loading every leaf.
 */
export type NodeAccessor = (level: number, index: number) => Uint8Array;

/** The largest power of two strictly smaller than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

function log2(n: number): number {
  let l = 0;
  while (n > 1) {
    n /= 2;
    l += 1;
  }
  return l;
}

/**
 * MTH of the leaves [start, end) where `start` is a multiple of a power of two ≥ end - start (which
 * is how every subtree RFC 9162's recursions visit is placed). Reads O(log n) nodes.
 */
export function rangeHash(nodes: NodeAccessor, start: number, end: number): Uint8Array {
  const size = end - start;
  if (size <= 0) throw new TlogInputError('range', `empty range [${start}, ${end})`);
  if (isPowerOfTwo(size) && start % size === 0) return nodes(log2(size), start / size);
  const k = splitPoint(size);
  return hashChildren(rangeHash(nodes, start, start + k), rangeHash(nodes, start + k, end));
}

/** The root of a tree of `size` leaves (EMPTY_ROOT for 0). */
export function rootHash(nodes: NodeAccessor, size: number): Uint8Array {
  assertSize('size', size);
  if (size === 0) return EMPTY_ROOT;
  return rangeHash(nodes, 0, size);
}

/** MTH over a list of leaf hashes, computed bottom-up in O(n) (used by verifiers that hold every leaf). */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return EMPTY_ROOT;
  // Keep the right border of the tree: a stack of complete subtrees (the compact range).
  const stack: { size: number; hash: Uint8Array }[] = [];
  for (const leaf of leafHashes) {
    let node = { size: 1, hash: leaf };
    while (stack.length > 0 && stack[stack.length - 1]!.size === node.size) {
      const left = stack.pop()!;
      node = { size: node.size * 2, hash: hashChildren(left.hash, node.hash) };
    }
    stack.push(node);
  }
  let acc = stack.pop()!.hash;
  while (stack.length > 0) acc = hashChildren(stack.pop()!.hash, acc);
  return acc;
}

/** An accessor over an in-memory list of leaf hashes (builds every complete level once, O(n)). For verifiers and tests. */
export function memoryAccessor(leafHashes: readonly Uint8Array[]): NodeAccessor {
  const levels: Uint8Array[][] = [leafHashes.slice()];
  while (levels[levels.length - 1]!.length > 1) {
    const below = levels[levels.length - 1]!;
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) next.push(hashChildren(below[i]!, below[i + 1]!));
    levels.push(next);
  }
  return (level, index) => {
    const node = levels[level]?.[index];
    if (node === undefined) throw new TlogInputError('node', `(${level}, ${index}) is outside the tree`);
    return node;
  };
}

/**
 * RFC 9162 §2.1.3.1 PATH(m, D[n]): the inclusion proof of leaf `index` in the tree of `size`
 * leaves, from the leaf's sibling up to the root's child.
 */
export function inclusionProof(nodes: NodeAccessor, index: number, size: number): Uint8Array[] {
  assertSize('size', size);
  assertSize('index', index);
  if (index >= size) throw new TlogInputError('index', `${index} is not below the tree size ${size}`);
  const path: Uint8Array[] = [];
  const walk = (m: number, start: number, n: number): void => {
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, start, k);
      path.push(rangeHash(nodes, start + k, start + n));
    } else {
      walk(m - k, start + k, n - k);
      path.push(rangeHash(nodes, start, start + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/**
 * RFC 9162 §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true): the consistency proof between the
 * tree of `oldSize` leaves and the tree of `newSize` leaves. Empty when oldSize is 0 or equals newSize.
 */
export function consistencyProof(nodes: NodeAccessor, oldSize: number, newSize: number): Uint8Array[] {
  assertSize('oldSize', oldSize);
  assertSize('newSize', newSize);
  if (oldSize > newSize) throw new TlogInputError('oldSize', `${oldSize} exceeds newSize ${newSize}`);
  const proof: Uint8Array[] = [];
  if (oldSize === 0 || oldSize === newSize) return proof;
  const sub = (m: number, start: number, n: number, complete: boolean): void => {
    if (m === n) {
      if (!complete) proof.push(rangeHash(nodes, start, start + m));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, start, k, complete);
      proof.push(rangeHash(nodes, start + k, start + n));
    } else {
      sub(m - k, start + k, n - k, false);
      proof.push(rangeHash(nodes, start, start + k));
    }
  };
  sub(oldSize, 0, newSize, true);
  return proof;
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to; throws on a proof of the wrong shape. */
export function rootFromInclusionProof(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  assertSize('index', index);
  assertSize('size', size);
  assertHash('leafHash', leafHash);
  proof.forEach((p, i) => assertHash(`proof[${i}]`, p));
  if (index >= size) throw new TlogVerificationError('inclusion', `index ${index} is not below the tree size ${size}`);
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new TlogVerificationError('inclusion', 'proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new TlogVerificationError('inclusion', 'proof is too short');
  return r;
}

/** RFC 9162 §2.1.3.2: throws TlogVerificationError unless `proof` shows leafHash at `index` under `root`. */
export function verifyInclusion(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): void {
  assertHash('root', root);
  const got = rootFromInclusionProof(index, size, leafHash, proof);
  if (!equalBytes(got, root)) throw new TlogVerificationError('inclusion', 'proof does not lead to the root');
}

/**
 * RFC 9162 §2.1.4.2: throws TlogVerificationError unless `proof` shows the tree (oldSize, oldRoot) is
 * a prefix of (newSize, newRoot). oldSize 0 is consistent with anything (empty proof required);
 * equal sizes need equal roots and an empty proof.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): void {
  assertSize('oldSize', oldSize);
  assertSize('newSize', newSize);
  assertHash('oldRoot', oldRoot);
  assertHash('newRoot', newRoot);
  proof.forEach((p, i) => assertHash(`proof[${i}]`, p));
  const fail = (why: string): never => {
    throw new TlogVerificationError('consistency', why);
  };
  if (oldSize > newSize) fail(`old size ${oldSize} exceeds new size ${newSize}`);
  if (oldSize === newSize) {
    if (proof.length !== 0) fail('proof between equal sizes must be empty');
    if (!equalBytes(oldRoot, newRoot)) fail('same size, different roots');
    return;
  }
  if (oldSize === 0) {
    if (proof.length !== 0) fail('proof from the empty tree must be empty');
    return;
  }
  if (proof.length === 0) fail('proof is empty');
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) fail('proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) fail('proof is too short');
  if (!equalBytes(fr, oldRoot)) fail('proof does not lead to the old root');
  if (!equalBytes(sr, newRoot)) fail('proof does not lead to the new root');
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

function assertBytes(field: string, v: unknown): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TlogInputError(field, 'must be a Uint8Array');
}

export function assertHash(field: string, v: unknown): asserts v is Uint8Array {
  assertBytes(field, v);
  if (v.length !== HASH_SIZE) throw new TlogInputError(field, `must be ${HASH_SIZE} bytes, got ${v.length}`);
}

export function assertSize(field: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new TlogInputError(field, 'must be a safe integer ≥ 0');
}
