import { Inject, Injectable } from '@nestjs/common';
import { POSTGRES } from '@custody/platform';
import type { DataSource } from 'typeorm';
import { autocommit, type Sql } from '../storage/transaction';

/** One approver's decision on a request, with its reason. */
export interface RequestDecisionRecord {
  readonly approverId: string;
  readonly decision: 'approve' | 'reject';
  readonly reason: string;
  readonly receivedAtMs: number;
}

/** A page position: the last request shown (creation time, id). */
export interface PendingCursor {
  readonly createdAtMs: number;
  readonly requestId: string;
}

/**
 * SQL of the approvers' view: which pending requests wait for an approver, the decisions made so far
 * and their reasons. Reads policy.requests, policy.evaluations and policy.request_approvals; writes
 * only the reason column of an approval.
 */
@Injectable()
export class ApprovalsRepository {
  private readonly sql: Sql;

  constructor(@Inject(POSTGRES) dataSource: DataSource) {
    this.sql = autocommit(dataSource);
  }

  /**
   * Ids of the requests waiting for `approverId`, oldest first, after `after`: pending approval, not
   * expired at `now`, the approver a member of a group the latest evaluation requires (in the
   * request's own policy version), no decision of theirs recorded, and not their own request unless
   * the rule allows self-approval.
   */
  async pendingFor(approverId: string, now: number, after: PendingCursor | undefined, limit: number): Promise<string[]> {
    const rows = await this.sql<{ request_id: string }>(
      `SELECT r.request_id
       FROM policy.requests r
       -- A compact evaluation (evaluation-record.ts) keeps the decision's summary under "decision"; an older row is the decision itself.
       JOIN LATERAL (SELECT COALESCE(e.decision->'decision', e.decision) AS decision FROM policy.evaluations e WHERE e.request_id = r.request_id ORDER BY e.evaluation_id DESC LIMIT 1) d ON true
       JOIN policy.versions v ON v.version = r.policy_version
       WHERE r.status = 'pending-approval'
         AND ($3::bigint IS NULL OR (r.created_at_ms, r.request_id) > ($3::bigint, $4::text))
         AND COALESCE((d.decision->'approvals'->>'expiresAt')::bigint, 0) >= $2
         AND (COALESCE((d.decision->'approvals'->>'allowSelfApproval')::boolean, false) OR r.initiator_id <> $1)
         AND NOT EXISTS (SELECT 1 FROM policy.request_approvals a WHERE a.request_id = r.request_id AND a.approver_id = $1)
         AND EXISTS (
           SELECT 1 FROM jsonb_array_elements(COALESCE(d.decision->'approvals'->'groups', '[]'::jsonb)) g
           WHERE COALESCE(v.document->'approverGroups'->(g->>'group')->'members', '[]'::jsonb) ? $1)
       ORDER BY r.created_at_ms, r.request_id
       LIMIT $5`,
      [approverId, now, after?.createdAtMs ?? null, after?.requestId ?? '', limit],
    );
    return rows.map((r) => r.request_id);
  }

  async decisions(requestId: string): Promise<RequestDecisionRecord[]> {
    const rows = await this.sql<{ approver_id: string; decision: 'approve' | 'reject'; reason: string | null; received_at_ms: string }>(
      'SELECT approver_id, decision, reason, received_at_ms FROM policy.request_approvals WHERE request_id = $1 ORDER BY received_at_ms, approver_id',
      [requestId],
    );
    return rows.map((r) => ({ approverId: r.approver_id, decision: r.decision, reason: r.reason ?? '', receivedAtMs: Number(r.received_at_ms) }));
  }

  /** Sets the reason of a recorded decision once (a retry does not overwrite it). */
  async setReason(requestId: string, approverId: string, reason: string): Promise<void> {
    await this.sql('UPDATE policy.request_approvals SET reason = $3 WHERE request_id = $1 AND approver_id = $2 AND reason IS NULL', [requestId, approverId, reason]);
  }
}
