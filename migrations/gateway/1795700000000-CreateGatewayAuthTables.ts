import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API clients (Ed25519 keys and roles) and the stored responses of idempotent POSTs. */
export class CreateGatewayAuthTables1795700000000 implements MigrationInterface {
  readonly name = 'CreateGatewayAuthTables1795700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE gateway.api_clients (
        client_id   text PRIMARY KEY CHECK (client_id ~ '^[A-Za-z0-9._:-]{1,128}$'),
        public_key  bytea NOT NULL CHECK (octet_length(public_key) = 32),
        roles       text[] NOT NULL CHECK (cardinality(roles) >= 1 AND roles <@ ARRAY['viewer','operator','approver','compliance-admin','auditor','admin']::text[]),
        disabled    boolean NOT NULL DEFAULT false,
        created_at  timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz,
        CHECK (disabled = (disabled_at IS NOT NULL))
      )`);
    await queryRunner.query(`
      CREATE TABLE gateway.idempotency_keys (
        client_id       text NOT NULL REFERENCES gateway.api_clients (client_id),
        idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
        request_hash    bytea NOT NULL CHECK (octet_length(request_hash) = 32),
        state           text NOT NULL CHECK (state IN ('in-flight', 'completed')),
        response_status integer,
        response_body   jsonb,
        created_at      timestamptz NOT NULL DEFAULT now(),
        expires_at      timestamptz NOT NULL,
        PRIMARY KEY (client_id, idempotency_key),
        CHECK ((state = 'completed') = (response_status IS NOT NULL))
      )`);
    await queryRunner.query('CREATE INDEX idempotency_keys_expires_at ON gateway.idempotency_keys (expires_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE gateway.idempotency_keys');
    await queryRunner.query('DROP TABLE gateway.api_clients');
  }
}
