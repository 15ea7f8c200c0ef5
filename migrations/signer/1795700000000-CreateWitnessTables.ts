import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The signer as a witness of the audit log: per origin, the last checkpoint it cosigned; the grants
 * it took part in signing, until a cosigned checkpoint shows them; and the evidence of every refusal
 * that accuses the log (a fork, a hidden grant). An uncleared `missing-grant` alarm stops this node
 * from taking part in new signing sessions until an operator clears it (`custody witness clear`).
 */
export class CreateWitnessTables1795700000000 implements MigrationInterface {
  readonly name = 'CreateWitnessTables1795700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE signer.witness_state (
        origin       text PRIMARY KEY,
        size         bigint NOT NULL CHECK (size >= 0),
        root_hash    bytea NOT NULL CHECK (octet_length(root_hash) = 32),
        note         text NOT NULL,
        cosigned_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE signer.witness_grants (
        request_id        text PRIMARY KEY,
        leaf_hash         bytea NOT NULL CHECK (octet_length(leaf_hash) = 32),
        signed_at         timestamptz NOT NULL DEFAULT now(),
        included_in_size  bigint,
        waived_at         timestamptz,
        waived_by         text
      )`);
    await q.query('CREATE INDEX witness_grants_pending_idx ON signer.witness_grants (signed_at) WHERE included_in_size IS NULL AND waived_at IS NULL');
    await q.query(`
      CREATE TABLE signer.witness_evidence (
        id           bigserial PRIMARY KEY,
        origin       text NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('fork', 'missing-grant')),
        reason       text NOT NULL,
        request_ids  text[] NOT NULL DEFAULT '{}',
        evidence     jsonb NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        cleared_at   timestamptz,
        cleared_by   text
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE signer.witness_evidence');
    await q.query('DROP TABLE signer.witness_grants');
    await q.query('DROP TABLE signer.witness_state');
  }
}
