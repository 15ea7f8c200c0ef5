import { randomBytes } from 'node:crypto';
import { IndexerWorld, TOKEN, type SentTransfer } from './indexer-world';

/**
 * A seeded random walk: hundreds of steps of blocks, deposits (native and ERC-20, several senders
 * and wallets) and reorgs of random depth, some re-mining part of what they orphan. After every step
 * the ledger must equal the model computed from the canonical chain alone (the node's receipts and
 * head). The seed is printed on failure; CHAIN_INDEXER_SEED=<seed> replays it.
 */

/** mulberry32: a small deterministic PRNG for the test's choices (not for secrets). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STEPS = Number(process.env.CHAIN_INDEXER_STEPS ?? 200);

describe('chain indexer: seeded random blocks, deposits and reorgs', () => {
  const seed = process.env.CHAIN_INDEXER_SEED ? Number(process.env.CHAIN_INDEXER_SEED) : randomBytes(4).readUInt32BE(0);
  let world: IndexerWorld;
  beforeAll(async () => {
    world = await IndexerWorld.start('ci_random', { ethDepth: 3, tokenDepth: 5, window: 64, wallets: 3 });
  }, 120_000);
  afterAll(async () => {
    await world?.stop();
  }, 30_000);

  it(`after every step the ledger equals the model of the canonical chain (seed printed on failure)`, async () => {
    const random = prng(seed);
    const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    const indexer = world.indexer();
    await world.sync(indexer);
    let step = 0;
    let reorgs = 0;
    try {
      for (step = 0; step < STEPS; step++) {
        const action = random();
        const head = await world.head();
        if (action < 0.45) {
          for (let k = int(1, 3); k > 0; k--) {
            await world.deposit(int(0, 2), random() < 0.5 ? 'ETH' : TOKEN, BigInt(int(1, 1_000_000)), int(0, 7));
          }
          await world.mine(1);
        } else if (action < 0.75 || head < 12) {
          await world.mine(int(1, 3));
        } else {
          const depth = int(1, Math.min(8, head - 6));
          const orphaned = await orphanedBy(depth, head);
          // Re-mine, per sender, a prefix of what was orphaned (in nonce order: the chain accepts nothing else).
          const bySender = new Map<string, SentTransfer[]>();
          for (const t of orphaned) bySender.set(t.sender, [...(bySender.get(t.sender) ?? []), t]);
          const remine: Array<{ raw: `0x${string}`; offset: number }> = [];
          for (const list of bySender.values()) {
            list.sort((a, b) => a.nonce - b.nonce);
            const keep = int(0, list.length);
            const offset = int(0, depth - 1);
            for (const t of list.slice(0, keep)) remine.push({ raw: t.raw, offset });
          }
          await world.reorg(depth, remine);
          reorgs++;
          if (random() < 0.5) await world.mine(int(1, 2));
        }
        await world.sync(indexer);
        expect(await world.ledgerView()).toEqual(await world.model());
      }
      expect(reorgs).toBeGreaterThan(STEPS / 10);
      const check = await world.ledger.check();
      expect(check.code).toBe(0);
    } catch (error) {
      throw new Error(`seed ${seed} (CHAIN_INDEXER_SEED=${seed}), failed at step ${step}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }, 600_000);

  /** The transfers whose receipts lie in the top `depth` blocks. */
  async function orphanedBy(depth: number, head: number): Promise<SentTransfer[]> {
    const out: SentTransfer[] = [];
    for (const t of world.transfers) {
      const r = await world.anvil.rpc<{ blockNumber: string } | null>('eth_getTransactionReceipt', [t.hash]);
      if (r && Number(BigInt(r.blockNumber)) > head - depth) out.push(t);
    }
    return out;
  }
});
