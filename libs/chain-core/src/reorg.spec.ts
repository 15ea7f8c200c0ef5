import fc from 'fast-check';
import { ChainInputError, confirmationsOf, extendsStoredChain, findForkPoint, isCreditable, type ForkSearchStep, type Hash } from '../src';

const h = (branch: string, height: number): Hash => `0x${Buffer.from(`${branch}:${height}`.padEnd(32, '.')).toString('hex')}` as Hash;

/** Runs the search to its end against a node answering from `canonical` (null above its head); counts the steps. */
function search(stored: Map<number, Hash>, canonical: (height: number) => Hash | null, batch?: number): { result: ForkSearchStep; steps: number; asked: number[] } {
  const node = new Map<number, Hash | null>();
  const asked: number[] = [];
  for (let steps = 1; steps < 10_000; steps++) {
    const step = findForkPoint({ stored, node, batch });
    if (step.kind !== 'fetch') return { result: step, steps, asked };
    expect(step.heights.length).toBeGreaterThan(0);
    for (const height of step.heights) {
      expect(node.has(height)).toBe(false); // never asks twice
      asked.push(height);
      node.set(height, canonical(height));
    }
  }
  throw new Error('the search did not end');
}

describe('findForkPoint: walks back to the common ancestor, not a fixed window', () => {
  it('property: the result is the highest height where stored and canonical agree, or beyond-window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 250 }),
        fc.integer({ min: -20, max: 20 }),
        fc.integer({ min: 1, max: 64 }),
        (lowest, windowSize, depth, headShift, batch) => {
          const highest = lowest + windowSize - 1;
          const stored = new Map<number, Hash>();
          for (let k = lowest; k <= highest; k++) stored.set(k, h('old', k));
          // The node's branch leaves ours above `fork`; its head is somewhat above or below ours.
          const fork = highest - depth;
          const nodeHead = Math.max(fork, highest + headShift);
          const canonical = (k: number) => (k > nodeHead ? null : k <= fork ? h('old', k) : h('new', k));
          const { result, asked } = search(stored, canonical, batch);
          if (fork >= lowest) {
            expect(result).toEqual({ kind: 'common-ancestor', number: fork, hash: h('old', fork), orphaned: Array.from({ length: highest - fork }, (_, i) => fork + 1 + i) });
            // It walked down to the fork point, and at most one batch beyond it.
            expect(asked).toContain(fork);
            expect(Math.min(...asked)).toBeGreaterThan(fork - batch);
          } else {
            expect(result).toEqual({ kind: 'beyond-window', lowest, highest });
          }
        },
      ),
      { numRuns: 300, seed: 20261202 },
    );
  });

  it('no reorg: one question, the highest stored block is the ancestor, nothing orphaned', () => {
    const stored = new Map([[10, h('a', 10)], [11, h('a', 11)]]);
    expect(search(stored, (k) => h('a', k))).toEqual({ result: { kind: 'common-ancestor', number: 11, hash: h('a', 11), orphaned: [] }, steps: 2, asked: [11, 10] });
  });

  it('asks in batches of the size given, highest first', () => {
    const stored = new Map(Array.from({ length: 100 }, (_, i) => [i, h('a', i)] as const));
    expect(findForkPoint({ stored, node: new Map(), batch: 5 })).toEqual({ kind: 'fetch', heights: [99, 98, 97, 96, 95] });
  });

  const bad: Array<[string, () => unknown]> = [
    ['an empty window', () => findForkPoint({ stored: new Map(), node: new Map() })],
    ['a window with a gap', () => findForkPoint({ stored: new Map([[1, h('a', 1)], [3, h('a', 3)]]), node: new Map() })],
    ['a malformed stored hash', () => findForkPoint({ stored: new Map([[1, '0x12' as Hash]]), node: new Map([[1, h('a', 1)]]) })],
    ['a malformed node hash', () => findForkPoint({ stored: new Map([[1, h('a', 1)]]), node: new Map([[1, 'zz' as Hash]]) })],
    ['batch 0', () => findForkPoint({ stored: new Map([[1, h('a', 1)]]), node: new Map(), batch: 0 })],
    ['a negative height', () => findForkPoint({ stored: new Map([[-1, h('a', 1)]]), node: new Map() })],
  ];
  it.each(bad)('refuses %s', (_n, fn) => expect(fn).toThrow(ChainInputError));
});

describe('linkage and confirmation depth', () => {
  it('a block extends the stored chain when its parent hash is the stored one', () => {
    const block = { number: 11, hash: h('a', 11), parentHash: h('a', 10), timestamp: 0 };
    expect(extendsStoredChain(h('a', 10), block)).toBe(true);
    expect(extendsStoredChain(h('b', 10), block)).toBe(false);
  });

  it('counts the including block: depth 1 when it is the head', () => {
    expect(confirmationsOf(100, 100)).toBe(1);
    expect(confirmationsOf(100, 111)).toBe(12);
    expect(confirmationsOf(101, 100)).toBe(0);
  });

  it('credits exactly at the configured depth, and no earlier than the safe/finalized tag when required', () => {
    expect(isCreditable(100, 110, 12)).toBe(false);
    expect(isCreditable(100, 111, 12)).toBe(true);
    expect(isCreditable(100, 111, 12, 99)).toBe(false);
    expect(isCreditable(100, 111, 12, 100)).toBe(true);
    expect(isCreditable(100, 111, 12, null)).toBe(false);
    expect(() => isCreditable(100, 111, 0)).toThrow(/confirmations/);
  });
});
