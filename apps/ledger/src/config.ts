import { EnvReader, parseServiceConfig, type Environment, type ServiceConfig } from '@custody/config';

/** The ledger's configuration (environment variables: see README, "Ledger"). */
export interface LedgerConfig extends ServiceConfig {
  /** Connections of the books' pool (LEDGER_DB_POOL_SIZE, default 20). */
  readonly poolSize: number;
  /** How long a request waits for a connection of the pool before UNAVAILABLE, in ms (LEDGER_DB_ACQUIRE_TIMEOUT_MS, default 30000). */
  readonly acquireTimeoutMs: number;
  /** How often the hold sweeper expires due holds, in ms (LEDGER_HOLD_SWEEP_MS, default 1000; 0 turns it off). */
  readonly holdSweepMs: number;
  /**
   * How often the withdrawal sweeper expires requested and approved withdrawals past their deadline,
   * in ms (LEDGER_WITHDRAWAL_SWEEP_MS, default 1000; 0 turns it off).
   */
  readonly withdrawalSweepMs: number;
  /**
   * How long a request waits for a concurrent one with the same idempotency key to finish before it
   * is answered ABORTED (retryable), in ms (LEDGER_IDEMPOTENCY_WAIT_MS, default 10000).
   */
  readonly idempotencyWaitMs: number;
}

export function parseLedgerConfig(env: Environment): LedgerConfig {
  const read = new EnvReader(env);
  return {
    ...parseServiceConfig(env, 'ledger'),
    poolSize: read.integer('LEDGER_DB_POOL_SIZE', { min: 1, max: 500 }, 20),
    acquireTimeoutMs: read.integer('LEDGER_DB_ACQUIRE_TIMEOUT_MS', { min: 100, max: 600_000 }, 30_000),
    holdSweepMs: read.integer('LEDGER_HOLD_SWEEP_MS', { min: 0, max: 3_600_000 }, 1000),
    withdrawalSweepMs: read.integer('LEDGER_WITHDRAWAL_SWEEP_MS', { min: 0, max: 3_600_000 }, 1000),
    idempotencyWaitMs: read.integer('LEDGER_IDEMPOTENCY_WAIT_MS', { min: 10, max: 600_000 }, 10_000),
  };
}
