import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A withdrawal's deadline as a column (it was only in the jsonb document), so the ledger's sweeper
 * finds the requested and approved withdrawals whose deadline has passed by an index and expires
 * them (state `expired`, holds released as expired, one event each). Existing rows take the
 * deadline from their document (`expiresAt`, milliseconds since the epoch).
 */
export class WithdrawalDeadlines1796100100000 implements MigrationInterface {
  readonly name = 'WithdrawalDeadlines1796100100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE ledger.withdrawals ADD COLUMN expires_at timestamptz');
    await queryRunner.query("UPDATE ledger.withdrawals SET expires_at = to_timestamp((document->>'expiresAt')::numeric / 1000)");
    await queryRunner.query('ALTER TABLE ledger.withdrawals ALTER COLUMN expires_at SET NOT NULL');
    await queryRunner.query("CREATE INDEX withdrawals_due ON ledger.withdrawals (expires_at) WHERE state IN ('requested', 'approved')");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX IF EXISTS ledger.withdrawals_due');
    await queryRunner.query('ALTER TABLE ledger.withdrawals DROP COLUMN IF EXISTS expires_at');
  }
}
