import type { MigrationInterface } from 'typeorm';
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
