import type { Pool, PoolClient, QueryResultRow } from 'pg';

/**
 * No connection to Postgres within LEDGER_DB_ACQUIRE_TIMEOUT_MS: every connection of the pool is
 * busy, or the database is unreachable. UNAVAILABLE, retryable; nothing was written.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(reason: string) {
    super(`the ledger's database is busy or unreachable (${reason}); retry`);
  }
}

/** One transaction's connection: every query of a change runs on it, between BEGIN and COMMIT. */
export interface Tx {
  query<R extends QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

class ClientTx implements Tx {
  constructor(private readonly client: PoolClient) {}

  async query<R extends QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return (await this.client.query<R>(sql, params as unknown[])).rows;
  }
}

/**
 * Runs `work` in one READ COMMITTED transaction on a connection of `pool`: COMMIT when it resolves,
 * ROLLBACK when it throws (the error is rethrown). `lockTimeoutMs` bounds every lock wait of the
 * transaction (SQLSTATE 55P03 when exceeded). A connection whose ROLLBACK failed is discarded.
 */
export async function inTransaction<T>(pool: Pool, work: (tx: Tx) => Promise<T>, lockTimeoutMs?: number): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw new DatabaseUnavailableError(error instanceof Error ? error.message.slice(0, 200) : 'connection failed');
  }
  let broken: Error | undefined;
  try {
    const timeout = lockTimeoutMs === undefined ? '' : `; SET LOCAL lock_timeout = ${Math.trunc(lockTimeoutMs)}`;
    await client.query(`BEGIN${timeout}`);
    const result = await work(new ClientTx(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/** A read outside any explicit transaction. */
export async function read<R extends QueryResultRow>(pool: Pool, sql: string, params: readonly unknown[] = []): Promise<R[]> {
  return (await pool.query<R>(sql, params as unknown[])).rows;
}

/** The Postgres error code (SQLSTATE) of a pg error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
