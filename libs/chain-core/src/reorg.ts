import { fail } from './errors';
import { parseHash, type BlockHeader, type Hash } from './rpc-data';
import { assertSafeInteger } from './validate';

/**
 * Reorg handling as pure functions over the block hashes the indexer stored and those the node
 * reports. The indexer does the I/O; these decide.
 */

/** A block extends the stored chain when its parent hash is the stored hash one height below. */
export function extendsStoredChain(storedParentHash: Hash, block: BlockHeader): boolean {
  return parseHash(storedParentHash, 'storedParentHash') === block.parentHash;
}

export type ForkSearchStep =
  /** The highest stored height whose hash the node still has: every stored block above it is orphaned. */
  | { readonly kind: 'common-ancestor'; readonly number: number; readonly hash: Hash; readonly orphaned: readonly number[] }
  /** Ask the node for the canonical hashes at these heights (highest first), then search again. */
  | { readonly kind: 'fetch'; readonly heights: readonly number[] }
  /** Not even the lowest stored block is canonical: the reorg is deeper than the stored window. Stop; never guess. */
  | { readonly kind: 'beyond-window'; readonly lowest: number; readonly highest: number };

export interface ForkSearchInput {
  /** The stored hashes of the reorg window, by height: a contiguous, non-empty range. */
  readonly stored: ReadonlyMap<number, Hash>;
  /** What the node answered so far, by height: its canonical hash, or null when it has no block there (its chain is shorter). */
  readonly node: ReadonlyMap<number, Hash | null>;
  /** How many heights to ask for in one step (a JSON-RPC batch), 1..1000, default 32. */
  readonly batch?: number;
}

/**
 * One step of the walk back to the common ancestor (not a fixed window): from the highest stored
 * height down, the first height where the node's hash equals the stored one. Heights the node has
 * not been asked about yet are requested in batches; call again with the answers until the result is
 * `common-ancestor` or `beyond-window`.
 */
export function findForkPoint(input: ForkSearchInput): ForkSearchStep {
  if (typeof input !== 'object' || input === null) fail('input', 'must be an object');
  if (!(input.stored instanceof Map) || input.stored.size === 0) fail('input.stored', 'must be a non-empty Map of height to hash');
  if (!(input.node instanceof Map)) fail('input.node', 'must be a Map of height to hash or null');
  const stored: ReadonlyMap<number, Hash> = input.stored as ReadonlyMap<number, Hash>;
  const node: ReadonlyMap<number, Hash | null> = input.node as ReadonlyMap<number, Hash | null>;
  const batch = input.batch ?? 32;
  assertSafeInteger(batch, 'input.batch', 1, 1000);
  const heights: number[] = [...stored.keys()];
  heights.forEach((h, i) => assertSafeInteger(h, `input.stored key ${i}`, 0));
  // A loop, not Math.min(...heights): spreading a long window overflows the call stack.
  let lowest = heights[0]!;
  let highest = heights[0]!;
  for (const h of heights) {
    if (h < lowest) lowest = h;
    if (h > highest) highest = h;
  }
  if (highest - lowest + 1 !== heights.length) fail('input.stored', `must be contiguous (${heights.length} heights between ${lowest} and ${highest})`);
  for (let h = highest; h >= lowest; h--) {
    if (!node.has(h)) {
      const ask: number[] = [];
      for (let k = h; k >= lowest && ask.length < batch; k--) if (!node.has(k)) ask.push(k);
      return { kind: 'fetch', heights: ask };
    }
    const theirs = node.get(h);
    const ours = parseHash(stored.get(h), `input.stored[${h}]`);
    if (theirs !== null && parseHash(theirs, `input.node[${h}]`) === ours) {
      const orphaned: number[] = [];
      for (let k = h + 1; k <= highest; k++) orphaned.push(k);
      return { kind: 'common-ancestor', number: h, hash: ours, orphaned };
    }
  }
  return { kind: 'beyond-window', lowest, highest };
}

/** Blocks on top of the including block, the including one counted: head − number + 1 (0 when above the head). */
export function confirmationsOf(blockNumber: number, head: number): number {
  assertSafeInteger(blockNumber, 'blockNumber', 0);
  assertSafeInteger(head, 'head', 0);
  return head >= blockNumber ? head - blockNumber + 1 : 0;
}

/**
 * Whether a deposit in block `blockNumber` may be credited: at least `confirmations` deep under the
 * node's head and, if the chain is so configured, at or below the node's `safe` or `finalized` block
 * (`taggedHead`, undefined when not required; null when required but the node reports none yet).
 */
export function isCreditable(blockNumber: number, head: number, confirmations: number, taggedHead?: number | null): boolean {
  assertSafeInteger(confirmations, 'confirmations', 1, 10_000);
  if (confirmationsOf(blockNumber, head) < confirmations) return false;
  if (taggedHead === undefined) return true;
  if (taggedHead === null) return false;
  assertSafeInteger(taggedHead, 'taggedHead', 0);
  return blockNumber <= taggedHead;
}
