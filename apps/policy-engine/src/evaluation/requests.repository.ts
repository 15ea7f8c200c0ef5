import type { SignGrant } from '@custody/sign-grant';
import { Inject, Injectable } from '@nestjs/common';
import { POSTGRES } from '@custody/platform';
import type { DataSource } from 'typeorm';
import { autocommit, type Sql } from '../storage/transaction';

export type RequestStatus = 'allowed' | 'denied' | 'pending-approval' | 'rejected' | 'failed';

export interface StoredRequest {
  readonly requestId: string;
  readonly operation: string;
  readonly initiatorId: string;
  /** The decoded request as stored (amount as a decimal string). */
  readonly body: Record<string, unknown>;
  readonly inputHash: string;
  readonly signRequestJson: unknown;
  readonly requestDigest: Uint8Array;
  readonly createdAtMs: number;
  readonly policyVersion: number;
  readonly policyHash: string;
  readonly status: RequestStatus;
  readonly hookVerdict: HookVerdict | null;
}

export interface HookVerdict {
  readonly ruleId: string;
  readonly verdict: 'approve' | 'reject' | 'unavailable';
}

export interface StoredEvaluation {
  readonly policyVersion: number;
  readonly policyHash: string;
  readonly outcome: string;
  readonly reason: string;
  readonly matchedRule: string | null;
  /** The decision as JSON (amounts as strings). */
  readonly decision: Record<string, unknown>;
  /** The same, already serialized (written as is when present). */
  readonly decisionText?: string;
  readonly evaluatedAtMs: number;
}

export interface StoredApproval {
  readonly approverId: string;
  readonly decision: 'approve' | 'reject';
  readonly policyVersion: number;
  readonly policyHash: string;
  readonly signature: Uint8Array;
  readonly grantSignature: Uint8Array | null;
  readonly receivedAtMs: number;
}

export interface Reservation {
  readonly scopeKey: string;
  readonly amount: bigint;
  /** A pending request's approval expiry (ms): the reservation stops counting after it; null once allowed. */
  readonly expiresAtMs: number | null;
}

interface RequestRow {
  request_id: string;
  operation: string;
  initiator_id: string;
  body: Record<string, unknown>;
  input_hash: string;
  sign_request: unknown;
  request_digest: Buffer;
  created_at_ms: string;
  policy_version: number;
  policy_hash: string;
  status: RequestStatus;
  hook_verdict: HookVerdict | null;
}

const REQUEST_COLUMNS = 'request_id, operation, initiator_id, body, input_hash, sign_request, request_digest, created_at_ms, policy_version, policy_hash, status, hook_verdict';

function request(row: RequestRow): StoredRequest {
  return {
    requestId: row.request_id,
    operation: row.operation,
    initiatorId: row.initiator_id,
    body: row.body,
    inputHash: row.input_hash,
    signRequestJson: row.sign_request,
    requestDigest: Uint8Array.from(row.request_digest),
    createdAtMs: Number(row.created_at_ms),
    policyVersion: row.policy_version,
    policyHash: row.policy_hash,
    status: row.status,
    hookVerdict: row.hook_verdict,
  };
}

/**
 * SQL of requests, their evaluations, approvals, velocity reservations and grants. Velocity: the
 * caller locks the scopes ({@link lockScopes}) in its transaction before it reads their usage.
 */
@Injectable()
export class RequestsRepository {
  private readonly sql: Sql;

  constructor(@Inject(POSTGRES) dataSource: DataSource) {
    this.sql = autocommit(dataSource);
  }

  async request(id: string, sql: Sql = this.sql, forUpdate = false): Promise<StoredRequest | undefined> {
    const rows = await sql<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM policy.requests WHERE request_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? request(rows[0]) : undefined;
  }

