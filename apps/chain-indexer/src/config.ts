import { ConfigError, EnvReader, parseServiceConfig, type Environment, type ServiceConfig } from '@custody/config';

/** The chain-indexer's configuration (environment variables: see README, "Chain indexer"). */
export interface ChainIndexerConfig extends ServiceConfig {
  /** The node's JSON-RPC endpoint (CHAIN_RPC_URL, http or https). */
  readonly rpcUrl: URL;
  /** The chain's name in the ledger (CHAIN_NAME, default anvil). */
  readonly chain: string;
  /** The EIP-155 chain id the node must report (CHAIN_ID, default 31337). */
  readonly chainId: number;
  /** The ledger asset code of the native coin (CHAIN_NATIVE_ASSET, default ETH). */
  readonly nativeAsset: string;
  /** The ledger's gRPC address host:port (LEDGER_GRPC_ADDRESS). */
  readonly ledgerAddress: string;
  /** First height read when nothing is stored (INDEXER_START_BLOCK, default 0). */
  readonly startBlock: number;
  /** Blocks per JSON-RPC batch request (INDEXER_BATCH_BLOCKS, 1..1000, default 100). */
  readonly batchBlocks: number;
  /** Blocks per step — one checkpoint transaction — when behind (INDEXER_CATCHUP_BLOCKS, 1..10000, default 1000; at least one batch). */
  readonly catchUpBlocks: number;
  /** Block hashes kept below the tip (INDEXER_WINDOW, 2..100000, default 256); a deeper reorg stops the indexer. */
  readonly window: number;
  /** Wait between polls at the head, ms (INDEXER_POLL_MS, default 1000). */
  readonly pollMs: number;
  /** Per JSON-RPC request, ms (INDEXER_RPC_TIMEOUT_MS, default 10000). */
  readonly rpcTimeoutMs: number;
  /** Credit no earlier than this tag passes the block (INDEXER_CREDIT_TAG: none, safe, finalized; default none). */
  readonly creditTag: 'safe' | 'finalized' | undefined;
}

const CHAIN_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const ASSET = /^[A-Za-z0-9]{1,16}$/;
const HOST_PORT = /^[A-Za-z0-9.-]{1,253}:[0-9]{1,5}$/;

export function parseChainIndexerConfig(env: Environment): ChainIndexerConfig {
  const read = new EnvReader(env);
  const chain = read.string('CHAIN_NAME', 'anvil');
  if (!CHAIN_NAME.test(chain)) throw new ConfigError('CHAIN_NAME', 'must be 1..64 characters of [a-z0-9-]');
  const nativeAsset = read.string('CHAIN_NATIVE_ASSET', 'ETH');
  if (!ASSET.test(nativeAsset)) throw new ConfigError('CHAIN_NATIVE_ASSET', 'must be 1..16 characters of [A-Za-z0-9]');
  const ledgerAddress = read.string('LEDGER_GRPC_ADDRESS');
  if (!HOST_PORT.test(ledgerAddress)) throw new ConfigError('LEDGER_GRPC_ADDRESS', 'must be host:port');
  const tag = read.oneOf('INDEXER_CREDIT_TAG', ['none', 'safe', 'finalized'] as const, 'none');
  return {
    ...parseServiceConfig(env, 'chain-indexer'),
    rpcUrl: read.url('CHAIN_RPC_URL', ['http', 'https']),
    chain,
    chainId: read.integer('CHAIN_ID', { min: 1, max: Number.MAX_SAFE_INTEGER }, 31337),
    nativeAsset,
    ledgerAddress,
    startBlock: read.integer('INDEXER_START_BLOCK', { min: 0, max: Number.MAX_SAFE_INTEGER }, 0),
    batchBlocks: read.integer('INDEXER_BATCH_BLOCKS', { min: 1, max: 1000 }, 100),
    catchUpBlocks: read.integer('INDEXER_CATCHUP_BLOCKS', { min: 1, max: 10_000 }, 1000),
    window: read.integer('INDEXER_WINDOW', { min: 2, max: 100_000 }, 256),
    pollMs: read.integer('INDEXER_POLL_MS', { min: 10, max: 600_000 }, 1000),
    rpcTimeoutMs: read.integer('INDEXER_RPC_TIMEOUT_MS', { min: 100, max: 600_000 }, 10_000),
    creditTag: tag === 'none' ? undefined : tag,
  };
}
