import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log's sequencer (as in transparency-dev/tessera and Trillian): a writer's transaction
 * inserts its record into `audit.pending` with no tree index, so writers never wait on each other
 * (the old `audit.log_head` row lock made them commit one after the other). The sequencer, one per
 * database (transaction-scoped advisory lock) in the service that issues checkpoints, moves committed
 * pending rows into `audit.records` with gap-free indexes in the order it sees them committed, stores
 * the new tree nodes and signs the checkpoint in that same transaction.
 *
 * `audit.pending` refuses UPDATE and TRUNCATE; DELETE is the sequencer's move (in the transaction
 * that inserts the same rows into `audit.records`).
 */
export class AuditSequencer1796500000000 implements MigrationInterface {
  readonly name = 'AuditSequencer1796500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit.pending (
        id           bigserial PRIMARY KEY,
        type         text NOT NULL,
        occurred_at  timestamptz NOT NULL,
        actor        text NOT NULL,
        request_id   text,
        wallet       text,
        body         bytea NOT NULL,
        leaf_hash    bytea NOT NULL CHECK (octet_length(leaf_hash) = 32),
        recorded_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE TRIGGER pending_append_only BEFORE UPDATE ON audit.pending FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()');
    await q.query('CREATE TRIGGER pending_no_truncate BEFORE TRUNCATE ON audit.pending FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()');
    // Witness requests look up recent sign grants by time.
    await q.query("CREATE INDEX records_grant_time_idx ON audit.records (occurred_at, idx) WHERE type = 'sign-grant'");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX audit.records_grant_time_idx');
    await q.query('DROP TABLE audit.pending');
  }
}
