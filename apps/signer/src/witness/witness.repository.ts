import { Inject, Injectable } from '@nestjs/common';
import { POSTGRES } from '@custody/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { SignedGrantRef, WitnessEvidence, WitnessState } from '@custody/audit-core';

/** The witness's tables in this signer's own database (signer.witness_*). */
@Injectable()
export class WitnessRepository {
  constructor(@Inject(POSTGRES) private readonly db: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  private async rows<T>(sql: string, params: unknown[], tx?: EntityManager): Promise<T[]> {
    const r: unknown = await (tx ?? this.db).query(sql, params);
    // UPDATE/DELETE … RETURNING come back as [rows, count].
    if (Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number') return r[0] as T[];
    return r as T[];
  }

  /** Remembers a grant this node is about to sign (in the transaction that claims the request). */
  async recordGrant(requestId: string, leafHash: Uint8Array, tx: EntityManager): Promise<void> {
    await this.rows('INSERT INTO signer.witness_grants (request_id, leaf_hash) VALUES ($1, $2) ON CONFLICT (request_id) DO NOTHING', [requestId, Buffer.from(leafHash)], tx);
  }

  /** The uncleared alarm that stops this node from signing, if any. */
  async activeAlarm(tx?: EntityManager): Promise<{ id: number; reason: string } | null> {
    const r = await this.rows<{ id: string; reason: string }>(
      "SELECT id, reason FROM signer.witness_evidence WHERE kind = 'missing-grant' AND cleared_at IS NULL ORDER BY id LIMIT 1",
      [],
      tx,
    );
    return r[0] ? { id: Number(r[0].id), reason: r[0].reason } : null;
  }

  async lockState(origin: string, tx: EntityManager): Promise<WitnessState | null> {
    // Serialize witness requests per node: the advisory lock covers the first checkpoint too.
    await this.rows('SELECT pg_advisory_xact_lock(hashtext($1))', [`witness:${origin}`], tx);
    const r = await this.rows<{ size: string; root_hash: Buffer; note: string }>('SELECT size, root_hash, note FROM signer.witness_state WHERE origin = $1', [origin], tx);
    return r[0] ? { size: Number(r[0].size), rootHash: new Uint8Array(r[0].root_hash), note: r[0].note } : null;
  }

  async state(origin: string): Promise<{ size: number } | null> {
    const r = await this.rows<{ size: string }>('SELECT size FROM signer.witness_state WHERE origin = $1', [origin]);
    return r[0] ? { size: Number(r[0].size) } : null;
  }

  async pendingGrants(tx: EntityManager): Promise<SignedGrantRef[]> {
    const r = await this.rows<{ request_id: string; leaf_hash: Buffer; signed_at: Date }>(
      'SELECT request_id, leaf_hash, signed_at FROM signer.witness_grants WHERE included_in_size IS NULL AND waived_at IS NULL ORDER BY signed_at LIMIT 100000',
      [],
      tx,
    );
    return r.map((g) => ({ requestId: g.request_id, leafHash: new Uint8Array(g.leaf_hash), signedAt: g.signed_at.getTime() }));
  }

  async saveState(origin: string, s: WitnessState, included: readonly string[], tx: EntityManager): Promise<void> {
    await this.rows(
      `INSERT INTO signer.witness_state (origin, size, root_hash, note) VALUES ($1, $2, $3, $4)
       ON CONFLICT (origin) DO UPDATE SET size = EXCLUDED.size, root_hash = EXCLUDED.root_hash, note = EXCLUDED.note, cosigned_at = now()`,
      [origin, String(s.size), Buffer.from(s.rootHash), s.note],
      tx,
    );
    if (included.length > 0) await this.rows('UPDATE signer.witness_grants SET included_in_size = $2 WHERE request_id = ANY($1::text[]) AND included_in_size IS NULL', [[...included], String(s.size)], tx);
  }

  /** Kept outside the refused request's transaction: evidence survives whatever happens next. */
  async keepEvidence(e: { origin: string; kind: 'fork' | 'missing-grant'; reason: string; requestIds: readonly string[]; evidence: WitnessEvidence }): Promise<number> {
    const r = await this.rows<{ id: string }>(
      'INSERT INTO signer.witness_evidence (origin, kind, reason, request_ids, evidence) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [e.origin, e.kind, e.reason, [...e.requestIds], JSON.stringify(e.evidence)],
    );
    return Number(r[0]!.id);
  }
}
