import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The policy engine's tables (schema `policy`). Policy versions are immutable and kept forever (a
 * trigger refuses UPDATE and DELETE); the active pointer is one row; every evaluation names the
 * version and content hash it used; velocity reservations are released, never deleted, when a request
 * fails. Amounts are numeric(78,0) in the asset's smallest unit; times are timestamptz plus, where the
 * pure core needs them, milliseconds since the epoch.
 */
export class CreatePolicyTables1795700000000 implements MigrationInterface {
  readonly name = 'CreatePolicyTables1795700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE policy.bootstrap (
        singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        file_hash     text NOT NULL,
        content_hash  text NOT NULL,
        applied_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE policy.versions (
        version       integer PRIMARY KEY CHECK (version >= 1),
        content_hash  text NOT NULL,
        document      jsonb NOT NULL,
        proposal_id   text,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE FUNCTION policy.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'policy.% rows are immutable', TG_TABLE_NAME;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER versions_immutable BEFORE UPDATE OR DELETE ON policy.versions
        FOR EACH ROW EXECUTE FUNCTION policy.refuse_change()`);
    await queryRunner.query(`
      CREATE TABLE policy.governance (
        seq           integer PRIMARY KEY CHECK (seq >= 1),
        document      jsonb NOT NULL,
        content_hash  text NOT NULL,
        proposal_id   text,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TRIGGER governance_immutable BEFORE UPDATE OR DELETE ON policy.governance
        FOR EACH ROW EXECUTE FUNCTION policy.refuse_change()`);
    await queryRunner.query(`
      CREATE TABLE policy.active_version (
        singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        version       integer NOT NULL REFERENCES policy.versions (version),
        activated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE policy.proposals (
        proposal_id       text PRIMARY KEY,
        kind              text NOT NULL CHECK (kind IN ('policy', 'bootstrap')),
        body              jsonb NOT NULL,
        content_hash      text NOT NULL,
        base_version      integer NOT NULL,
        base_hash         text NOT NULL,
        proposed_by       text NOT NULL,
        status            text NOT NULL CHECK (status IN ('open', 'activated')),
        created_at        timestamptz NOT NULL DEFAULT now(),
        activated_at      timestamptz,
        activated_version integer REFERENCES policy.versions (version)
      )`);
    await queryRunner.query(`
      CREATE TABLE policy.proposal_approvals (
        proposal_id   text NOT NULL REFERENCES policy.proposals (proposal_id),
        admin_id      text NOT NULL,
        decision      text NOT NULL CHECK (decision IN ('approve', 'reject')),
        signature     bytea NOT NULL CHECK (octet_length(signature) = 64),
        received_at_ms bigint NOT NULL,
        PRIMARY KEY (proposal_id, admin_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE policy.requests (
        request_id      text PRIMARY KEY,
        operation       text NOT NULL,
        initiator_id    text NOT NULL,
        body            jsonb NOT NULL,
        input_hash      text NOT NULL,
        sign_request    jsonb,
        request_digest  bytea NOT NULL,
        created_at_ms   bigint NOT NULL,
        policy_version  integer NOT NULL REFERENCES policy.versions (version),
        policy_hash     text NOT NULL,
        status          text NOT NULL CHECK (status IN ('allowed', 'denied', 'pending-approval', 'rejected', 'failed')),
        hook_verdict    jsonb,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX requests_created ON policy.requests (created_at_ms)');
    await queryRunner.query(`
      CREATE TABLE policy.evaluations (
        evaluation_id   bigserial PRIMARY KEY,
        request_id      text NOT NULL REFERENCES policy.requests (request_id),
        policy_version  integer NOT NULL REFERENCES policy.versions (version),
        policy_hash     text NOT NULL,
        outcome         text NOT NULL,
        reason          text NOT NULL,
        matched_rule    text,
        decision        jsonb NOT NULL,
        evaluated_at_ms bigint NOT NULL,
        evaluated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX evaluations_request ON policy.evaluations (request_id, evaluation_id)');
    await queryRunner.query(`
      CREATE TABLE policy.request_approvals (
        request_id      text NOT NULL REFERENCES policy.requests (request_id),
        approver_id     text NOT NULL,
        decision        text NOT NULL CHECK (decision IN ('approve', 'reject')),
        policy_version  integer NOT NULL,
        policy_hash     text NOT NULL,
        signature       bytea NOT NULL CHECK (octet_length(signature) = 64),
        grant_signature bytea CHECK (grant_signature IS NULL OR octet_length(grant_signature) = 64),
        received_at_ms  bigint NOT NULL,
        PRIMARY KEY (request_id, approver_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE policy.velocity_reservations (
        reservation_id  bigserial PRIMARY KEY,
        scope_key       text NOT NULL,
        amount          numeric(78,0) NOT NULL CHECK (amount >= 0),
        reserved_at_ms  bigint NOT NULL,
        request_id      text NOT NULL REFERENCES policy.requests (request_id),
        -- A request awaiting approvals holds its reservation only until its approvals expire.
        expires_at_ms   bigint,
        released_at     timestamptz
      )`);
    await queryRunner.query(`
      CREATE INDEX velocity_live ON policy.velocity_reservations (scope_key, reserved_at_ms) INCLUDE (amount) WHERE released_at IS NULL`);
    await queryRunner.query('CREATE INDEX velocity_request ON policy.velocity_reservations (request_id)');
    await queryRunner.query(`
      CREATE TABLE policy.grants (
        request_id      text PRIMARY KEY REFERENCES policy.requests (request_id),
        grant_json      text NOT NULL,
        issued_at_ms    bigint NOT NULL,
        expires_at_ms   bigint NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE policy.address_book (
        entry_id        text PRIMARY KEY,
        chain_id        integer NOT NULL CHECK (chain_id >= 1),
        address         text NOT NULL,
        tags            text[] NOT NULL DEFAULT '{}',
        label           text NOT NULL DEFAULT '',
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        deleted_at      timestamptz
      )`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX address_book_live ON policy.address_book (chain_id, address) WHERE deleted_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'address_book',
      'grants',
      'velocity_reservations',
      'request_approvals',
      'evaluations',
      'requests',
      'proposal_approvals',
      'proposals',
      'active_version',
      'governance',
      'versions',
      'bootstrap',
    ]) {
      await queryRunner.query(`DROP TABLE IF EXISTS policy.${table}`);
    }
    await queryRunner.query('DROP FUNCTION IF EXISTS policy.refuse_change()');
  }
}
