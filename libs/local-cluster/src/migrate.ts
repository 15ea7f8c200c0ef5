import { MIGRATION_SETS } from '@custody/migrations';
import { ensureDatabase, runMigrationSet, type MigrationReport } from '@custody/persistence';

export interface MigrateTargets {
  /** The services' shared database (schemas gateway, policy, ledger, chain_indexer), if it is to be migrated. */
  readonly mainDatabaseUrl?: URL;
  /** Each signer's own database. */
  readonly signerDatabaseUrls: readonly URL[];
}

export interface DatabaseMigrationReport {
  readonly database: string;
  readonly created: boolean;
  readonly owners: readonly MigrationReport[];
}

/** Creates missing databases and applies every pending migration, owner by owner. */
export async function migrateAll(targets: MigrateTargets): Promise<DatabaseMigrationReport[]> {
  const list: Array<{ url: URL; kind: 'main' | 'signer' }> = [
    ...(targets.mainDatabaseUrl ? [{ url: targets.mainDatabaseUrl, kind: 'main' as const }] : []),
    ...targets.signerDatabaseUrls.map((url) => ({ url, kind: 'signer' as const })),
  ];
  const reports: DatabaseMigrationReport[] = [];
  for (const target of list) {
    const created = await ensureDatabase(target.url);
    const owners: MigrationReport[] = [];
    for (const set of MIGRATION_SETS.filter((s) => s.database === target.kind)) {
      owners.push(await runMigrationSet(target.url, set));
    }
    reports.push({ database: decodeURIComponent(target.url.pathname.slice(1)), created, owners });
  }
  return reports;
}
