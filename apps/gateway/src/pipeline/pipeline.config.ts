import { ConfigError, EnvReader, type Environment } from '@custody/config';

/** One EVM chain the pipeline sends on. */
export interface PipelineChain {
  /** The ledger's chain name (e.g. `anvil`). */
  readonly chain: string;
  /** EIP-155 chain id. */
  readonly chainId: number;
  /** The node's JSON-RPC endpoint. */
  readonly rpcUrl: string;
  /** The most any transaction on this chain offers per gas, in wei: fees above it are never signed. */
  readonly maxFeePerGasCap: bigint;
  /** The priority fee when the node's history has none, in wei (default 1 gwei). */
  readonly minPriorityFeePerGas: bigint;
  /** Blocks on top of a withdrawal's block (its own counted) before it is settled (default 1). */
  readonly confirmations: number;
  /**
   * Deposit addresses of hot wallets holding at least this much of the native coin (wei, after the
   * most the sweep's fee can be) are swept to their wallet's sending address; absent: not swept.
   */
  readonly sweepMinWei: bigint | undefined;
}

/**
 * The withdrawal pipeline's configuration (README, "Withdrawals"). `undefined` when PIPELINE_CHAINS is
 * unset: the gateway then serves the rest of the API and answers withdrawals `unavailable`. The
 * services it calls are the gateway's upstreams (LEDGER_GRPC_ADDRESS, POLICY_ENGINE_GRPC_ADDRESS,
 * GATEWAY_SIGNER_ADDRESSES, GATEWAY_SIGNER_THRESHOLD), required when PIPELINE_CHAINS is set.
 */
export interface PipelineConfig {
  readonly chains: ReadonlyMap<string, PipelineChain>;
  /** Whether this process runs the pipeline's workers (PIPELINE_WORKERS on|off, default on). */
  readonly workers: boolean;
  /** Jobs run at once per process (PIPELINE_CONCURRENCY, default 8). */
  readonly concurrency: number;
  /** A broadcast transaction not mined after this is replaced with a higher fee (PIPELINE_STUCK_AFTER_MS, default 120000). */
  readonly stuckAfterMs: number;
  /** First interval of polling approvals and receipts, doubled up to 8× (PIPELINE_POLL_MS, default 1000). */
  readonly pollMs: number;
  /** How long a withdrawal waits for approvals (PIPELINE_APPROVAL_TIMEOUT_MS, default 1 h). */
  readonly approvalTimeoutMs: number;
  /** The ledger deadline of a withdrawal: it must be broadcast before (PIPELINE_WITHDRAWAL_TTL_MS, default 24 h). */
  readonly withdrawalTtlMs: number;
  /** How often open withdrawals are re-driven from Postgres into the queue (PIPELINE_REDRIVE_MS, default 5000). */
  readonly redriveMs: number;
  /** How often deposit addresses are looked at for a sweep (PIPELINE_SWEEP_MS, default 60000; 0: never). */
  readonly sweepMs: number;
}

const CHAIN_NAME = /^[A-Za-z0-9._-]{1,64}$/;

function wei(name: string, value: unknown, fallback?: bigint): bigint {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !/^\d{1,78}$/.test(value)) throw new ConfigError(name, 'must be a decimal string of wei');
  return BigInt(value);
}

