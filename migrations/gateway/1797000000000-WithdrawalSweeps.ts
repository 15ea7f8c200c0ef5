import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sweeps (README, "Withdrawals" → "Sweeps"): a withdrawal row of `kind` 'sweep' moves what a
 * deposit address holds to its wallet's sending address (child 0). `source_index` is the child the
 * transaction is sent from (0 for every ordinary withdrawal). At most one sweep per address is open
 * at a time (the partial unique index), so the periodic sweeper can never create two for one
 * deposit, whichever gateway process runs it. The sweeper is the initiator `system:sweeper`, a prefix
 * no API client may have.
 */
export class WithdrawalSweeps1797000000000 implements MigrationInterface {
  readonly name = 'WithdrawalSweeps1797000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE gateway.withdrawals
        ADD COLUMN kind text NOT NULL DEFAULT 'withdrawal' CHECK (kind IN ('withdrawal', 'sweep')),
        ADD COLUMN source_index bigint NOT NULL DEFAULT 0 CHECK (source_index >= 0 AND source_index < 2147483648),
        ADD CHECK (kind = 'sweep' OR source_index = 0),
        ADD CHECK (kind = 'withdrawal' OR source_index > 0)`);
    // The sweeper initiates as `system:sweeper`; no API client may carry a system: id.
    await queryRunner.query("ALTER TABLE gateway.api_clients ADD CONSTRAINT api_clients_not_system CHECK (client_id !~ '^system:')");
    await queryRunner.query(`
      CREATE UNIQUE INDEX withdrawals_one_open_sweep ON gateway.withdrawals (wallet_id, chain, source_index)
       WHERE kind = 'sweep' AND state <> 'confirmed' AND (state NOT IN ('failed', 'denied', 'rejected', 'expired', 'cancelled') OR NOT released)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX gateway.withdrawals_one_open_sweep');
    await queryRunner.query('ALTER TABLE gateway.api_clients DROP CONSTRAINT api_clients_not_system');
    await queryRunner.query('ALTER TABLE gateway.withdrawals DROP COLUMN source_index, DROP COLUMN kind');
  }
}
