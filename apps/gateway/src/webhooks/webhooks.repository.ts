import { Inject, Injectable } from '@nestjs/common';
import { POSTGRES } from '@custody/platform';
import type { DataSource } from 'typeorm';

export interface WebhookEndpoint {
  readonly id: string;
  readonly clientId: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly description: string;
  readonly disabled: boolean;
  readonly disabledReason: string | null;
  readonly deliveredSeq: bigint;
  readonly createdAt: Date;
  readonly disabledAt: Date | null;
}

export interface WebhookAttemptRecord {
  readonly attempt: number;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly responseStatus: number | null;
  readonly error: string | null;
  readonly succeeded: boolean;
}

export interface WebhookDeliveryRecord {
  readonly endpointId: string;
  readonly seq: bigint;
  readonly eventType: string;
  readonly state: 'pending' | 'succeeded' | 'failed';
  readonly attempts: number;
  readonly redeliveries: number;
  readonly nextAttemptAt: Date;
  readonly attemptLog: readonly WebhookAttemptRecord[];
}

/** A pending delivery the dispatcher has to schedule: its next attempt number and when. */
export interface DueDelivery {
  readonly endpointId: string;
  readonly seq: bigint;
  readonly nextAttempt: number;
  readonly delayMs: number;
}

/** What a claimed attempt needs. */
export interface ClaimedAttempt {
  readonly url: string;
  readonly firstAttemptAt: Date;
  readonly now: Date;
}

export type AttemptOutcome =
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'retry'; readonly delayMs: number }
  | { readonly kind: 'give-up'; readonly reason: string };

interface EndpointRow {
  id: string;
  client_id: string;
  url: string;
  event_types: string[];
  description: string;
  disabled: boolean;
  disabled_reason: string | null;
  delivered_seq: string;
  created_at: Date;
  disabled_at: Date | null;
}

const ENDPOINT_COLUMNS = 'id, client_id, url, event_types, description, disabled, disabled_reason, delivered_seq, created_at, disabled_at';

function toEndpoint(r: EndpointRow): WebhookEndpoint {
  return {
    id: r.id,
    clientId: r.client_id,
    url: r.url,
    eventTypes: r.event_types,
    description: r.description,
    disabled: r.disabled,
    disabledReason: r.disabled_reason,
    deliveredSeq: BigInt(r.delivered_seq),
    createdAt: r.created_at,
    disabledAt: r.disabled_at,
  };
}

const LIVE = 'e.deleted_at IS NULL AND NOT e.disabled';

/** `gateway.webhook_endpoints`, `webhook_deliveries`, `webhook_attempts`: the only SQL on webhooks. */
@Injectable()
export class WebhooksRepository {
  constructor(@Inject(POSTGRES) private readonly db: DataSource) {}

  /** A new endpoint; it receives the events taken in after this moment. */
  async create(e: { id: string; clientId: string; url: string; eventTypes: readonly string[]; description: string }): Promise<WebhookEndpoint> {
    const rows: EndpointRow[] = await this.db.query(
      `INSERT INTO gateway.webhook_endpoints (id, client_id, url, event_types, description, delivered_seq)
       SELECT $1, $2, $3, $4, $5, last_seq FROM gateway.event_counter WHERE id RETURNING ${ENDPOINT_COLUMNS}`,
      [e.id, e.clientId, e.url, e.eventTypes, e.description],
    );
    return toEndpoint(rows[0]!);
  }

  async find(id: string): Promise<WebhookEndpoint | undefined> {
    const rows: EndpointRow[] = await this.db.query(`SELECT ${ENDPOINT_COLUMNS} FROM gateway.webhook_endpoints WHERE id = $1 AND deleted_at IS NULL`, [id]);
    return rows[0] ? toEndpoint(rows[0]) : undefined;
  }

  /** Endpoints in id order after `after` (of `clientId` only, unless null), at most `limit`. */
  async list(clientId: string | null, after: string | undefined, limit: number): Promise<WebhookEndpoint[]> {
    const rows: EndpointRow[] = await this.db.query(
      `SELECT ${ENDPOINT_COLUMNS} FROM gateway.webhook_endpoints
       WHERE deleted_at IS NULL AND ($1::text IS NULL OR client_id = $1) AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3`,
      [clientId, after ?? null, limit],
    );
    return rows.map(toEndpoint);
  }

