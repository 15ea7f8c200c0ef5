import { ConfigError } from '@custody/config';
import { parseChainIndexerConfig } from './config';

/** The indexer's variables, parsed once at start-up: defaults, and every bad value refused naming the variable. */
describe('parseChainIndexerConfig', () => {
  const env = (extra: Record<string, string> = {}) => ({
    HTTP_PORT: '8095',
    GRPC_PORT: '50065',
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/custody',
    REDIS_URL: 'redis://127.0.0.1:6379',
    CHAIN_RPC_URL: 'http://127.0.0.1:8545',
    LEDGER_GRPC_ADDRESS: '127.0.0.1:50064',
    ...extra,
  });

  it('defaults', () => {
    expect(parseChainIndexerConfig(env())).toMatchObject({ chain: 'anvil', chainId: 31337, nativeAsset: 'ETH', startBlock: 0, batchBlocks: 100, catchUpBlocks: 1000, window: 256, pollMs: 1000, creditTag: undefined });
    expect(parseChainIndexerConfig(env({ INDEXER_CREDIT_TAG: 'finalized' })).creditTag).toBe('finalized');
  });

  it.each([
    ['CHAIN_RPC_URL', 'ws://127.0.0.1:8545'],
    ['CHAIN_RPC_URL', 'not a url'],
    ['LEDGER_GRPC_ADDRESS', 'localhost'],
    ['CHAIN_NAME', 'Main Net'],
    ['CHAIN_ID', '0'],
    ['CHAIN_NATIVE_ASSET', 'E-T-H'],
    ['INDEXER_BATCH_BLOCKS', '1001'],
    ['INDEXER_CATCHUP_BLOCKS', '0'],
    ['INDEXER_WINDOW', '1'],
    ['INDEXER_POLL_MS', '-5'],
    ['INDEXER_CREDIT_TAG', 'latest'],
  ])('%s=%s is refused naming the variable', (name, value) => {
    let error: unknown;
    try {
      parseChainIndexerConfig(env({ [name]: value }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(name);
  });

  it('the RPC URL and the ledger address are required', () => {
    const { CHAIN_RPC_URL: _rpc, ...withoutRpc } = env();
    expect(() => parseChainIndexerConfig(withoutRpc)).toThrow(/CHAIN_RPC_URL/);
    const { LEDGER_GRPC_ADDRESS: _ledger, ...withoutLedger } = env();
    expect(() => parseChainIndexerConfig(withoutLedger)).toThrow(/LEDGER_GRPC_ADDRESS/);
  });
});
