import type { LedgerDelivery } from '../ledger/ledger-delivery';
import type { AssetTerms, IndexerRepository } from '../store/indexer.repository';
import { AssetNotInLedgerError, ChainIndexer, type IndexerLog } from './chain-indexer';

const H = (n: number): string => `0x${n.toString(16).padStart(64, '0')}`;
const A = (n: number): string => `0x${n.toString(16).padStart(40, '0')}`;
const silent: IndexerLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Block 1 of a node whose one transaction pays 1 ETH to the watched address A(2). */
const block1 = {
  number: '0x1',
  hash: H(1),
  parentHash: H(0),
  timestamp: '0x6553f100',
  transactions: [{ hash: H(1000), blockHash: H(1), blockNumber: '0x1', transactionIndex: '0x0', from: A(1), to: A(2), value: '0xde0b6b3a7640000', nonce: '0x0', input: '0x' }],
};

function rpcAnswer(method: string): unknown {
  switch (method) {
    case 'eth_chainId':
      return '0x7a69';
    case 'eth_blockNumber':
      return '0x1';
    case 'eth_syncing':
      return false;
    case 'eth_getBlockByNumber':
      return block1;
    default:
      throw new Error(`unexpected ${method}`);
  }
}

function world(ledgerAssets: () => ReadonlyArray<[string, AssetTerms]>): { indexer: ChainIndexer; applied: Array<ReadonlyMap<string, AssetTerms>>; loads: () => number } {
  const applied: Array<ReadonlyMap<string, AssetTerms>> = [];
  const repository = {
    tip: () => Promise.resolve(null),
    watchSet: () => Promise.resolve({ addresses: new Map([[A(2), 'wallet-1']]), tokens: new Map(), nativeAsset: 'ETH' }),
    withdrawals: { open: () => Promise.resolve([]) },
    applyBlocks: (input: { assets: ReadonlyMap<string, AssetTerms> }) => {
      applied.push(input.assets);
      return Promise.resolve();
    },
  } as unknown as IndexerRepository;
  const delivery = { deliverAll: () => Promise.resolve() } as unknown as LedgerDelivery;
  const rpc = {
    call: (method: string) => Promise.resolve(rpcAnswer(method)),
    batch: (calls: ReadonlyArray<{ method: string }>) => Promise.resolve(calls.map((c) => rpcAnswer(c.method))),
  };
  let loads = 0;
  const loadAssets = (): Promise<Map<string, AssetTerms>> => {
    loads += 1;
    return Promise.resolve(new Map(ledgerAssets()));
  };
  const indexer = new ChainIndexer({ chain: 'anvil', chainId: 31337, nativeAsset: 'ETH', startBlock: 1, batchBlocks: 10, window: 16 }, rpc, repository, delivery, loadAssets, silent);
  return { indexer, applied, loads: () => loads };
}

const ETH: [string, AssetTerms] = ['ETH', { decimals: 18, confirmations: 1 }];

describe('ChainIndexer: the ledger asset terms', () => {
  it('reads them again when a step needs an asset the ledger got after the indexer started (custody up creates its chain asset once the cluster is up)', async () => {
    let ledgerHasEth = false;
    const { indexer, applied, loads } = world(() => (ledgerHasEth ? [ETH] : []));
    await indexer.start();
    expect(loads()).toBe(1);
    ledgerHasEth = true;
    expect(await indexer.step()).toMatchObject({ kind: 'advanced', from: 1, to: 1, deposits: 1 });
    expect(loads()).toBe(2);
    expect(applied[0]!.get('ETH')).toEqual({ decimals: 18, confirmations: 1 });
  });

  it('waits (a transient error naming the asset, nothing stored) while the ledger has no native coin, then goes on', async () => {
    let ledgerHasEth = false;
    const { indexer, applied } = world(() => (ledgerHasEth ? [ETH] : []));
    const failure = await indexer.step().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AssetNotInLedgerError);
    expect((failure as Error).message).toBe("the ledger has no asset anvil/ETH yet (the ledger's CreateAsset makes it); waiting for it");
    expect(ChainIndexer.isTransient(failure)).toBe(true);
    expect(applied).toHaveLength(0);
    ledgerHasEth = true;
    expect(await indexer.step()).toMatchObject({ kind: 'advanced', deposits: 1 });
    expect(applied).toHaveLength(1);
  });
});
