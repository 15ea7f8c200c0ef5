import { Inject, Injectable } from '@nestjs/common';
import { POSTGRES } from '@custody/platform';
import type { DataSource, EntityManager, QueryResult } from 'typeorm';

export type KeyScheme = 'ecdsa' | 'eddsa';
export type OneTimeKind = 'ecdsa-presignature' | 'frost-nonce';

/** A key as this signer knows it (public facts; the share is stored sealed beside it). */
export interface KeyRecord {
  readonly keyId: string;
  readonly scheme: KeyScheme;
  readonly threshold: number;
  readonly participants: readonly number[];
  readonly publicKey: Uint8Array;
  readonly chainCode: Uint8Array | undefined;
  readonly generation: number;
}

interface KeyRow {
  key_id: string;
  scheme: KeyScheme;
  threshold: number;
  participants: number[];
  public_key: Buffer;
  chain_code: Buffer | null;
  generation: number;
}

function toKey(row: KeyRow): KeyRecord {
  return {
    keyId: row.key_id,
    scheme: row.scheme,
    threshold: row.threshold,
    participants: row.participants,
    publicKey: new Uint8Array(row.public_key),
    chainCode: row.chain_code ? new Uint8Array(row.chain_code) : undefined,
    generation: row.generation,
  };
}

export type RequestStatus = 'in-progress' | 'completed' | 'failed';

/**
 * The signer's own database (schema `signer`): keys, sealed shares, one-time values (consumed in
 * one statement, their sealed secret erased), the requests it signed, and its session log.
 */
