import { bytesToHex } from '@noble/hashes/utils.js';
import { MIGRATION_SETS } from '@custody/migrations';
import { pendingMigrations } from '@custody/persistence';
import { StartupCheckFailed } from '@custody/platform';
import type { DataSource } from 'typeorm';
import type { SignerConfig } from '../config';

interface OwnerRow {
  signer_id: number;
  identity_public_key: Buffer;
}

function databaseName(url: URL): string {
  return decodeURIComponent(url.pathname.replace(/^\//, ''));
}

function short(publicKey: Uint8Array): string {
  return `${bytesToHex(publicKey).slice(0, 16)}…`;
}

/**
 * What a signer checks on its own database before anything else starts:
 * 1. every signer migration is applied (apps never migrate on boot);
 * 2. the database is this signer's: the first start records its id and identity key
 *    (`signer.owner`), every later start compares them, so a node pointed at another node's
 *    database says so instead of blaming its key-encryption key.
 * Each failure is a {@link StartupCheckFailed}: one line and exit 78.
 */
export async function signerStartupChecks(db: DataSource, config: SignerConfig): Promise<void> {
  const name = databaseName(config.databaseUrl);
  const set = MIGRATION_SETS.find((s) => s.owner === 'signer');
  if (!set) throw new Error('bug: no signer migration set');
  const pending = await pendingMigrations(db, set);
  if (pending.length > 0) {
    throw new StartupCheckFailed(
      `database ${name} is not migrated (${pending.length} of ${set.migrations.length} signer migrations pending, first ${pending[0]}): run \`custody migrate\` (or \`custody migrate --signer-database-url <url>\`) first`,
    );
  }
  const mine = Buffer.from(config.identity.publicKey);
  const rows = (await db.query(
    `WITH claimed AS (
       INSERT INTO signer.owner (singleton, signer_id, identity_public_key) VALUES (true, $1, $2)
       ON CONFLICT (singleton) DO NOTHING RETURNING signer_id, identity_public_key)
     SELECT signer_id, identity_public_key FROM claimed
     UNION ALL SELECT signer_id, identity_public_key FROM signer.owner WHERE NOT EXISTS (SELECT 1 FROM claimed)`,
    [config.signerId, mine],
  )) as OwnerRow[];
  const owner = rows[0];
  if (!owner) throw new Error('bug: signer.owner has no row after the claim');
  if (owner.signer_id !== config.signerId) {
    throw new StartupCheckFailed(
      `database ${name} belongs to signer ${owner.signer_id} (identity ${short(owner.identity_public_key)}), not to this node, signer ${config.signerId} (identity ${short(mine)}): check DATABASE_URL`,
    );
  }
  if (!mine.equals(owner.identity_public_key)) {
    throw new StartupCheckFailed(
      `database ${name} belongs to signer ${owner.signer_id} with identity ${short(owner.identity_public_key)}, but this node's identity is ${short(mine)}: check SIGNER_IDENTITY_SEED and DATABASE_URL`,
    );
  }
}
