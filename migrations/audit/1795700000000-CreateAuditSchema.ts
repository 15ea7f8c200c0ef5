import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log (owner `audit`, schema `audit`, in the main database so that every service writes
 * its record in the transaction of the action it records). Append-only: records, tree nodes,
 * checkpoints and cosignatures refuse UPDATE, DELETE and TRUNCATE. Record indexes are allocated
 * gap-free under the row lock of `audit.log_head` inside the writer's transaction.
 */
export class CreateAuditSchema1795700000000 implements MigrationInterface {
  readonly name = 'CreateAuditSchema1795700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE SCHEMA audit');
    await q.query(`
      CREATE TABLE audit.log_head (
        singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        size       bigint NOT NULL DEFAULT 0 CHECK (size >= 0)
      )`);
    await q.query('INSERT INTO audit.log_head DEFAULT VALUES');
    await q.query(`
      CREATE TABLE audit.tree_head (
        singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        size       bigint NOT NULL DEFAULT 0 CHECK (size >= 0)
      )`);
    await q.query('INSERT INTO audit.tree_head DEFAULT VALUES');
    await q.query(`
      CREATE TABLE audit.records (
        idx          bigint PRIMARY KEY CHECK (idx >= 0),
        type         text NOT NULL,
        occurred_at  timestamptz NOT NULL,
        actor        text NOT NULL,
        request_id   text,
        wallet       text,
        body         bytea NOT NULL,
        leaf_hash    bytea NOT NULL CHECK (octet_length(leaf_hash) = 32),
        recorded_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX records_type_idx ON audit.records (type, idx)');
    await q.query('CREATE INDEX records_request_idx ON audit.records (request_id, idx) WHERE request_id IS NOT NULL');
    await q.query('CREATE INDEX records_actor_idx ON audit.records (actor, idx)');
    await q.query('CREATE INDEX records_wallet_idx ON audit.records (wallet, idx) WHERE wallet IS NOT NULL');
    await q.query('CREATE INDEX records_time_idx ON audit.records (occurred_at, idx)');
    await q.query(`
      CREATE TABLE audit.tree_nodes (
        level  smallint NOT NULL CHECK (level BETWEEN 0 AND 63),
        idx    bigint NOT NULL CHECK (idx >= 0),
        hash   bytea NOT NULL CHECK (octet_length(hash) = 32),
        PRIMARY KEY (level, idx)
      )`);
    await q.query(`
      CREATE TABLE audit.checkpoints (
        size       bigint PRIMARY KEY CHECK (size >= 0),
        root_hash  bytea NOT NULL CHECK (octet_length(root_hash) = 32),
        note       text NOT NULL,
        signed_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE audit.cosignatures (
        size            bigint NOT NULL REFERENCES audit.checkpoints (size),
        witness         text NOT NULL,
        signature_line  text NOT NULL,
        received_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (size, witness)
      )`);
    await q.query(`
      CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit.% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const t of ['records', 'tree_nodes', 'checkpoints', 'cosignatures']) {
      await q.query(`CREATE TRIGGER ${t}_append_only BEFORE UPDATE OR DELETE ON audit.${t} FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()`);
      await q.query(`CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON audit.${t} FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP SCHEMA audit CASCADE');
  }
}
