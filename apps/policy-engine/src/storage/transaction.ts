import type { DataSource, QueryRunner } from 'typeorm';

/** A query function bound to one connection (inside one transaction). */
export type Sql = <T = Record<string, unknown>>(text: string, params?: readonly unknown[]) => Promise<T[]>;

/**
 * Runs `work` in one transaction on one pooled connection (READ COMMITTED; per-scope advisory locks
 * serialize what must be serialized). Commits when `work` resolves, rolls back when it throws.
 */
export async function inTransaction<T>(dataSource: DataSource, work: (sql: Sql) => Promise<T>): Promise<T> {
  const runner: QueryRunner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    const sql: Sql = async <R>(text: string, params?: readonly unknown[]) => (await runner.query(text, params ? [...params] : undefined)) as R[];
    try {
      const result = await work(sql);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    }
  } finally {
    await runner.release();
  }
}

/** A query function outside any transaction (single statements). */
export function autocommit(dataSource: DataSource): Sql {
  return async <R>(text: string, params?: readonly unknown[]) => (await dataSource.query(text, params ? [...params] : undefined)) as R[];
}
