import * as path from 'node:path';
import { migrateAll } from '@custody/local-cluster';
import { ensureDatabase } from '@custody/persistence';
import { MIGRATION_SETS } from '@custody/migrations';
import { runNodeToExit, uniqueTestDatabase } from '@custody/testing';

/**
 * scripts/wait-for-schema.js, the services' init container in k8s/base: on a real Postgres it
 * waits while the owner's migrations are missing (and gives up at its deadline, exit 1), and
 * exits 0 once `custody migrate` has applied them. Runs the built migrations (dist/).
 */
const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'wait-for-schema.js');

describe('wait-for-schema (k8s init container)', () => {
  const database = uniqueTestDatabase('custody_wait_schema');
  const run = (owner: string, timeoutSeconds: number, url = database.url.toString()) =>
    runNodeToExit(SCRIPT, ['--owner', owner, '--timeout-seconds', String(timeoutSeconds)], { PATH: process.env.PATH, DATABASE_URL: url }, 30_000);

  afterAll(async () => {
    await database.drop();
  });

  it('waits, then gives up with exit 1, while the schema is not migrated', async () => {
    await ensureDatabase(database.url);
    const result = await run('ledger', 0);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('ledger: waiting for CreateLedgerSchema1795500000000');
    expect(result.stderr).toContain('gave up after 0 s');
  });

  it('exits 0 once the migration has run', async () => {
    await migrateAll({ mainDatabaseUrl: database.url, signerDatabaseUrls: [] });
    for (const set of MIGRATION_SETS.filter((s) => s.database === 'main')) {
      const { owner } = set;
      const result = await run(owner, 0);
      const applied = `${owner}: all ${set.migrations.length} migration(s) applied`;
      expect({ owner, code: result.code, stdout: result.stdout }).toEqual({ owner, code: 0, stdout: expect.stringContaining(applied) as unknown });
    }
  });

  it('refuses an owner that has no migrations in the services database, naming it', async () => {
    const result = await run('signer', 0);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no migrations of owner "signer"');
  });

  it('reports an unreachable database without its password, and gives up', async () => {
    const result = await run('ledger', 0, 'postgres://custody:do-not-print@127.0.0.1:1/custody');
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('database not answering');
    expect(result.stdout + result.stderr).not.toContain('do-not-print');
  });
});