  /** Stored requests created in [from, to) (ms), oldest first, at most `limit`. */
  async requestsBetween(from: number, to: number, limit: number): Promise<StoredRequest[]> {
    const rows = await this.sql<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM policy.requests WHERE created_at_ms >= $1 AND created_at_ms < $2 ORDER BY created_at_ms, request_id LIMIT $3`, [from, to, limit]);
    return rows.map(request);
  }

  /**
   * Takes a transaction-scoped advisory lock on every scope key, in the order of their 64-bit
   * hashes (so two transactions never wait on each other in a cycle, even when two keys collide).
   */
  async lockScopes(sql: Sql, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await sql(
      `SELECT pg_advisory_xact_lock(h) FROM (
         SELECT DISTINCT hashtextextended(k, 1795700000) AS h FROM unnest($1::text[]) AS k ORDER BY h
       ) AS ordered`,
      [[...keys]],
    );
  }

  /**
   * Live usage per scope key: the sum of reservations not released, made within the window before
   * `now`, other than `excludeRequest`'s own. Keys with none are 0.
   */
  async usage(sql: Sql, scopes: readonly { key: string; windowMs: number }[], now: number, excludeRequest: string): Promise<Map<string, bigint>> {
    const usage = new Map<string, bigint>(scopes.map((s) => [s.key, 0n]));
    if (scopes.length === 0) return usage;
    const rows = await sql<{ scope_key: string; used: string }>(
      `SELECT s.k AS scope_key, COALESCE(sum(r.amount), 0)::text AS used
       FROM unnest($1::text[], $2::bigint[]) AS s(k, w)
       LEFT JOIN policy.velocity_reservations r
         ON r.scope_key = s.k AND r.released_at IS NULL AND r.reserved_at_ms > $3::bigint - s.w AND r.request_id <> $4
            AND (r.expires_at_ms IS NULL OR r.expires_at_ms > $3::bigint)
       GROUP BY s.k`,
      [scopes.map((s) => s.key), scopes.map((s) => s.windowMs), now, excludeRequest],
    );
    for (const row of rows) usage.set(row.scope_key, BigInt(row.used));
    return usage;
  }

  /** Inserts the request; false when its id exists already (the caller compares). */
  async insertRequest(sql: Sql, r: Omit<StoredRequest, 'status' | 'hookVerdict'>, status: RequestStatus): Promise<boolean> {
    const rows = await sql(
      `INSERT INTO policy.requests (request_id, operation, initiator_id, body, input_hash, sign_request, request_digest, created_at_ms, policy_version, policy_hash, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (request_id) DO NOTHING RETURNING request_id`,
      [r.requestId, r.operation, r.initiatorId, JSON.stringify(r.body), r.inputHash, r.signRequestJson === null ? null : JSON.stringify(r.signRequestJson), Buffer.from(r.requestDigest), r.createdAtMs, r.policyVersion, r.policyHash, status],
    );
    return rows.length === 1;
  }

  /** The external hook's verified verdict, kept so that re-evaluations (approvals) apply the same one. */
  async setHookVerdict(sql: Sql, requestId: string, verdict: HookVerdict): Promise<void> {
    await sql('UPDATE policy.requests SET hook_verdict = $2 WHERE request_id = $1', [requestId, JSON.stringify(verdict)]);
  }

  async setStatus(sql: Sql, requestId: string, status: RequestStatus): Promise<void> {
    await sql('UPDATE policy.requests SET status = $2, updated_at = now() WHERE request_id = $1', [requestId, status]);
  }

  async insertEvaluation(sql: Sql, requestId: string, e: StoredEvaluation): Promise<void> {
    await sql(
      `INSERT INTO policy.evaluations (request_id, policy_version, policy_hash, outcome, reason, matched_rule, decision, evaluated_at_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [requestId, e.policyVersion, e.policyHash, e.outcome, e.reason, e.matchedRule, e.decisionText ?? JSON.stringify(e.decision), e.evaluatedAtMs],
    );
  }

  async latestEvaluation(requestId: string, sql: Sql = this.sql): Promise<StoredEvaluation | undefined> {
    const rows = await sql<{ policy_version: number; policy_hash: string; outcome: string; reason: string; matched_rule: string | null; decision: Record<string, unknown>; evaluated_at_ms: string }>(
      `SELECT policy_version, policy_hash, outcome, reason, matched_rule, decision, evaluated_at_ms FROM policy.evaluations
       WHERE request_id = $1 ORDER BY evaluation_id DESC LIMIT 1`,
      [requestId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { policyVersion: row.policy_version, policyHash: row.policy_hash, outcome: row.outcome, reason: row.reason, matchedRule: row.matched_rule, decision: row.decision, evaluatedAtMs: Number(row.evaluated_at_ms) };
  }

  /** Replaces the request's live reservations by `reservations`, reserved at `now`. */
  async replaceReservations(sql: Sql, requestId: string, reservations: readonly Reservation[], now: number): Promise<void> {
    await sql('UPDATE policy.velocity_reservations SET released_at = now() WHERE request_id = $1 AND released_at IS NULL', [requestId]);
    if (reservations.length === 0) return;
    await sql(
      `INSERT INTO policy.velocity_reservations (scope_key, amount, reserved_at_ms, request_id, expires_at_ms)
       SELECT k, a::numeric, $3, $4, $5 FROM unnest($1::text[], $2::text[]) AS t(k, a)`,
      [reservations.map((r) => r.scopeKey), reservations.map((r) => r.amount.toString()), now, requestId, reservations[0]!.expiresAtMs],
    );
  }

  /** The request's live reservations' scope keys (to lock them before a change). */
  async reservedScopes(sql: Sql, requestId: string): Promise<string[]> {
    const rows = await sql<{ scope_key: string }>('SELECT DISTINCT scope_key FROM policy.velocity_reservations WHERE request_id = $1 AND released_at IS NULL', [requestId]);
    return rows.map((r) => r.scope_key);
  }

  async releaseReservations(sql: Sql, requestId: string): Promise<void> {
    await sql('UPDATE policy.velocity_reservations SET released_at = now() WHERE request_id = $1 AND released_at IS NULL', [requestId]);
  }

  async approvals(requestId: string, sql: Sql = this.sql): Promise<StoredApproval[]> {
    const rows = await sql<{ approver_id: string; decision: 'approve' | 'reject'; policy_version: number; policy_hash: string; signature: Buffer; grant_signature: Buffer | null; received_at_ms: string }>(
      `SELECT approver_id, decision, policy_version, policy_hash, signature, grant_signature, received_at_ms FROM policy.request_approvals
       WHERE request_id = $1 ORDER BY received_at_ms, approver_id`,
      [requestId],
    );
    return rows.map((r) => ({
      approverId: r.approver_id,
      decision: r.decision,
      policyVersion: r.policy_version,
      policyHash: r.policy_hash,
      signature: Uint8Array.from(r.signature),
      grantSignature: r.grant_signature ? Uint8Array.from(r.grant_signature) : null,
      receivedAtMs: Number(r.received_at_ms),
    }));
  }

  /** Records an approval or rejection; false when that approver has one for this request already. */
  async insertApproval(sql: Sql, requestId: string, a: StoredApproval): Promise<boolean> {
    const rows = await sql(
      `INSERT INTO policy.request_approvals (request_id, approver_id, decision, policy_version, policy_hash, signature, grant_signature, received_at_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (request_id, approver_id) DO NOTHING RETURNING approver_id`,
      [requestId, a.approverId, a.decision, a.policyVersion, a.policyHash, Buffer.from(a.signature), a.grantSignature ? Buffer.from(a.grantSignature) : null, a.receivedAtMs],
    );
    return rows.length === 1;
  }

  async insertGrant(sql: Sql, requestId: string, grantJson: string, issuedAt: number, expiresAt: number): Promise<void> {
    await sql('INSERT INTO policy.grants (request_id, grant_json, issued_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (request_id) DO NOTHING', [requestId, grantJson, issuedAt, expiresAt]);
  }

  async grant(requestId: string, sql: Sql = this.sql): Promise<string | undefined> {
    const rows = await sql<{ grant_json: string }>('SELECT grant_json FROM policy.grants WHERE request_id = $1', [requestId]);
    return rows[0]?.grant_json;
  }

  /**
   * Usage per scope key as it was at `at` (ms): reservations made in the window before `at` that had
   * not been released by then, other than `excludeRequest`'s own (for replay).
   */
  async usageAt(scopes: readonly { key: string; windowMs: number }[], at: number, excludeRequest: string): Promise<Map<string, bigint>> {
    const usage = new Map<string, bigint>(scopes.map((s) => [s.key, 0n]));
    if (scopes.length === 0) return usage;
    const rows = await this.sql<{ scope_key: string; used: string }>(
      `SELECT s.k AS scope_key, COALESCE(sum(r.amount), 0)::text AS used
       FROM unnest($1::text[], $2::bigint[]) AS s(k, w)
       LEFT JOIN policy.velocity_reservations r
         ON r.scope_key = s.k AND r.reserved_at_ms > $3::bigint - s.w AND r.reserved_at_ms <= $3::bigint AND r.request_id <> $4
            AND (r.released_at IS NULL OR r.released_at > to_timestamp($3::bigint / 1000.0))
            AND (r.expires_at_ms IS NULL OR r.expires_at_ms > $3::bigint)
       GROUP BY s.k`,
      [scopes.map((s) => s.key), scopes.map((s) => s.windowMs), at, excludeRequest],
    );
    for (const row of rows) usage.set(row.scope_key, BigInt(row.used));
    return usage;
  }

  /**
   * What a first evaluation needs before it locks anything, in one round trip: the active version,
   * the governance document's sequence number, the live address-book entries of the destination and
   * whether the request id is taken (its input hash).
   */
  async evaluationContext(sql: Sql, requestId: string, destination: { chainId: number; address: string } | undefined): Promise<{ activeVersion: number; governanceSeq: number; existingHash: string | null; entries: Array<{ id: string; chainId: number; address: string; tags: string[] }> }> {
    const rows = await sql<{ active: number; seq: number; existing: string | null; entries: Array<{ id: string; chainId: number; address: string; tags: string[] }> | null }>(
      `SELECT (SELECT version FROM policy.active_version) AS active,
              (SELECT max(seq) FROM policy.governance) AS seq,
              (SELECT input_hash FROM policy.requests WHERE request_id = $1) AS existing,
              (SELECT json_agg(json_build_object('id', entry_id, 'chainId', chain_id, 'address', address, 'tags', tags))
                 FROM policy.address_book WHERE $2::integer IS NOT NULL AND chain_id = $2 AND address = $3 AND deleted_at IS NULL) AS entries`,
      [requestId, destination?.chainId ?? null, destination?.address ?? null],
    );
    const row = rows[0]!;
    if (row.active === null || row.seq === null) throw new Error('the policy engine is not bootstrapped');
    return { activeVersion: row.active, governanceSeq: row.seq, existingHash: row.existing, entries: row.entries ?? [] };
  }

  /**
   * A first evaluation's writes in one statement: the request (claiming its id), its evaluation and
   * its reservations. Returns false, writing nothing, when the id was taken meanwhile.
   */
  async insertFirstEvaluation(sql: Sql, r: Omit<StoredRequest, 'status' | 'hookVerdict'>, status: RequestStatus, hookVerdict: HookVerdict | null, e: StoredEvaluation, reservations: readonly Reservation[]): Promise<boolean> {
    const rows = await sql<{ claimed: string }>(
      `WITH r AS (
         INSERT INTO policy.requests (request_id, operation, initiator_id, body, input_hash, sign_request, request_digest, created_at_ms, policy_version, policy_hash, status, hook_verdict)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (request_id) DO NOTHING RETURNING request_id
       ), e AS (
         INSERT INTO policy.evaluations (request_id, policy_version, policy_hash, outcome, reason, matched_rule, decision, evaluated_at_ms)
         SELECT request_id, $9, $10, $13, $14, $15, $16, $17 FROM r
       ), v AS (
         INSERT INTO policy.velocity_reservations (scope_key, amount, reserved_at_ms, request_id, expires_at_ms)
         SELECT t.k, t.a::numeric, $8, r.request_id, $20::bigint FROM r, unnest($18::text[], $19::text[]) AS t(k, a)
       )
       SELECT count(*)::text AS claimed FROM r`,
      [
        r.requestId, r.operation, r.initiatorId, JSON.stringify(r.body), r.inputHash, r.signRequestJson === null ? null : JSON.stringify(r.signRequestJson), Buffer.from(r.requestDigest), r.createdAtMs, r.policyVersion, r.policyHash, status, hookVerdict === null ? null : JSON.stringify(hookVerdict),
        e.outcome, e.reason, e.matchedRule, e.decisionText ?? JSON.stringify(e.decision), e.evaluatedAtMs,
        reservations.map((x) => x.scopeKey), reservations.map((x) => x.amount.toString()), reservations[0]?.expiresAtMs ?? null,
      ],
    );
    return rows[0]!.claimed === '1';
  }
  /**
   * A batch of first evaluations' reads in one round trip: the active version, the governance
   * document's sequence number, which of the request ids are taken (their input hashes) and the live
   * address-book entries of every destination.
   */
  async batchContext(sql: Sql, requestIds: readonly string[], destinations: readonly { chainId: number; address: string }[]): Promise<BatchContext> {
    const rows = await sql<{ active: number; seq: number; existing: Array<{ id: string; hash: string }> | null; entries: Array<{ id: string; chainId: number; address: string; tags: string[] }> | null }>(
      `SELECT (SELECT version FROM policy.active_version) AS active,
              (SELECT max(seq) FROM policy.governance) AS seq,
              (SELECT json_agg(json_build_object('id', request_id, 'hash', input_hash)) FROM policy.requests WHERE request_id = ANY($1::text[])) AS existing,
              (SELECT json_agg(json_build_object('id', entry_id, 'chainId', chain_id, 'address', address, 'tags', tags) ORDER BY entry_id)
                 FROM policy.address_book
                WHERE deleted_at IS NULL AND (chain_id, address) IN (SELECT c, a FROM unnest($2::integer[], $3::text[]) AS d(c, a))) AS entries`,
      [[...requestIds], destinations.map((d) => d.chainId), destinations.map((d) => d.address)],
    );
    const row = rows[0]!;
    if (row.active === null || row.seq === null) throw new Error('the policy engine is not bootstrapped');
    const entries = new Map<string, Array<{ id: string; chainId: number; address: string; tags: string[] }>>();
    for (const e of row.entries ?? []) {
      const key = destinationKey(e.chainId, e.address);
      const list = entries.get(key) ?? [];
      list.push(e);
      entries.set(key, list);
    }
    return { activeVersion: row.active, governanceSeq: row.seq, existing: new Map((row.existing ?? []).map((x) => [x.id, x.hash])), entries };
  }

  /**
   * A batch of first evaluations' writes in one statement: the requests (claiming their ids), their
   * evaluations, reservations and grants. Returns the ids claimed; a request whose id was taken
   * meanwhile writes nothing (the caller answers it as a retry).
   */
  async insertFirstEvaluations(sql: Sql, createdAtMs: number, policy: { version: number; hash: string }, rows: readonly FirstEvaluationRow[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const reservations = rows.flatMap((r) => r.reservations.map((x) => ({ id: r.request.requestId, ...x })));
    const grants = rows.filter((r) => r.grant !== null);
    const claimed = await sql<{ request_id: string }>(
      `WITH r AS (
         INSERT INTO policy.requests (request_id, operation, initiator_id, body, input_hash, sign_request, request_digest, created_at_ms, policy_version, policy_hash, status)
         SELECT t.id, t.op, t.ini, t.body::jsonb, t.ih, t.sr::jsonb, decode(t.dg, 'hex'), $1, $2, $3, t.st
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) AS t(id, op, ini, body, ih, sr, dg, st)
         ON CONFLICT (request_id) DO NOTHING RETURNING request_id
       ), e AS (
         INSERT INTO policy.evaluations (request_id, policy_version, policy_hash, outcome, reason, matched_rule, decision, evaluated_at_ms)
         SELECT t.id, $2, $3, t.outcome, t.reason, t.rule, t.decision::jsonb, $1
         FROM unnest($4::text[], $12::text[], $13::text[], $14::text[], $15::text[]) AS t(id, outcome, reason, rule, decision) JOIN r ON r.request_id = t.id
       ), v AS (
         INSERT INTO policy.velocity_reservations (scope_key, amount, reserved_at_ms, request_id, expires_at_ms)
         SELECT t.k, t.a::numeric, $1, t.id, t.x FROM unnest($16::text[], $17::text[], $18::text[], $19::bigint[]) AS t(id, k, a, x) JOIN r ON r.request_id = t.id
       ), g AS (
         INSERT INTO policy.grants (request_id, grant_json, issued_at_ms, expires_at_ms)
         SELECT t.id, t.j, t.i, t.x FROM unnest($20::text[], $21::text[], $22::bigint[], $23::bigint[]) AS t(id, j, i, x) JOIN r ON r.request_id = t.id
         ON CONFLICT (request_id) DO NOTHING
       )
       SELECT request_id FROM r`,
      [
        createdAtMs,
        policy.version,
        policy.hash,
        rows.map((r) => r.request.requestId),
        rows.map((r) => r.request.operation),
        rows.map((r) => r.request.initiatorId),
        rows.map((r) => JSON.stringify(r.request.body)),
        rows.map((r) => r.request.inputHash),
        rows.map((r) => (r.request.signRequestJson === null ? null : JSON.stringify(r.request.signRequestJson))),
        rows.map((r) => Buffer.from(r.request.requestDigest).toString('hex')),
        rows.map((r) => r.request.status),
        rows.map((r) => r.evaluation.outcome),
        rows.map((r) => r.evaluation.reason),
        rows.map((r) => r.evaluation.matchedRule),
        rows.map((r) => r.evaluation.decisionText ?? JSON.stringify(r.evaluation.decision)),
        reservations.map((x) => x.id),
        reservations.map((x) => x.scopeKey),
        reservations.map((x) => x.amount.toString()),
        reservations.map((x) => x.expiresAtMs),
        grants.map((r) => r.request.requestId),
        grants.map((r) => r.grant!.json),
        grants.map((r) => r.grant!.issuedAt),
        grants.map((r) => r.grant!.expiresAt),
      ],
    );
    return new Set(claimed.map((c) => c.request_id));
  }
}

export function destinationKey(chainId: number, address: string): string {
  return `${chainId}:${address}`;
}

export interface BatchContext {
  readonly activeVersion: number;
  readonly governanceSeq: number;
  /** Request ids already stored, with their input hashes. */
  readonly existing: ReadonlyMap<string, string>;
  /** Live address-book entries by {@link destinationKey}. */
  readonly entries: ReadonlyMap<string, Array<{ id: string; chainId: number; address: string; tags: string[] }>>;
}

export interface IssuedGrant {
  readonly json: string;
  readonly grant: SignGrant;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** One first evaluation of a batch, ready to write. */
export interface FirstEvaluationRow {
  readonly request: StoredRequest;
  readonly evaluation: StoredEvaluation;
  readonly reservations: readonly Reservation[];
  readonly grant: IssuedGrant | null;
}
