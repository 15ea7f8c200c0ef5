import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The public event stream and webhooks.
 *
 * - `events`: one public stream, `seq` gap-free (from the counter row `event_counter`, locked by the
 *   relay's transaction), each event copied from one source's outbox exactly once (`source`,
 *   `source_seq` unique).
 * - `event_cursors`: per source, the last outbox sequence copied; it advances in the same
 *   transaction as the events it copied, so a crash neither loses nor repeats one.
 * - `webhook_endpoints`: per API client; `delivered_seq` is the last event handled (delivered, or
 *   given up on) in order.
 * - `webhook_deliveries`: one per (endpoint, event); `webhook_attempts`: every attempt, with its
 *   status, duration and response code.
 */
export class CreateGatewayEventTables1796800000000 implements MigrationInterface {
  readonly name = 'CreateGatewayEventTables1796800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE gateway.event_counter (
        id       boolean PRIMARY KEY DEFAULT true CHECK (id),
        last_seq bigint NOT NULL CHECK (last_seq >= 0)
      )`);
    await queryRunner.query('INSERT INTO gateway.event_counter (id, last_seq) VALUES (true, 0)');
    await queryRunner.query(`
      CREATE TABLE gateway.events (
        seq         bigint PRIMARY KEY CHECK (seq > 0),
        type        text NOT NULL CHECK (type ~ '^[a-z_]+(\\.[a-z_]+)+$'),
        resource    text NOT NULL,
        data        jsonb NOT NULL,
        source      text NOT NULL,
        source_seq  bigint NOT NULL CHECK (source_seq > 0),
        occurred_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (source, source_seq)
      )`);
    await queryRunner.query(`
      CREATE TABLE gateway.event_cursors (
        source          text PRIMARY KEY,
        last_source_seq bigint NOT NULL CHECK (last_source_seq >= 0),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE gateway.webhook_endpoints (
        id              text PRIMARY KEY CHECK (id ~ '^wh_[A-Za-z0-9_-]{16,64}$'),
        client_id       text NOT NULL REFERENCES gateway.api_clients (client_id),
        url             text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
        event_types     text[] NOT NULL DEFAULT '{}',
        description     text NOT NULL DEFAULT '' CHECK (length(description) <= 256),
        disabled        boolean NOT NULL DEFAULT false,
        disabled_reason text,
        delivered_seq   bigint NOT NULL CHECK (delivered_seq >= 0),
        created_at      timestamptz NOT NULL DEFAULT now(),
        disabled_at     timestamptz,
        deleted_at      timestamptz,
        CHECK (disabled = (disabled_at IS NOT NULL))
      )`);
    await queryRunner.query('CREATE INDEX webhook_endpoints_live ON gateway.webhook_endpoints (created_at) WHERE deleted_at IS NULL AND NOT disabled');
    await queryRunner.query(`
      CREATE TABLE gateway.webhook_deliveries (
        endpoint_id      text NOT NULL REFERENCES gateway.webhook_endpoints (id),
        seq              bigint NOT NULL REFERENCES gateway.events (seq),
        state            text NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
        attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        redeliveries     integer NOT NULL DEFAULT 0 CHECK (redeliveries >= 0),
        first_attempt_at timestamptz,
        next_attempt_at  timestamptz NOT NULL,
        last_status      integer,
        last_error       text,
        created_at       timestamptz NOT NULL DEFAULT now(),
        finished_at      timestamptz,
        PRIMARY KEY (endpoint_id, seq)
      )`);
    await queryRunner.query("CREATE INDEX webhook_deliveries_due ON gateway.webhook_deliveries (next_attempt_at) WHERE state = 'pending'");
    await queryRunner.query(`
      CREATE TABLE gateway.webhook_attempts (
        id              bigserial PRIMARY KEY,
        endpoint_id     text NOT NULL,
        seq             bigint NOT NULL,
        attempt         integer NOT NULL CHECK (attempt > 0),
        started_at      timestamptz NOT NULL,
        duration_ms     integer NOT NULL CHECK (duration_ms >= 0),
        response_status integer,
        error           text,
        succeeded       boolean NOT NULL,
        FOREIGN KEY (endpoint_id, seq) REFERENCES gateway.webhook_deliveries (endpoint_id, seq),
        UNIQUE (endpoint_id, seq, attempt)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['webhook_attempts', 'webhook_deliveries', 'webhook_endpoints', 'event_cursors', 'events', 'event_counter']) {
      await queryRunner.query(`DROP TABLE IF EXISTS gateway.${table}`);
    }
  }
}
