import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';

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

/**
 * A value as an SQL string literal, for the scripts of `inScriptedTransaction`: exactly pg's
 * `escapeLiteral` (quotes doubled; with a backslash, an E'' literal with backslashes doubled, so it
 * reads the same whatever `standard_conforming_strings` says), with native replaces instead of its
 * character loop (a group commit's literal can be a megabyte).
 */
export function sqlLiteral(value: string): string {
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? ` E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

/** What the work of `inScriptedTransaction` ends with: SQL sent together with COMMIT, and the answer made from its rows. */
export interface ScriptedEnd<T> {
  /** Statements (literals only, no parameters) sent in the same round trip as COMMIT; empty: COMMIT alone. */
  readonly closing: string;
  /** The result, given the rows of the closing script's first statement (empty when there is none). */
  readonly finish: (rows: QueryResultRow[]) => T;
}

function resultsOf(result: QueryResult<QueryResultRow> | Array<QueryResult<QueryResultRow>>): Array<QueryResult<QueryResultRow>> {
  return Array.isArray(result) ? result : [result];
}

/**
 * A READ COMMITTED transaction whose first and last round trips carry work, for the group commit
 * (./transfer-combiner.ts): `BEGIN; SET LOCAL lock_timeout …; <opening>` go in one simple-protocol
 * message and `<closing>; COMMIT` in another, so a change that needs one read in between costs three
 * round trips (the one-row-update limit's BEGIN, UPDATE, COMMIT). Scripts carry no parameters:
 * every value in them is a `sqlLiteral`. When a statement of the closing script fails, Postgres skips
 * the rest of the message (the COMMIT too) and the transaction is rolled back here, as in
 * `inTransaction`. `opening` rows are the rows of the opening's last statement.
 */
export async function inScriptedTransaction<T>(
  pool: Pool,
  lockTimeoutMs: number,
  opening: string,
  work: (tx: Tx, openingRows: QueryResultRow[]) => Promise<ScriptedEnd<T>>,
): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw new DatabaseUnavailableError(error instanceof Error ? error.message.slice(0, 200) : 'connection failed');
  }
  let broken: Error | undefined;
  let committed = false;
  try {
    const opened = resultsOf(await client.query<QueryResultRow>(`BEGIN; SET LOCAL lock_timeout = ${Math.trunc(lockTimeoutMs)}; ${opening}`));
    const end = await work(new ClientTx(client), opened[opened.length - 1]!.rows);
    const closed = resultsOf(await client.query<QueryResultRow>(end.closing === '' ? 'COMMIT' : `${end.closing}; COMMIT`));
    committed = true;
    return end.finish(end.closing === '' ? [] : closed[0]!.rows);
  } catch (error) {
    if (!committed) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
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
