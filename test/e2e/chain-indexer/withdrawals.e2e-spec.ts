import { toHex, type Hex } from 'viem';
import { erc20TransferData, parseAddress, type Address } from '@custody/chain-core';
import { IndexerWorld, decimal, units } from './indexer-world';

/**
 * Withdrawal tracking against a real anvil (no automine), a real ledger process and Postgres: a
 * broadcast withdrawal's transaction is found in the blocks read, and at the native asset's depth
 * (2 here) the ledger is told — confirmed with the fee the receipt shows, failed when it reverted or
 * when another transaction used its nonce; a reorg orphaning the confirming block puts it back to
 * broadcast, and mined again it is confirmed once more; a dropped transaction is reported, not failed.
 */
describe('chain indexer: withdrawal tracking (anvil, ledger, Postgres)', () => {
  let world: IndexerWorld;
  const outside = parseAddress(`0x${'5a'.repeat(20)}`);
  let counter = 0;

  beforeAll(async () => {
    world = await IndexerWorld.start('ci_withdrawals', { ethDepth: 2, tokenDepth: 2, wallets: 1 });
    // Wallet 0 gets 50 ETH in the ledger (a deposit, credited at depth).
    await world.deposit(0, 'ETH', 50n * 10n ** 18n);
    await world.mine(2);
    await world.sync(world.indexer());
    expect((await world.balance(0, 'ETH')).posted).toBe(50n * 10n ** 18n);
  }, 120_000);
  afterAll(async () => {
    await world?.stop();
  }, 30_000);

  interface Sent {
    readonly hash: Hex;
    readonly raw: Hex;
    readonly sender: Address;
    readonly nonce: number;
  }

  /** A transaction signed with an anvil dev key; `revert` sends more tokens than the sender has (mined, status 0). */
  async function send(senderIndex: number, options: { revert?: boolean; nonce?: number; value?: bigint } = {}): Promise<Sent> {
    const sender = world.senders[senderIndex]!;
    const nonce = options.nonce ?? Number(BigInt(await world.anvil.rpc<string>('eth_getTransactionCount', [sender, 'pending'])));
    const tx = options.revert
      ? { from: sender, to: world.token, data: toHex(erc20TransferData(outside, 10n ** 40n)), gas: '0x186a0' }
      : { from: sender, to: outside, value: toHex(options.value ?? 10n ** 18n), gas: '0x5208' };
    const raw = await world.anvil.rpc<Hex>('eth_signTransaction', [{ ...tx, nonce: toHex(nonce), maxFeePerGas: '0x3b9aca000', maxPriorityFeePerGas: '0x1' }]);
    const hash = await world.anvil.rpc<Hex>('eth_sendRawTransaction', [raw]);
    return { hash, raw, sender, nonce };
  }

  /** A withdrawal of 1 ETH (fee estimate 0.01) taken to `broadcast` in the ledger with `hash`. */
  async function broadcastInLedger(hash: Hex): Promise<string> {
    const id = `wd-${++counter}`;
    const w = world.wallets[0]!;
    await world.ledger.call('RequestWithdrawal', {
      idempotencyKey: `rq-${id}`,
      id,
      wallet: w.id,
      chain: 'anvil',
      asset: 'ETH',
      amount: '1',
      feeEstimate: '0.01',
      destination: outside,
      sourceAddress: w.address,
      expiresAtMs: String(Date.now() + 3_600_000),
    });
    for (const [event, extra] of [['approve', {}], ['sign', {}], ['broadcast', { txHash: hash }]] as const) {
      await world.ledger.call('TransitionWithdrawal', { idempotencyKey: `${event}-${id}`, id, event, ...extra });
    }
    return id;
  }

  async function ledgerWithdrawal(id: string): Promise<{ state: string; feeActual: string; reason: string }> {
    return world.ledger.call('GetWithdrawal', { id });
  }

  async function track(id: string, sent: Sent, more: Hex[] = []): Promise<void> {
    await world.repository.withdrawals.track({ id, chain: 'anvil', sender: sent.sender, nonce: sent.nonce, txHashes: [sent.hash, ...more] }, 16);
  }

  async function receiptFee(hash: Hex): Promise<bigint> {
    const r = await world.anvil.rpc<{ gasUsed: string; effectiveGasPrice: string }>('eth_getTransactionReceipt', [hash]);
    return BigInt(r.gasUsed) * BigInt(r.effectiveGasPrice);
  }

  it('mined and executed: confirmed at the depth with the fee the receipt shows; the balance pays amount + fee', async () => {
    const indexer = world.indexer();
    const before = await world.balance(0, 'ETH');
    const sent = await send(1);
    const id = await broadcastInLedger(sent.hash);
    await track(id, sent);
    await world.mine(1);
    await world.sync(indexer);
    const row = await world.repository.withdrawals.get(id);
    expect(row).toMatchObject({ status: 'mined', txHash: sent.hash, success: true, ledgerOutcome: '' });
    expect((await ledgerWithdrawal(id)).state).toBe('broadcast');
    await world.mine(1); // the depth (2)
    await world.sync(indexer);
    const fee = await receiptFee(sent.hash);
    expect(fee).toBeGreaterThan(0n);
    expect(await ledgerWithdrawal(id)).toMatchObject({ state: 'confirmed', feeActual: decimal(fee) });
    expect(await world.balance(0, 'ETH')).toEqual({ posted: before.posted - 10n ** 18n - fee, incoming: 0n });
    expect((await world.repository.withdrawals.get(id))!.ledgerOutcome).toBe('confirm');
  }, 60_000);

  it('mined and reverted: failed at the depth, the held amount released', async () => {
    const indexer = world.indexer();
    const before = await world.balance(0, 'ETH');
    const sent = await send(2, { revert: true });
    const id = await broadcastInLedger(sent.hash);
    await track(id, sent);
    await world.mine(2);
    await world.sync(indexer);
    expect(await world.repository.withdrawals.get(id)).toMatchObject({ status: 'mined', success: false, ledgerOutcome: 'fail' });
    const w = await ledgerWithdrawal(id);
    expect(w.state).toBe('failed');
    expect(w.reason).toContain(`reverted on chain in block`);
    expect(await world.balance(0, 'ETH')).toEqual(before);
  }, 60_000);

  it('replaced: another transaction of the sender with the same nonce is mined; reported with its hash, and failed in the ledger', async () => {
    const indexer = world.indexer();
    const ours = await send(3);
    const id = await broadcastInLedger(ours.hash);
    await track(id, ours);
    await world.anvil.rpc('anvil_dropTransaction', [ours.hash]);
    const other = await send(3, { nonce: ours.nonce, value: 7n });
    await world.mine(1);
    await world.sync(indexer);
    expect(await world.repository.withdrawals.get(id)).toMatchObject({ status: 'replaced', replacedBy: other.hash, ledgerOutcome: '' });
    await world.mine(1);
    await world.sync(indexer);
    const w = await ledgerWithdrawal(id);
    expect(w.state).toBe('failed');
    expect(w.reason).toContain(other.hash);
  }, 60_000);

  it('a reorg orphaning the confirming block: back to broadcast (held again); mined again on the new branch, confirmed once', async () => {
    const indexer = world.indexer();
    const before = await world.balance(0, 'ETH');
    const sent = await send(4);
    const id = await broadcastInLedger(sent.hash);
    await track(id, sent);
    await world.mine(3);
    await world.sync(indexer);
    expect((await ledgerWithdrawal(id)).state).toBe('confirmed');
    const fee = await receiptFee(sent.hash);
    expect((await world.balance(0, 'ETH')).posted).toBe(before.posted - 10n ** 18n - fee);
    // The 3 top blocks replaced by empty ones: the confirming block is gone.
    await world.reorg(3);
    const outcomes = await world.sync(indexer);
    expect(outcomes.some((o) => o.kind === 'reorg' && o.reopened === 1)).toBe(true);
    // Open again; anvil_reorg does not put orphaned transactions back in its pool, so at the head it is also dropped.
    expect(await world.repository.withdrawals.get(id)).toMatchObject({ status: 'dropped', ledgerOutcome: 'unconfirm', blockNumber: null });
    expect((await ledgerWithdrawal(id)).state).toBe('broadcast');
    const held = await world.ledger.call<{ posted: string; held: string }>('GetBalance', { account: `customer/${world.wallets[0]!.id}/anvil/ETH` });
    expect(units(held.posted)).toBe(before.posted);
    expect(units(held.held)).toBe(10n ** 18n + fee);
    // The same signed transaction is mined again on the new branch.
    expect(await world.anvil.rpc<Hex>('eth_sendRawTransaction', [sent.raw])).toBe(sent.hash);
    await world.mine(2);
    await world.sync(indexer);
    const again = await ledgerWithdrawal(id);
    expect(again.state).toBe('confirmed');
    const fee2 = await receiptFee(sent.hash);
    expect(again.feeActual).toBe(decimal(fee2));
    // Charged once: amount plus at most the first fee (any excess is custody's).
    expect((await world.balance(0, 'ETH')).posted).toBe(before.posted - 10n ** 18n - (fee2 < fee ? fee2 : fee));
    const check = await world.ledger.check();
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
  }, 60_000);

  it('dropped: the node no longer knows the transaction; reported, not failed; broadcast again and mined, confirmed', async () => {
    const indexer = world.indexer();
    const sent = await send(5);
    const id = await broadcastInLedger(sent.hash);
    await track(id, sent);
    await world.sync(indexer);
    expect((await world.repository.withdrawals.get(id))!.status).toBe('pending');
    await world.anvil.rpc('anvil_dropTransaction', [sent.hash]);
    await world.sync(indexer);
    expect((await world.repository.withdrawals.get(id))!.status).toBe('dropped');
    expect((await ledgerWithdrawal(id)).state).toBe('broadcast');
    await world.anvil.rpc('eth_sendRawTransaction', [sent.raw]);
    await world.sync(indexer);
    expect((await world.repository.withdrawals.get(id))!.status).toBe('pending');
    await world.mine(2);
    await world.sync(indexer);
    expect((await ledgerWithdrawal(id)).state).toBe('confirmed');
  }, 60_000);

  it('tracked after its block was read while the node gives no receipt for it yet (a lagging receipt index): not failed; confirmed once the receipt comes', async () => {
    const sent = await send(6);
    const id = await broadcastInLedger(sent.hash);
    await world.mine(3);
    await world.sync(world.indexer());
    await track(id, sent);
    const hidden = (call: { method: string; params: readonly unknown[] }, answer: unknown): unknown =>
      (call.method === 'eth_getTransactionReceipt' || call.method === 'eth_getTransactionByHash') && call.params[0] === sent.hash ? null : answer;
    await world.sync(world.indexer({ answer: hidden }));
    expect(await world.repository.withdrawals.get(id)).toMatchObject({ status: 'pending', ledgerOutcome: '' });
    expect((await ledgerWithdrawal(id)).state).toBe('broadcast');
    await world.sync(world.indexer());
    expect(await world.repository.withdrawals.get(id)).toMatchObject({ status: 'mined', txHash: sent.hash, ledgerOutcome: 'confirm' });
    expect(await ledgerWithdrawal(id)).toMatchObject({ state: 'confirmed', feeActual: decimal(await receiptFee(sent.hash)) });
  }, 60_000);

  it('tracked after the block that used its nonce for another transaction was read: replaced, named by that transaction found in its block', async () => {
    const ours = await send(7);
    const id = await broadcastInLedger(ours.hash);
    await world.anvil.rpc('anvil_dropTransaction', [ours.hash]);
    const other = await send(7, { nonce: ours.nonce, value: 9n });
    await world.mine(3);
    await world.sync(world.indexer());
    await track(id, ours);
    await world.sync(world.indexer());
    expect(await world.repository.withdrawals.get(id)).toMatchObject({ status: 'replaced', replacedBy: other.hash });
    const w = await ledgerWithdrawal(id);
    expect(w.state).toBe('failed');
    expect(w.reason).toContain(other.hash);
  }, 60_000);

  it('a transaction seen as replacing a withdrawal turns out to be its own, tracked late: open again, then confirmed', async () => {
    const first = await send(5);
    const id = await broadcastInLedger(first.hash);
    await track(id, first);
    await world.anvil.rpc('anvil_dropTransaction', [first.hash]);
    const second = await send(5, { nonce: first.nonce, value: 10n ** 18n + 1n });
    await world.mine(1);
    await world.sync(world.indexer());
    expect(await world.repository.withdrawals.get(id)).toMatchObject({ status: 'replaced', replacedBy: second.hash, ledgerOutcome: '' });
    await track(id, first, [second.hash]);
    expect(await world.repository.withdrawals.get(id)).toMatchObject({ status: 'pending', replacedBy: null });
    await world.mine(2);
    await world.sync(world.indexer());
    expect(await world.repository.withdrawals.get(id)).toMatchObject({ status: 'mined', txHash: second.hash, ledgerOutcome: 'confirm' });
    expect(await ledgerWithdrawal(id)).toMatchObject({ state: 'confirmed', feeActual: decimal(await receiptFee(second.hash)) });
  }, 60_000);

  it('tracked after its block was read: found at the head from its receipt, and confirmed', async () => {
    const indexer = world.indexer();
    const sent = await send(6);
    const id = await broadcastInLedger(sent.hash);
    await world.mine(3);
    await world.sync(indexer);
    await track(id, sent);
    await world.sync(indexer);
    expect(await world.repository.withdrawals.get(id)).toMatchObject({ status: 'mined', txHash: sent.hash, ledgerOutcome: 'confirm' });
    expect(await ledgerWithdrawal(id)).toMatchObject({ state: 'confirmed', feeActual: decimal(await receiptFee(sent.hash)) });
  }, 60_000);
});
