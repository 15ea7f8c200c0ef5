import { Client } from 'pg';
import { MIGRATION_SETS } from '@custody/migrations';
import { ensureDatabase, revertLastMigration, runMigrationSet } from '@custody/persistence';
import { uniqueTestDatabase } from '@custody/testing';

async function schemas(url: URL): Promise<string[]> {
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const rows = await client.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' AND nspname <> 'information_schema' ORDER BY 1");
    return rows.rows.map((r) => r.nspname);
  } finally {
    await client.end();
  }
}

/** Every owner's migrations apply on an empty database, revert with down(), and apply again. */
describe('migrations (Postgres)', () => {
  for (const kind of ['main', 'signer'] as const) {
    it(`apply, revert and re-apply on a ${kind} database`, async () => {
      const db = uniqueTestDatabase(`custody_mig_${kind}`);
      try {
        await ensureDatabase(db.url);
        const sets = MIGRATION_SETS.filter((s) => s.database === kind);
        for (const set of sets) expect((await runMigrationSet(db.url, set)).applied).toHaveLength(set.migrations.length);
        const owned = sets.map((s) => s.owner.replace(/-/g, '_'));
        expect(await schemas(db.url)).toEqual(expect.arrayContaining(owned));
        for (const set of sets) expect((await runMigrationSet(db.url, set)).applied).toEqual([]);
        for (const set of [...sets].reverse()) for (let i = 0; i < set.migrations.length; i++) await revertLastMigration(db.url, set);
        expect(await schemas(db.url)).toEqual(['public']);
        for (const set of sets) expect((await runMigrationSet(db.url, set)).applied).toHaveLength(set.migrations.length);
      } finally {
        await db.drop();
      }
    }, 60_000);
  }
});
