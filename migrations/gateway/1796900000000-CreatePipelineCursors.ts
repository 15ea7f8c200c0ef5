import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `pipeline_cursors`: how far the withdrawal pipeline has read the public event stream
 * (`gateway.events.seq`) for settlements a reorg undid (the ledger's withdrawal.state_changed from
 * confirmed back to broadcast, sent by the chain indexer). It moves only after the withdrawals it
 * saw were reopened, so a crash reads them again (reopening is idempotent).
 */
export class CreatePipelineCursors1796900000000 implements MigrationInterface {
  readonly name = 'CreatePipelineCursors1796900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE gateway.pipeline_cursors (
        name       text PRIMARY KEY CHECK (name ~ '^[a-z-]{1,32}$'),
        last_seq   bigint NOT NULL CHECK (last_seq >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query("INSERT INTO gateway.pipeline_cursors (name, last_seq) VALUES ('reorg-reopen', 0)");
    // the scan reads withdrawal events after the cursor
    await queryRunner.query("CREATE INDEX events_withdrawal_unconfirmed ON gateway.events (seq) WHERE type = 'withdrawal.state_changed' AND data->>'from' = 'confirmed'");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX gateway.events_withdrawal_unconfirmed');
    await queryRunner.query('DROP TABLE gateway.pipeline_cursors');
  }
}
