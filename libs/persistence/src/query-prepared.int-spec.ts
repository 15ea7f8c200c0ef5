import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { uniqueTestDatabase } from '@custody/testing';
import { connectPostgres, ensureDatabase, queryPrepared } from './postgres';

const INSERT = 'INSERT INTO prepared_probe (v) VALUES ($1) RETURNING v';
const preparedHere = "SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name = 'probe_insert'";

describe('queryPrepared on Postgres', () => {
  const db = uniqueTestDatabase('query_prepared');
  let ds: DataSource;
  let pool: Pool;

  beforeAll(async () => {
    await ensureDatabase(db.url);
    ds = await connectPostgres(db.url, { poolSize: 2 });
    await ds.query('CREATE TABLE prepared_probe (v text NOT NULL)');
    pool = new Pool({ connectionString: db.url.toString(), max: 1 });
  });
  afterAll(async () => {
    await pool?.end();
    await ds?.destroy();
    await db.drop();
  });

  it('prepares the statement on the transaction connection of a TypeORM EntityManager, and rolls back with it', async () => {
    await expect(
      ds.transaction(async (tx) => {
        expect(await queryPrepared(tx, 'probe_insert', INSERT, ['rolled-back'])).toEqual([{ v: 'rolled-back' }]);
        // Same connection, same transaction: the row is visible to TypeORM's own queries, and the statement is prepared there.
        expect(await tx.query("SELECT count(*)::int AS n FROM prepared_probe WHERE v = 'rolled-back'")).toEqual([{ n: 1 }]);
        expect(await tx.query(preparedHere)).toEqual([{ n: 1 }]);
        throw new Error('the action failed');
      }),
    ).rejects.toThrow('the action failed');
    expect(await ds.query("SELECT count(*)::int AS n FROM prepared_probe WHERE v = 'rolled-back'")).toEqual([{ n: 0 }]);
    await ds.transaction(async (tx) => {
      await queryPrepared(tx, 'probe_insert', INSERT, ['kept']);
    });
    expect(await ds.query("SELECT v FROM prepared_probe")).toEqual([{ v: 'kept' }]);
  });

  it('prepares it on a pg client once, and runs it unprepared on a DataSource', async () => {
    const client = await pool.connect();
    try {
      await queryPrepared(client, 'probe_insert', INSERT, ['a']);
      await queryPrepared(client, 'probe_insert', INSERT, ['b']);
      expect((await client.query(preparedHere)).rows).toEqual([{ n: 1 }]);
    } finally {
      client.release();
    }
    expect(await queryPrepared(ds, 'probe_insert', INSERT, ['c'])).toEqual([{ v: 'c' }]);
    expect(await ds.query('SELECT v FROM prepared_probe ORDER BY v')).toEqual([{ v: 'a' }, { v: 'b' }, { v: 'c' }, { v: 'kept' }]);
  });

  it('refuses a statement name that is not a plain identifier', async () => {
    await expect(queryPrepared(ds, 'Probe; DROP', INSERT, ['x'])).rejects.toThrow(/statement name/);
  });
});