function parseChains(value: unknown): Map<string, PipelineChain> {
  const name = 'PIPELINE_CHAINS';
  if (!Array.isArray(value) || value.length === 0 || value.length > 32) throw new ConfigError(name, 'must be a JSON array of 1..32 chains');
  const out = new Map<string, PipelineChain>();
  value.forEach((c: unknown, i) => {
    const at = `${name}[${i}]`;
    if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new ConfigError(at, 'must be an object');
    const o = c as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!['chain', 'chainId', 'rpcUrl', 'maxFeePerGasCap', 'minPriorityFeePerGas', 'confirmations', 'sweepMinWei'].includes(k)) throw new ConfigError(`${at}.${k.slice(0, 32)}`, 'is not a known field');
    if (typeof o.chain !== 'string' || !CHAIN_NAME.test(o.chain)) throw new ConfigError(`${at}.chain`, 'must be 1..64 of [A-Za-z0-9._-]');
    if (out.has(o.chain)) throw new ConfigError(`${at}.chain`, `${o.chain} is named twice`);
    if (typeof o.chainId !== 'number' || !Number.isSafeInteger(o.chainId) || o.chainId < 1) throw new ConfigError(`${at}.chainId`, 'must be a positive integer');
    let url: URL;
    try {
      url = new URL(String(o.rpcUrl));
    } catch {
      throw new ConfigError(`${at}.rpcUrl`, 'must be an http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${at}.rpcUrl`, 'must be an http(s) URL');
    const confirmations = o.confirmations ?? 1;
    if (typeof confirmations !== 'number' || !Number.isSafeInteger(confirmations) || confirmations < 1 || confirmations > 1000) throw new ConfigError(`${at}.confirmations`, 'must be an integer 1..1000');
    const cap = wei(`${at}.maxFeePerGasCap`, o.maxFeePerGasCap);
    if (cap === 0n) throw new ConfigError(`${at}.maxFeePerGasCap`, 'must be > 0');
    out.set(o.chain, {
      chain: o.chain,
      chainId: o.chainId,
      rpcUrl: url.toString(),
      maxFeePerGasCap: cap,
      minPriorityFeePerGas: wei(`${at}.minPriorityFeePerGas`, o.minPriorityFeePerGas, 1_000_000_000n),
      confirmations,
      sweepMinWei: o.sweepMinWei === undefined ? undefined : wei(`${at}.sweepMinWei`, o.sweepMinWei),
    });
  });
  return out;
}

export function parsePipelineConfig(env: Environment): PipelineConfig | undefined {
  const read = new EnvReader(env);
  if (read.optionalString('PIPELINE_CHAINS') === undefined) return undefined;
  const chains = read.json('PIPELINE_CHAINS', parseChains);
  const required = (name: string): string => {
    const value = read.optionalString(name);
    if (value === undefined) throw new ConfigError(name, 'is required when PIPELINE_CHAINS is set');
    return value;
  };
  // The services the pipeline calls are the gateway's upstreams (config.ts, parsed there).
  for (const name of ['LEDGER_GRPC_ADDRESS', 'POLICY_ENGINE_GRPC_ADDRESS', 'GATEWAY_SIGNER_ADDRESSES']) required(name);
  const withdrawalTtlMs = read.integer('PIPELINE_WITHDRAWAL_TTL_MS', { min: 60_000, max: 30 * 86_400_000 }, 86_400_000);
  const approvalTimeoutMs = read.integer('PIPELINE_APPROVAL_TIMEOUT_MS', { min: 1000, max: 30 * 86_400_000 }, 3_600_000);
  if (approvalTimeoutMs >= withdrawalTtlMs) throw new ConfigError('PIPELINE_APPROVAL_TIMEOUT_MS', 'must be shorter than PIPELINE_WITHDRAWAL_TTL_MS');
  return {
    chains,
    workers: read.oneOf('PIPELINE_WORKERS', ['on', 'off'], 'on') === 'on',
    concurrency: read.integer('PIPELINE_CONCURRENCY', { min: 1, max: 256 }, 8),
    stuckAfterMs: read.integer('PIPELINE_STUCK_AFTER_MS', { min: 500, max: 86_400_000 }, 120_000),
    pollMs: read.integer('PIPELINE_POLL_MS', { min: 50, max: 60_000 }, 1000),
    approvalTimeoutMs,
    withdrawalTtlMs,
    redriveMs: read.integer('PIPELINE_REDRIVE_MS', { min: 100, max: 600_000 }, 5000),
    sweepMs: read.integer('PIPELINE_SWEEP_MS', { min: 0, max: 86_400_000 }, 60_000),
  };
}