@Injectable()
export class SignerRepository {
  constructor(@Inject(POSTGRES) private readonly db: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /**
   * Runs one statement and returns its rows, whatever the statement (TypeORM's plain `query` returns
   * `[rows, count]` for UPDATE and DELETE, rows for the others).
   */
  private rowsTx<T>(tx: EntityManager | undefined, sql: string, params: unknown[]): Promise<T[]> {
    return this.rows<T>(sql, params, tx);
  }

  private async rows<T>(sql: string, params: unknown[], tx?: EntityManager): Promise<T[]> {
    const runner = tx?.queryRunner ?? this.db.createQueryRunner();
    try {
      const result = (await runner.query(sql, params, true)) as QueryResult;
      return (result.records ?? []) as T[];
    } finally {
      if (!tx) await runner.release();
    }
  }

  // ---- keys and shares -----------------------------------------------------------------------

  /** Stores a new key and its first sealed share (generation 0) in one transaction. */
  async insertKey(key: KeyRecord, sealedShare: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO signer.keys (key_id, scheme, threshold, participants, public_key, chain_code, generation) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [key.keyId, key.scheme, key.threshold, key.participants, Buffer.from(key.publicKey), key.chainCode ? Buffer.from(key.chainCode) : null, key.generation],
      );
      await tx.query(`INSERT INTO signer.key_shares (key_id, generation, sealed) VALUES ($1, $2, $3)`, [key.keyId, key.generation, sealedShare]);
    });
  }

  /** Removes a key this session created and that never became usable (its share included). */
  async deleteKey(keyId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(`DELETE FROM signer.one_time_values WHERE key_id = $1`, [keyId]);
      await tx.query(`DELETE FROM signer.key_shares WHERE key_id = $1`, [keyId]);
      await tx.query(`DELETE FROM signer.keys WHERE key_id = $1`, [keyId]);
    });
  }

  async findKey(keyId: string): Promise<KeyRecord | undefined> {
    const rows: KeyRow[] = await this.rows(`SELECT * FROM signer.keys WHERE key_id = $1`, [keyId]);
    return rows[0] ? toKey(rows[0]) : undefined;
  }

  /** The sealed share of the key's current generation. */
  async findCurrentShare(keyId: string): Promise<{ generation: number; sealed: string } | undefined> {
    const rows: Array<{ generation: number; sealed: unknown }> = await this.rows(
      `SELECT s.generation, s.sealed FROM signer.key_shares s JOIN signer.keys k ON k.key_id = s.key_id AND k.generation = s.generation WHERE s.key_id = $1`,
      [keyId],
    );
    return rows[0] ? { generation: rows[0].generation, sealed: JSON.stringify(rows[0].sealed) } : undefined;
  }

  /** Stores the refreshed share (pending until `activateGeneration`). */
  async insertShare(keyId: string, generation: number, sealed: string): Promise<void> {
    await this.rows(`INSERT INTO signer.key_shares (key_id, generation, sealed) VALUES ($1, $2, $3)`, [keyId, generation, sealed]);
  }

  async deleteShare(keyId: string, generation: number): Promise<void> {
    await this.rows(`DELETE FROM signer.key_shares WHERE key_id = $1 AND generation = $2 AND generation > (SELECT generation FROM signer.keys WHERE key_id = $1)`, [keyId, generation]);
  }

  /**
   * Makes `generation` the key's current share, erases the previous generation's sealed share and
   * every unused one-time value made with it. Those would still sign (a presignature's k_i, χ_i
   * combine to a valid signature with any generation's shares), so they are deleted here, and
   * mpc-core also refuses a presignature whose key-generation fingerprint is not the current share's.
   */
  async activateGeneration(keyId: string, generation: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [row]: Array<{ generation: number }> = await tx.query(`SELECT generation FROM signer.keys WHERE key_id = $1 FOR UPDATE`, [keyId]);
      if (!row || row.generation + 1 !== generation) throw new Error(`key ${keyId} is not at generation ${generation - 1}`);
      await tx.query(`UPDATE signer.keys SET generation = $2, refreshed_at = now() WHERE key_id = $1`, [keyId, generation]);
      await tx.query(`UPDATE signer.key_shares SET retired_at = now(), sealed = '{}'::jsonb WHERE key_id = $1 AND generation < $2`, [keyId, generation]);
      await tx.query(`DELETE FROM signer.one_time_values WHERE key_id = $1 AND generation < $2 AND consumed_at IS NULL`, [keyId, generation]);
    });
  }

  /** The key-encryption key fingerprints of every sealed record still holding a secret. */
  async sealedKekIds(): Promise<string[]> {
    const rows: Array<{ kek_id: string }> = await this.rows(
      `SELECT DISTINCT sealed->>'kekId' AS kek_id FROM signer.key_shares WHERE sealed ? 'kekId'
       UNION SELECT DISTINCT sealed->>'kekId' FROM signer.one_time_values WHERE sealed ? 'kekId'`,
      [],
    );
    return rows.map((r) => r.kek_id);
  }

  // ---- one-time values --------------------------------------------------------------------------

  /**
   * Stores a one-time value. A presignature names its `owner`, the signer that coordinated its
   * presigning: only the owner may put it in a signing session (see `reservePresignature`).
   */
  async insertOneTime(v: { id: string; kind: OneTimeKind; keyId: string; generation: number; signers: readonly number[]; sealed: string; owner?: number }): Promise<void> {
    // Only while `generation` is the key's current one, under a share lock of the key row: a value
    // made with shares a refresh retired meanwhile (activateGeneration holds the row FOR UPDATE and
    // deletes those of older generations) is not stored at all, instead of surviving the refresh.
    await this.rows(
      `INSERT INTO signer.one_time_values (id, kind, key_id, generation, signers, sealed, owner)
       SELECT $1, $2, k.key_id, $4::integer, $5::integer[], $6::jsonb, $7::integer FROM signer.keys k WHERE k.key_id = $3 AND k.generation = $4::integer FOR SHARE`,
      [v.id, v.kind, v.keyId, v.generation, [...v.signers], v.sealed, v.owner ?? null],
    );
  }

  async deleteOneTime(id: string): Promise<void> {
    await this.rows(`DELETE FROM signer.one_time_values WHERE id = $1`, [id]);
  }

  /**
   * Consumes a one-time value: marks it used and erases its sealed secret in the same statement,
   * returning the sealed secret to the caller only if it was still unused and `owner` owns it (the
   * coordinator of the session asking for it; null for values no coordinator owns, FROST nonces). After this, no retry, crash or concurrent request
   * can obtain it again.
   */
  async consumeOneTime(id: string, keyId: string, owner: number | null, consumedBy: string, tx?: EntityManager): Promise<string | undefined> {
    const rows: Array<{ sealed: unknown }> = await this.rowsTx(tx,
      `WITH taken AS (
         SELECT v.id, v.sealed FROM signer.one_time_values v JOIN signer.keys k ON k.key_id = v.key_id AND k.generation = v.generation
          WHERE v.id = $1 AND v.key_id = $3 AND v.owner IS NOT DISTINCT FROM $4::integer AND v.consumed_at IS NULL FOR UPDATE OF v)
       UPDATE signer.one_time_values v SET consumed_at = now(), consumed_by = $2, sealed = '{}'::jsonb
       FROM taken WHERE v.id = taken.id RETURNING taken.sealed`,
      [id, consumedBy, keyId, owner],
    );
    return rows[0] ? JSON.stringify(rows[0].sealed) : undefined;
  }

  /**
   * The owner marks its presignature usable once every party confirmed it (each has staged its copy),
   * so that no signing session is offered one a participant does not hold yet.
   */
  async markPresignatureReady(id: string, owner: number): Promise<boolean> {
    const rows: unknown[] = await this.rows(
      `UPDATE signer.one_time_values SET ready_at = now() WHERE id = $1 AND owner = $2 AND kind = 'ecdsa-presignature' AND ready_at IS NULL AND consumed_at IS NULL RETURNING id`,
      [id, owner],
    );
    return rows.length === 1;
  }

  /**
   * Reserves the oldest ready presignature this node owns for the key's current generation and this
   * signer set, for one signing session (`reservedBy`), atomically: concurrent callers never get the
   * same one (`FOR UPDATE SKIP LOCKED`), and a reserved one is never offered again, whatever becomes
   * of the session (see `burnPresignature`).
   */
  async reservePresignature(keyId: string, owner: number, signers: readonly number[], reservedBy: string): Promise<string | undefined> {
    const rows: Array<{ id: string }> = await this.rows(
      `WITH pick AS (
         SELECT v.id FROM signer.one_time_values v JOIN signer.keys k ON k.key_id = v.key_id AND k.generation = v.generation
          WHERE v.key_id = $1 AND v.kind = 'ecdsa-presignature' AND v.owner = $2 AND v.signers = $3::integer[]
            AND v.ready_at IS NOT NULL AND v.reserved_at IS NULL AND v.consumed_at IS NULL
          ORDER BY v.created_at LIMIT 1 FOR UPDATE OF v SKIP LOCKED)
       UPDATE signer.one_time_values v SET reserved_at = now(), reserved_by = $4
       FROM pick WHERE v.id = pick.id RETURNING v.id`,
      [keyId, owner, [...signers], reservedBy],
    );
    return rows[0]?.id;
  }

  /**
   * Burns a presignature: consumed and its secret erased, unless it was consumed already. For one that
   * was reserved but whose session ended before this node consumed it (a participant may have).
   */
  async burnPresignature(id: string, reason: string): Promise<boolean> {
    const rows: unknown[] = await this.rows(
      `UPDATE signer.one_time_values SET consumed_at = now(), consumed_by = $2, sealed = '{}'::jsonb WHERE id = $1 AND kind = 'ecdsa-presignature' AND consumed_at IS NULL RETURNING id`,
      [id, `burned: ${reason}`],
    );
    return rows.length === 1;
  }

  /** Burns every reservation left unconsumed by a crash (at start-up: their sessions are gone). */
  async burnStaleReservations(owner: number): Promise<number> {
    const rows: unknown[] = await this.rows(
      `UPDATE signer.one_time_values SET consumed_at = now(), consumed_by = 'burned: reserved before a restart', sealed = '{}'::jsonb
        WHERE kind = 'ecdsa-presignature' AND owner = $1 AND reserved_at IS NOT NULL AND consumed_at IS NULL RETURNING id`,
      [owner],
    );
    return rows.length;
  }

  /** Ready, unreserved presignatures this node owns for the key's generation and signer set. */
  async countReadyPresignatures(keyId: string, owner: number, generation: number, signers: readonly number[]): Promise<number> {
    const rows: Array<{ n: string }> = await this.rows(
      `SELECT count(*) AS n FROM signer.one_time_values WHERE key_id = $1 AND kind = 'ecdsa-presignature' AND owner = $2 AND generation = $3
         AND signers = $4::integer[] AND ready_at IS NOT NULL AND reserved_at IS NULL AND consumed_at IS NULL`,
      [keyId, owner, generation, [...signers]],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Takes the oldest unused value of a key (and signer set) and consumes it in the same statement;
   * concurrent takers never get the same one.
   */
  async takeOneTime(keyId: string, kind: OneTimeKind, generation: number, consumedBy: string, signers?: readonly number[], tx?: EntityManager): Promise<{ id: string; sealed: string } | undefined> {
    const rows: Array<{ id: string; sealed: unknown }> = await this.rowsTx(tx, 
      `WITH taken AS (
         SELECT id, sealed FROM signer.one_time_values
          WHERE key_id = $1 AND kind = $2 AND generation = $3 AND consumed_at IS NULL AND ($5::integer[] IS NULL OR signers = $5::integer[])
          ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       UPDATE signer.one_time_values v SET consumed_at = now(), consumed_by = $4, sealed = '{}'::jsonb
       FROM taken WHERE v.id = taken.id RETURNING taken.id, taken.sealed`,
      [keyId, kind, generation, consumedBy, signers ? [...signers] : null],
    );
    return rows[0] ? { id: rows[0].id, sealed: JSON.stringify(rows[0].sealed) } : undefined;
  }

  /** Every key of a scheme (for the pool fillers). */
  async listKeys(scheme: KeyScheme): Promise<KeyRecord[]> {
    const rows: KeyRow[] = await this.rows(`SELECT * FROM signer.keys WHERE scheme = $1 ORDER BY key_id`, [scheme]);
    return rows.map(toKey);
  }

  async countOneTime(keyId: string, kind: OneTimeKind, generation: number, signers?: readonly number[]): Promise<number> {
    const rows: Array<{ n: string }> = await this.rows(
      `SELECT count(*) AS n FROM signer.one_time_values WHERE key_id = $1 AND kind = $2 AND generation = $3 AND consumed_at IS NULL
         AND ($4::integer[] IS NULL OR signers = $4::integer[])`,
      [keyId, kind, generation, signers ? [...signers] : null],
    );
    return Number(rows[0]?.n ?? 0);
  }

  // ---- signed requests (replay protection) --------------------------------------------------------

  /**
   * Claims a request id for a signing session, unless this node already signed it or is signing it
   * now. A request whose earlier attempt failed may be claimed again (another quorum).
   */
  async claimRequest(requestId: string, keyId: string, signingInput: Uint8Array, sessionId: Uint8Array, tx?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await this.rowsTx(tx, 
      `INSERT INTO signer.signed_requests (request_id, key_id, signing_input, session_id, status) VALUES ($1, $2, $3, $4, 'in-progress')
       ON CONFLICT (request_id) DO UPDATE SET session_id = EXCLUDED.session_id, status = 'in-progress', signed_at = now()
         WHERE signer.signed_requests.status = 'failed' AND signer.signed_requests.key_id = EXCLUDED.key_id
           AND signer.signed_requests.signing_input = EXCLUDED.signing_input
       RETURNING request_id`,
      [requestId, keyId, Buffer.from(signingInput), Buffer.from(sessionId)],
    );
    return rows.length === 1;
  }

  async requestStatus(requestId: string): Promise<RequestStatus | undefined> {
    const rows: Array<{ status: RequestStatus }> = await this.rows(`SELECT status FROM signer.signed_requests WHERE request_id = $1`, [requestId]);
    return rows[0]?.status;
  }

  async finishRequest(requestId: string, sessionId: Uint8Array, status: 'completed' | 'failed'): Promise<void> {
    await this.rows(`UPDATE signer.signed_requests SET status = $3 WHERE request_id = $1 AND session_id = $2 AND status = 'in-progress'`, [
      requestId,
      Buffer.from(sessionId),
      status,
    ]);
  }

  // ---- session log ---------------------------------------------------------------------------

  async logSessionStart(s: { sessionId: Uint8Array; protocol: string; keyId?: string; participants: readonly number[]; coordinator: number; deadline: number }): Promise<void> {
    await this.rows(
      `INSERT INTO signer.sessions (session_id, protocol, key_id, participants, coordinator, status, deadline_at) VALUES ($1, $2, $3, $4, $5, 'running', to_timestamp($6 / 1000.0))
       ON CONFLICT (session_id) DO NOTHING`,
      [Buffer.from(s.sessionId), s.protocol, s.keyId ?? null, [...s.participants], s.coordinator, s.deadline],
    );
  }

  async logSessionEnd(sessionId: Uint8Array, status: 'completed' | 'failed', error?: string): Promise<void> {
    await this.rows(`UPDATE signer.sessions SET status = $2, error = $3, ended_at = now() WHERE session_id = $1`, [Buffer.from(sessionId), status, error ?? null]);
  }

  /** Sessions left running by a crash: they cannot resume, so they are marked failed at start-up. */
  async failInterruptedSessions(): Promise<number> {
    const rows: unknown[] = await this.rows(`UPDATE signer.sessions SET status = 'failed', error = 'interrupted by a restart', ended_at = now() WHERE status = 'running' RETURNING session_id`, []);
    await this.rows(`UPDATE signer.signed_requests SET status = 'failed' WHERE status = 'in-progress'`, []);
    return rows.length;
  }
}
