import { MIGRATION_SETS } from '@custody/migrations';
import { pendingMigrations } from '@custody/persistence';
import { StartupCheckFailed } from '@custody/platform';
import type { DataSource } from 'typeorm';
import type { PolicyEngineConfig } from '../config';

/** Before any module starts: every policy migration is applied (apps never migrate on boot). */
export async function policyStartupChecks(db: DataSource, config: PolicyEngineConfig): Promise<void> {
  const set = MIGRATION_SETS.find((s) => s.owner === 'policy');
  if (!set) throw new Error('bug: no policy migration set');
  const pending = await pendingMigrations(db, set);
  if (pending.length > 0) {
    const name = decodeURIComponent(config.databaseUrl.pathname.replace(/^\//, ''));
    throw new StartupCheckFailed(`database ${name} is not migrated (${pending.length} of ${set.migrations.length} policy migrations pending, first ${pending[0]}): run \`custody migrate\` first`);
  }
}
