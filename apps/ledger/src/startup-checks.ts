import { MIGRATION_SETS } from '@custody/migrations';
import { pendingMigrations } from '@custody/persistence';
import { StartupCheckFailed } from '@custody/platform';
import type { DataSource } from 'typeorm';
import type { LedgerConfig } from './config';

/** The ledger never migrates on boot: an unmigrated database stops it with one line (exit 78). */
export async function ledgerStartupChecks(db: DataSource, config: LedgerConfig): Promise<void> {
  const set = MIGRATION_SETS.find((s) => s.owner === 'ledger');
  if (!set) throw new Error('bug: no ledger migration set');
  const pending = await pendingMigrations(db, set);
  if (pending.length > 0) {
    const name = decodeURIComponent(config.databaseUrl.pathname.replace(/^\//, ''));
    throw new StartupCheckFailed(`database ${name} is not migrated (${pending.length} ledger migrations pending, first ${pending[0]}): run \`custody migrate\` first`);
  }
}
