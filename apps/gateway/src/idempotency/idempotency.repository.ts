import { Inject, Injectable } from '@nestjs/common';
import { POSTGRES } from '@custody/platform';
import type { DataSource } from 'typeorm';
import type { AuditRecord } from '@custody/audit-core';
import { appendAuditRecord } from '@custody/audit-log';

export type Claim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'other-request' }
  | { readonly kind: 'in-flight' }
  | { readonly kind: 'completed'; readonly status: number; readonly body: unknown };

interface Row {
  request_hash: Buffer;
  state: 'in-flight' | 'completed';
  response_status: number | null;
  response_body: unknown;
}

/** `gateway.idempotency_keys`: one row per client and key, kept until `expires_at`. */
@Injectable()
export class IdempotencyRepository {
  constructor(@Inject(POSTGRES) private readonly db: DataSource) {}

  /**
   * Claims the key for this request (in one statement, so that of two concurrent requests exactly
   * one claims it), or says what holds it: the same request in flight or completed, or another one.
   * An expired row is replaced.
   */
  async claim(clientId: string, key: string, requestHash: Buffer, ttlHours: number, audit?: AuditRecord): Promise<Claim> {
    // The claim and the request's audit record commit together: a request whose record cannot be written is not run.
    const inserted: unknown[] = await this.db.transaction(async (tx) => {
      const rows: unknown[] = await tx.query(
      `INSERT INTO gateway.idempotency_keys AS k (client_id, idempotency_key, request_hash, state, expires_at)
       VALUES ($1, $2, $3, 'in-flight', now() + make_interval(hours => $4))
       ON CONFLICT (client_id, idempotency_key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, state = 'in-flight', response_status = NULL, response_body = NULL,
             created_at = now(), expires_at = EXCLUDED.expires_at
         WHERE k.expires_at < now()
       RETURNING 1`,
        [clientId, key, requestHash, ttlHours],
      );
      if (rows.length === 1 && audit !== undefined) await appendAuditRecord(tx, audit);
      return rows;
    });
    if (inserted.length === 1) return { kind: 'claimed' };
    const rows: Row[] = await this.db.query(
      'SELECT request_hash, state, response_status, response_body FROM gateway.idempotency_keys WHERE client_id = $1 AND idempotency_key = $2',
      [clientId, key],
    );
    const row = rows[0];
    // Released between the two statements: the caller may simply retry.
    if (!row) return { kind: 'in-flight' };
    if (!row.request_hash.equals(requestHash)) return { kind: 'other-request' };
    if (row.state === 'in-flight') return { kind: 'in-flight' };
    return { kind: 'completed', status: row.response_status!, body: row.response_body };
  }

  async complete(clientId: string, key: string, status: number, body: unknown): Promise<void> {
    await this.db.query(
      `UPDATE gateway.idempotency_keys SET state = 'completed', response_status = $3, response_body = $4::jsonb WHERE client_id = $1 AND idempotency_key = $2`,
      [clientId, key, status, JSON.stringify(body ?? null)],
    );
  }

  /** Gives the key up after a failed request, so that a retry runs it again. */
  async release(clientId: string, key: string): Promise<void> {
    await this.db.query(`DELETE FROM gateway.idempotency_keys WHERE client_id = $1 AND idempotency_key = $2 AND state = 'in-flight'`, [clientId, key]);
  }
}