  /** Deletes the endpoint (kept, marked deleted, with its delivery history); false if there was none. */
  async delete(id: string): Promise<boolean> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
    const [rows]: [unknown[], number] = await this.db.query('UPDATE gateway.webhook_endpoints SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING id', [id]);
    return rows.length > 0;
  }

  /** Enables a disabled endpoint; the delivery it gave up on is tried again from the start. */
  async enable(id: string): Promise<WebhookEndpoint | undefined> {
    return this.db.transaction(async (m) => {
      const [rows]: [EndpointRow[], number] = await m.query(
        `UPDATE gateway.webhook_endpoints SET disabled = false, disabled_reason = NULL, disabled_at = NULL WHERE id = $1 AND deleted_at IS NULL RETURNING ${ENDPOINT_COLUMNS}`,
        [id],
      );
      if (!rows[0]) return undefined;
      await m.query(
        `UPDATE gateway.webhook_deliveries SET state = 'pending', first_attempt_at = NULL, next_attempt_at = now(), finished_at = NULL
         WHERE endpoint_id = $1 AND seq > $2 AND state = 'failed'`,
        [id, rows[0].delivered_seq],
      );
      return toEndpoint(rows[0]);
    });
  }

  /**
   * For every live endpoint without one, the delivery of the next event it takes (after
   * `delivered_seq`, of its types): one at a time per endpoint, so it receives them in order.
   */
  async openHeads(): Promise<number> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO gateway.webhook_deliveries (endpoint_id, seq, state, next_attempt_at)
       SELECT e.id, n.seq, 'pending', now()
       FROM gateway.webhook_endpoints e
       CROSS JOIN LATERAL (
         SELECT ev.seq FROM gateway.events ev
         WHERE ev.seq > e.delivered_seq AND (cardinality(e.event_types) = 0 OR ev.type = ANY (e.event_types))
         ORDER BY ev.seq LIMIT 1
       ) n
       WHERE ${LIVE}
         AND NOT EXISTS (SELECT 1 FROM gateway.webhook_deliveries d WHERE d.endpoint_id = e.id AND d.seq > e.delivered_seq)
       ON CONFLICT DO NOTHING
       RETURNING endpoint_id`,
    );
    return rows.length;
  }

  /** Pending deliveries of live endpoints due within `horizonMs`, soonest first. */
  async due(horizonMs: number, limit: number): Promise<DueDelivery[]> {
    const rows: Array<{ endpoint_id: string; seq: string; attempts: number; delay_ms: string }> = await this.db.query(
      `SELECT d.endpoint_id, d.seq, d.attempts, GREATEST(0, floor(extract(epoch FROM (d.next_attempt_at - now())) * 1000))::bigint AS delay_ms
       FROM gateway.webhook_deliveries d JOIN gateway.webhook_endpoints e ON e.id = d.endpoint_id
       WHERE d.state = 'pending' AND d.next_attempt_at <= now() + $1 * interval '1 millisecond' AND ${LIVE}
       ORDER BY d.next_attempt_at LIMIT $2`,
      [horizonMs, limit],
    );
    return rows.map((r) => ({ endpointId: r.endpoint_id, seq: BigInt(r.seq), nextAttempt: r.attempts + 1, delayMs: Number(r.delay_ms) }));
  }

  /**
   * Takes attempt `attempt` of a delivery, once: only if it is pending, due, its endpoint live and
   * `attempt` the next number. The lease (`leaseMs`) makes it due again should this process die
   * before it records the outcome. Undefined: not this attempt's turn (a stale or repeated job).
   */
  async claim(endpointId: string, seq: bigint, attempt: number, leaseMs: number): Promise<ClaimedAttempt | undefined> {
    const [rows]: [Array<{ url: string; first_attempt_at: Date; now: Date }>, number] = await this.db.query(
      `UPDATE gateway.webhook_deliveries d
       SET attempts = d.attempts + 1, first_attempt_at = COALESCE(d.first_attempt_at, now()), next_attempt_at = now() + $4 * interval '1 millisecond'
       FROM gateway.webhook_endpoints e
       WHERE d.endpoint_id = $1 AND d.seq = $2 AND d.state = 'pending' AND d.attempts = $3 - 1 AND d.next_attempt_at <= now() + interval '100 milliseconds'
         AND e.id = d.endpoint_id AND ${LIVE}
       RETURNING e.url, d.first_attempt_at, now() AS now`,
      [endpointId, seq.toString(), attempt, leaseMs],
    );
    return rows[0] ? { url: rows[0].url, firstAttemptAt: rows[0].first_attempt_at, now: rows[0].now } : undefined;
  }

  /** Records an attempt and its consequence, in one transaction. */
  async record(
    endpointId: string,
    seq: bigint,
    attempt: { attempt: number; startedAt: Date; durationMs: number; status: number | null; error: string | null },
    outcome: AttemptOutcome,
  ): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO gateway.webhook_attempts (endpoint_id, seq, attempt, started_at, duration_ms, response_status, error, succeeded)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (endpoint_id, seq, attempt) DO NOTHING`,
        [endpointId, seq.toString(), attempt.attempt, attempt.startedAt, attempt.durationMs, attempt.status, attempt.error, outcome.kind === 'succeeded'],
      );
      if (outcome.kind === 'succeeded') {
        await m.query(
          `UPDATE gateway.webhook_deliveries SET state = 'succeeded', last_status = $3, last_error = NULL, finished_at = now()
           WHERE endpoint_id = $1 AND seq = $2 AND state = 'pending' AND attempts = $4`,
          [endpointId, seq.toString(), attempt.status, attempt.attempt],
        );
        await m.query('UPDATE gateway.webhook_endpoints SET delivered_seq = $2 WHERE id = $1 AND delivered_seq < $2', [endpointId, seq.toString()]);
      } else if (outcome.kind === 'retry') {
        await m.query(
          `UPDATE gateway.webhook_deliveries SET next_attempt_at = now() + $5 * interval '1 millisecond', last_status = $3, last_error = $6
           WHERE endpoint_id = $1 AND seq = $2 AND state = 'pending' AND attempts = $4`,
          [endpointId, seq.toString(), attempt.status, attempt.attempt, outcome.delayMs, attempt.error],
        );
      } else {
        await m.query(
          `UPDATE gateway.webhook_deliveries SET state = 'failed', last_status = $3, last_error = $5, finished_at = now()
           WHERE endpoint_id = $1 AND seq = $2 AND state = 'pending' AND attempts = $4`,
          [endpointId, seq.toString(), attempt.status, attempt.attempt, attempt.error],
        );
        await m.query('UPDATE gateway.webhook_endpoints SET disabled = true, disabled_reason = $2, disabled_at = now() WHERE id = $1 AND NOT disabled', [endpointId, outcome.reason]);
      }
    });
  }

  /**
   * Sends an event to the endpoint again (out of order: the in-order delivery goes on meanwhile).
   * Undefined if the event does not exist; 'pending' if it is being delivered already.
   */
  async redeliver(endpointId: string, seq: bigint): Promise<'scheduled' | 'pending' | undefined> {
    return this.db.transaction(async (m) => {
      const events: unknown[] = await m.query('SELECT 1 FROM gateway.events WHERE seq = $1', [seq.toString()]);
      if (events.length === 0) return undefined;
      const existing: Array<{ state: string }> = await m.query('SELECT state FROM gateway.webhook_deliveries WHERE endpoint_id = $1 AND seq = $2 FOR UPDATE', [endpointId, seq.toString()]);
      if (existing[0]?.state === 'pending') return 'pending';
      if (existing[0]) {
        await m.query(
          `UPDATE gateway.webhook_deliveries SET state = 'pending', redeliveries = redeliveries + 1, first_attempt_at = NULL, next_attempt_at = now(), finished_at = NULL
           WHERE endpoint_id = $1 AND seq = $2`,
          [endpointId, seq.toString()],
        );
      } else {
        await m.query("INSERT INTO gateway.webhook_deliveries (endpoint_id, seq, state, redeliveries, next_attempt_at) VALUES ($1, $2, 'pending', 1, now())", [endpointId, seq.toString()]);
      }
      return 'scheduled';
    });
  }

  /** Deliveries of an endpoint, newest event first, before `beforeSeq`, with every attempt. */
  async deliveries(endpointId: string, beforeSeq: bigint | undefined, limit: number): Promise<WebhookDeliveryRecord[]> {
    const rows: Array<{
      endpoint_id: string;
      seq: string;
      type: string;
      state: WebhookDeliveryRecord['state'];
      attempts: number;
      redeliveries: number;
      next_attempt_at: Date;
      log: Array<{ attempt: number; started_at: string; duration_ms: number; response_status: number | null; error: string | null; succeeded: boolean }> | null;
    }> = await this.db.query(
      `SELECT d.endpoint_id, d.seq, ev.type, d.state, d.attempts, d.redeliveries, d.next_attempt_at,
              (SELECT json_agg(json_build_object('attempt', a.attempt, 'started_at', a.started_at, 'duration_ms', a.duration_ms,
                      'response_status', a.response_status, 'error', a.error, 'succeeded', a.succeeded) ORDER BY a.attempt)
               FROM gateway.webhook_attempts a WHERE a.endpoint_id = d.endpoint_id AND a.seq = d.seq) AS log
       FROM gateway.webhook_deliveries d JOIN gateway.events ev ON ev.seq = d.seq
       WHERE d.endpoint_id = $1 AND ($2::bigint IS NULL OR d.seq < $2) ORDER BY d.seq DESC LIMIT $3`,
      [endpointId, beforeSeq?.toString() ?? null, limit],
    );
    return rows.map((r) => ({
      endpointId: r.endpoint_id,
      seq: BigInt(r.seq),
      eventType: r.type,
      state: r.state,
      attempts: r.attempts,
      redeliveries: r.redeliveries,
      nextAttemptAt: r.next_attempt_at,
      attemptLog: (r.log ?? []).map((a) => ({ attempt: a.attempt, startedAt: new Date(a.started_at), durationMs: a.duration_ms, responseStatus: a.response_status, error: a.error, succeeded: a.succeeded })),
    }));
  }
}
