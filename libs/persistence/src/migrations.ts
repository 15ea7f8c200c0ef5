import type { DataSource, MigrationInterface } from 'typeorm';
import { connectPostgres } from './postgres';

/**
 * The migrations of one database owner (a service, or the signers): its own folder under
 * migrations/, its own schema and its own migrations table (`public.migrations_<owner>`), so owners
 * can be migrated, rolled back and eventually moved to their own database independently.
 */
export interface MigrationSet {
  readonly owner: string;
  /** `main` for the shared service database, `signer` for each signer's own database. */
  readonly database: 'main' | 'signer';
  readonly migrations: ReadonlyArray<new () => MigrationInterface>;
}

export interface MigrationReport {
  readonly owner: string;
  readonly applied: readonly string[];
}

function tableName(set: MigrationSet): string {
  return `migrations_${set.owner.replace(/-/g, '_')}`;
}

/** Applies the pending migrations of `set` on the database at `url`, each in its own transaction. */
export async function runMigrationSet(url: URL, set: MigrationSet): Promise<MigrationReport> {
  const dataSource = await connectPostgres(url, {
    migrations: set.migrations,
    migrationsTableName: tableName(set),
    applicationName: `custody-migrate-${set.owner}`,
    poolSize: 1,
  });
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return { owner: set.owner, applied: applied.map((m) => m.name) };
  } finally {
    await dataSource.destroy();
  }
}

/** Reverts the last applied migration of `set` (its `down()`). */
export async function revertLastMigration(url: URL, set: MigrationSet): Promise<void> {
  const dataSource = await connectPostgres(url, {
    migrations: set.migrations,
    migrationsTableName: tableName(set),
    poolSize: 1,
  });
  try {
    await dataSource.undoLastMigration({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}

/**
 * The migrations of `set` not yet applied on the database behind `dataSource` (all of them when
 * its migrations table does not exist), in order. Apps check this at start-up: they never migrate
 * on boot, and an unmigrated database must stop them with one line, not a failed query later.
 */
export async function pendingMigrations(dataSource: DataSource, set: MigrationSet): Promise<string[]> {
  const table = tableName(set);
  const exists = (await dataSource.query('SELECT to_regclass($1) AS t', [`public.${table}`])) as Array<{ t: string | null }>;
  const applied = new Set<string>();
  if (exists[0]?.t) {
    const rows = (await dataSource.query(`SELECT name FROM public."${table}"`)) as Array<{ name: string }>;
    for (const row of rows) applied.add(row.name);
  }
  return set.migrations.map((m) => new m().name ?? m.name).filter((name) => !applied.has(name));
}
