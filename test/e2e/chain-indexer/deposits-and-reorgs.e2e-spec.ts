import { CUSTODY_BIN, runNodeToExit, type ProcessResult } from '@custody/testing';
import { IndexerWorld, TOKEN, decimal } from './indexer-world';
import { ReorgBeyondWindowError } from '../../../apps/chain-indexer/src/indexer/chain-indexer';

/**
 * Deposits to derived addresses, against a real anvil, a real ledger process and Postgres: pending,
 * then credited exactly at the asset's depth (ETH 3, TST 4); reorgs of depth 1, 3 and deeper than
 * the confirmation depth reverse what the orphaned blocks did and credit a re-mined deposit once.
 */
describe('chain indexer: deposits and reorgs (anvil, ledger, Postgres)', () => {
  let world: IndexerWorld;
  beforeAll(async () => {
    world = await IndexerWorld.start('ci_deposits');
  }, 120_000);
  afterAll(async () => {
    await world?.stop();
  }, 30_000);

  async function expectModel(): Promise<void> {
    expect(await world.ledgerView()).toEqual(await world.model());
  }

  it('native and ERC-20 deposits are pending, then credited exactly at the depth', async () => {
    const indexer = world.indexer();
    await world.sync(indexer);
    await world.deposit(0, 'ETH', 1_000n);
    await world.deposit(1, TOKEN, 2_000n, 1);
    await world.mine();
    await world.sync(indexer);
    expect(await world.balance(0, 'ETH')).toEqual({ posted: 0n, incoming: 1_000n });
    expect(await world.balance(1, TOKEN)).toEqual({ posted: 0n, incoming: 2_000n });
    await world.mine(1); // 2 confirmations
    await world.sync(indexer);
    expect(await world.balance(0, 'ETH')).toEqual({ posted: 0n, incoming: 1_000n });
    await world.mine(1); // 3: ETH's depth
    await world.sync(indexer);
    expect(await world.balance(0, 'ETH')).toEqual({ posted: 1_000n, incoming: 0n });
    expect(await world.balance(1, TOKEN)).toEqual({ posted: 0n, incoming: 2_000n });
    await world.mine(1); // 4: the token's depth
    await world.sync(indexer);
    expect(await world.balance(1, TOKEN)).toEqual({ posted: 2_000n, incoming: 0n });
    await expectModel();
    // A restarted indexer changes nothing.
    await world.sync(world.indexer());
    await expectModel();
  }, 60_000);

  it('a reorg of depth 1 removes a pending deposit; depth 3 re-mines one on the new branch, credited once', async () => {
    const indexer = world.indexer();
    const orphan = await world.deposit(0, 'ETH', 5n);
    await world.mine();
    await world.sync(indexer);
    expect(await world.balance(0, 'ETH')).toEqual({ posted: 1_000n, incoming: 5n });
    await world.reorg(1);
    const outcomes = await world.sync(indexer);
    expect(outcomes.some((o) => o.kind === 'reorg' && o.removed === 1 && o.reversed === 1)).toBe(true);
    expect(await world.balance(0, 'ETH')).toEqual({ posted: 1_000n, incoming: 0n });
    void orphan;

    const moved = await world.deposit(2, TOKEN, 7n, 2);
    await world.mine(3);
    await world.sync(indexer);
    expect(await world.balance(2, TOKEN)).toEqual({ posted: 0n, incoming: 7n });
    // Replace the top 3 blocks: the deposit comes back one block later.
    await world.reorg(3, [{ raw: moved.raw, offset: 1 }]);
    await world.sync(indexer);
    await expectModel();
    await world.mine(4);
    await world.sync(indexer);
    expect(await world.balance(2, TOKEN)).toEqual({ posted: 7n, incoming: 0n });
    await expectModel();
  }, 60_000);

  it('a reorg deeper than the confirmation depth reverses a credited deposit; re-mined, it is credited once', async () => {
    const indexer = world.indexer();
    const credited = await world.deposit(1, 'ETH', 40n, 3);
    const lost = await world.deposit(1, TOKEN, 50n, 4);
    await world.mine(6);
    await world.sync(indexer);
    expect(await world.balance(1, 'ETH')).toMatchObject({ incoming: 0n });
    const before = await world.ledgerView();
    expect(before.get(`${world.wallets[1]!.id}/ETH`)!.posted).toBe(40n);
    // 6 blocks replaced (depth 3 and 4 exceeded); only the ETH deposit is mined again, in the last one.
    await world.reorg(6, [{ raw: credited.raw, offset: 5 }]);
    await world.sync(indexer);
    await expectModel();
    const after = await world.ledgerView();
    expect(after.get(`${world.wallets[1]!.id}/ETH`)).toEqual({ posted: 0n, incoming: 40n });
    expect(after.get(`${world.wallets[1]!.id}/${TOKEN}`)!.posted).toBe(before.get(`${world.wallets[1]!.id}/${TOKEN}`)!.posted - 50n);
    void lost;
    await world.mine(3);
    await world.sync(indexer);
    expect((await world.ledgerView()).get(`${world.wallets[1]!.id}/ETH`)).toEqual({ posted: 40n, incoming: 0n });
    await expectModel();
    const check = await world.ledger.check();
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
  }, 60_000);

  function reconcile(): Promise<ProcessResult> {
    return runNodeToExit(
      CUSTODY_BIN,
      ['chain', 'reconcile', '--rpc-url', world.anvil.url, '--ledger', world.ledger.address, '--chain', 'anvil', '--database-url', world.ledger.databaseUrl.toString()],
      { PATH: process.env.PATH },
      60_000,
    );
  }

  it('custody chain reconcile: zero difference after the reorgs; a withdrawal (amount and fee) the chain never saw is reported, exit 1', async () => {
    const clean = await reconcile();
    expect(clean.stdout).toMatch(/chain reconcile: ok \(anvil, 3 addresses, 2 assets/);
    expect(clean.code).toBe(0);
    const w = world.wallets[1]!;
    const id = 'wd-reconcile-1';
    await world.ledger.call('RequestWithdrawal', {
      idempotencyKey: 'rq-1', id, wallet: w.id, chain: 'anvil', asset: 'ETH', amount: decimal(10n), feeEstimate: decimal(1n),
      destination: world.senders[0], sourceAddress: w.address, expiresAtMs: String(Date.now() + 3_600_000),
    });
    for (const [event, extra] of [['approve', {}], ['sign', {}], ['broadcast', { txHash: `0x${'ab'.repeat(32)}` }], ['confirm', { feeActual: decimal(1n) }]] as const) {
      await world.ledger.call('TransitionWithdrawal', { idempotencyKey: `tw-${event}`, id, event, ...extra });
    }
    const dirty = await reconcile();
    expect(dirty.stdout).toContain(`chain reconcile: anvil ETH ${w.address} at block`);
    expect(dirty.stdout).toMatch(/ledger 0\.000000000000000029, node 0\.00000000000000004, difference 0\.000000000000000011/);
    expect(dirty.stdout).toMatch(/chain reconcile: 1 difference$/m);
    expect(dirty.code).toBe(1);
  }, 60_000);

  it('the block stream is gap-free: every block added, and every orphaned one removed, in order', async () => {
    const events = await world.repository.events('anvil', 0, 100_000);
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    // Replaying the stream gives exactly the stored chain: a consumer can undo as we did.
    const chain = new Map<number, string>();
    for (const e of events) {
      if (e.type === 'block.added') {
        expect(chain.has(e.number)).toBe(false);
        if (e.number > 0) expect(chain.get(e.number - 1)).toBe(e.parentHash);
        chain.set(e.number, e.hash);
      } else {
        expect(chain.get(e.number)).toBe(e.hash);
        expect(chain.has(e.number + 1)).toBe(false);
        chain.delete(e.number);
      }
    }
    const stored = await world.repository.storedHashes('anvil');
    for (const [n, h] of stored) expect(chain.get(n)).toBe(h);
  });

  it('a reorg deeper than the stored window stops the indexer loudly and leaves the checkpoint as it was', async () => {
    const indexer = world.indexer({ window: 8 });
    await world.mine(10);
    await world.sync(indexer);
    const stored = await world.repository.storedHashes('anvil');
    await world.reorg(12);
    await expect(world.sync(indexer)).rejects.toThrow(ReorgBeyondWindowError);
    await expect(world.indexer({ window: 8 }).step()).rejects.toThrow(/reorg deeper than the stored window/);
    expect(await world.repository.storedHashes('anvil')).toEqual(stored);
  }, 60_000);
});
