import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A signer's own tables. Secret values (key shares, presignatures, nonces) are stored only sealed by
 * the node's key-encryption key (libs/key-vault): a data key per record, wrapped by the KEK, with the
 * key id, signer id and scheme as associated data. One-time values are consumed in a transaction
 * (`consumed_at`) before anything derived from them leaves the node.
 */
export class CreateSignerTables1795500100000 implements MigrationInterface {
  readonly name = 'CreateSignerTables1795500100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE signer.keys (
        key_id        text PRIMARY KEY,
        scheme        text NOT NULL CHECK (scheme IN ('ecdsa', 'eddsa')),
        threshold     integer NOT NULL CHECK (threshold >= 2),
        participants  integer[] NOT NULL,
        public_key    bytea NOT NULL,
        chain_code    bytea,
        generation    integer NOT NULL DEFAULT 0,
        created_at    timestamptz NOT NULL DEFAULT now(),
        refreshed_at  timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE signer.key_shares (
        key_id        text NOT NULL REFERENCES signer.keys (key_id),
        generation    integer NOT NULL,
        sealed        jsonb NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        retired_at    timestamptz,
        PRIMARY KEY (key_id, generation)
      )`);
    await queryRunner.query(`
      CREATE TABLE signer.one_time_values (
        id            text PRIMARY KEY,
        kind          text NOT NULL CHECK (kind IN ('ecdsa-presignature', 'frost-nonce')),
        key_id        text NOT NULL REFERENCES signer.keys (key_id),
        generation    integer NOT NULL,
        signers       integer[] NOT NULL,
        sealed        jsonb NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        consumed_at   timestamptz,
        consumed_by   text
      )`);
    await queryRunner.query(`
      CREATE INDEX one_time_values_available ON signer.one_time_values (key_id, kind, signers) WHERE consumed_at IS NULL`);
    await queryRunner.query(`
      CREATE TABLE signer.signed_requests (
        request_id    text PRIMARY KEY,
        key_id        text NOT NULL,
        signing_input bytea NOT NULL,
        session_id    bytea NOT NULL,
        status        text NOT NULL CHECK (status IN ('in-progress', 'completed', 'failed')),
        signed_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE signer.sessions (
        session_id    bytea PRIMARY KEY,
        protocol      text NOT NULL,
        key_id        text,
        participants  integer[] NOT NULL,
        coordinator   integer NOT NULL,
        status        text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        error         text,
        started_at    timestamptz NOT NULL DEFAULT now(),
        deadline_at   timestamptz NOT NULL,
        ended_at      timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE signer.sessions');
    await queryRunner.query('DROP TABLE signer.signed_requests');
    await queryRunner.query('DROP TABLE signer.one_time_values');
    await queryRunner.query('DROP TABLE signer.key_shares');
    await queryRunner.query('DROP TABLE signer.keys');
  }
}
