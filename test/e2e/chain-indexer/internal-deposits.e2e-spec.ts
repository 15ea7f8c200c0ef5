import { toHex, type Hex } from 'viem';
import { parseAddress, type Address } from '@custody/chain-core';
import { IndexerWorld } from './indexer-world';

/**
 * TEST-ONLY forwarder contract: sends the call's value to the address in the first calldata word
 * (CALL with all gas; reverts if that call fails). Runtime 0x6000…fd, 25 bytes, behind a 12-byte
 * constructor that returns it.
 */
const FORWARDER_INIT: Hex = '0x6019600c60003960196000f36000600060006000346000355af115601357005b60006000fd';

/**
 * Internal-call deposits (INDEXER_TRACES=callTracer) against a real anvil, ledger and Postgres: value
 * a contract forwards to a custody address is read from debug_traceBlockByNumber's callTracer frames,
 * pending then credited at the depth like a top-level transfer, and reversed when a reorg orphans it.
 */
describe('chain indexer: internal-call deposits from traces (anvil, ledger, Postgres)', () => {
  let world: IndexerWorld;
  let forwarder: Address;
  beforeAll(async () => {
    world = await IndexerWorld.start('ci_traces', { ethDepth: 2, tokenDepth: 2, wallets: 2 });
    const deploy = await world.anvil.rpc<Hex>('eth_sendTransaction', [{ from: world.senders[0], data: FORWARDER_INIT }]);
    await world.mine(1);
    forwarder = parseAddress((await world.anvil.rpc<{ contractAddress: string }>('eth_getTransactionReceipt', [deploy])).contractAddress);
  }, 120_000);
  afterAll(async () => {
    await world?.stop();
  }, 30_000);

  async function forward(w: number, amount: bigint): Promise<Hex> {
    const target = world.wallets[w]!.address.slice(2).toLowerCase().padStart(64, '0');
    return world.anvil.rpc<Hex>('eth_sendTransaction', [{ from: world.senders[1], to: forwarder, value: toHex(amount), data: `0x${target}`, gas: '0x30000' }]);
  }

  it('value forwarded by a contract to a custody address: pending, then credited at the depth, keyed apart from top-level transfers', async () => {
    const indexer = world.indexer({ traces: true });
    await world.sync(indexer);
    const hash = await forward(0, 12_345n);
    await world.deposit(0, 'ETH', 5n); // a top-level transfer in the same block
    await world.mine(1);
    await world.sync(indexer);
    expect((await world.anvil.rpc<{ status: string }>('eth_getTransactionReceipt', [hash])).status).toBe('0x1');
    expect(await world.balance(0, 'ETH')).toEqual({ posted: 0n, incoming: 12_350n });
    await world.mine(1);
    await world.sync(indexer);
    expect(await world.balance(0, 'ETH')).toEqual({ posted: 12_350n, incoming: 0n });
    const { rows } = await world.pool.query<{ log_index: string }>('SELECT log_index FROM chain_indexer.deposits WHERE tx_hash = $1', [hash]);
    expect(rows.map((r) => Number(r.log_index))).toEqual([2 ** 30]);
  }, 60_000);

  it('a reorg orphaning the forwarding transaction reverses its deposit', async () => {
    const indexer = world.indexer({ traces: true });
    await forward(1, 777n);
    await world.mine(1);
    await world.sync(indexer);
    expect(await world.balance(1, 'ETH')).toEqual({ posted: 0n, incoming: 777n });
    await world.reorg(1);
    await world.sync(indexer);
    expect(await world.balance(1, 'ETH')).toEqual({ posted: 0n, incoming: 0n });
    const check = await world.ledger.check();
    expect(check.code).toBe(0);
  }, 60_000);
});
