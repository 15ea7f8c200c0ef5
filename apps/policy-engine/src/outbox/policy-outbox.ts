import type { DataSource } from 'typeorm';
import type { Decision } from '@custody/policy-core';
import type { ProposalRecord } from '../governance/governance.repository';
import type { Sql } from '../storage/transaction';

/** What the engine publishes (the gateway names them public: libs/events-core). */
export type PolicyEventType = 'approval.required' | 'approval.given' | 'approval.rejected' | 'policy.activated';

/**
 * Appends one event to `policy.outbox` in the caller's transaction: the counter row is locked by
 * the UPDATE until the commit, so sequence numbers are gap-free and in commit order.
 */
export async function appendPolicyEvent(sql: Sql, type: PolicyEventType, subject: string, data: Record<string, unknown>): Promise<void> {
  await sql(
    `WITH next AS (UPDATE policy.outbox_counter SET last_sequence = last_sequence + 1 WHERE id RETURNING last_sequence)
     INSERT INTO policy.outbox (sequence, event_type, subject, data) SELECT last_sequence, $1, $2, $3::jsonb FROM next RETURNING sequence`,
    [type, subject, JSON.stringify(data)],
  );
}

/** One event to append. */
export interface PolicyEvent {
  readonly type: PolicyEventType;
  readonly subject: string;
  readonly data: Record<string, unknown>;
}

/**
 * Appends `events` in order with consecutive sequence numbers, in one statement of the caller's
 * transaction (a group-committed batch's): the counter moves once, by their number, under its lock.
 */
export async function appendPolicyEvents(sql: Sql, events: readonly PolicyEvent[]): Promise<void> {
  if (events.length === 0) return;
  await sql(
    `WITH next AS (UPDATE policy.outbox_counter SET last_sequence = last_sequence + $1 WHERE id RETURNING last_sequence)
     INSERT INTO policy.outbox (sequence, event_type, subject, data)
     SELECT next.last_sequence - $1 + u.n, u.t, u.s, u.d::jsonb FROM next, unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(t, s, d, n)`,
    [events.length, events.map((e) => e.type), events.map((e) => e.subject), events.map((e) => JSON.stringify(e.data))],
  );
}

/** The events of a request's (re-)evaluation: `approval.required` when it starts waiting for approvals. */
export function evaluationEvents(request: { requestId: string; operation: string; initiatorId: string; policyVersion: number }, status: string, decision: Decision): PolicyEvent[] {
  if (status !== 'pending-approval') return [];
  return [
    {
      type: 'approval.required',
      subject: request.requestId,
      data: {
        requestId: request.requestId,
        operation: request.operation,
        initiator: request.initiatorId,
        policyVersion: request.policyVersion,
        matchedRule: decision.matchedRule?.id ?? null,
        groups: (decision.approvals?.groups ?? []).map((g) => ({ group: g.group, quorum: g.quorum, approvedBy: [...g.approvedBy] })),
      },
    },
  ];
}

/** A request's (re-)evaluation events, appended in the caller's transaction. */
export async function recordEvaluationEvents(sql: Sql, request: { requestId: string; operation: string; initiatorId: string; policyVersion: number }, status: string, decision: Decision): Promise<void> {
  await appendPolicyEvents(sql, evaluationEvents(request, status, decision));
}

/** An approver's recorded approval or rejection. */
export async function recordApprovalEvent(sql: Sql, requestId: string, approval: { approverId: string; decision: 'approve' | 'reject'; policyVersion: number }): Promise<void> {
  await appendPolicyEvent(sql, approval.decision === 'approve' ? 'approval.given' : 'approval.rejected', requestId, {
    requestId,
    approverId: approval.approverId,
    decision: approval.decision,
    policyVersion: approval.policyVersion,
  });
}

/** A proposal activated by the admin quorum (a policy version, or a new governance document). */
export async function recordActivationEvent(sql: Sql, proposal: ProposalRecord): Promise<void> {
  const rows = await sql<{ version: number | null }>('SELECT activated_version AS version FROM policy.proposals WHERE proposal_id = $1', [proposal.proposalId]);
  await appendPolicyEvent(sql, 'policy.activated', proposal.proposalId, {
    proposalId: proposal.proposalId,
    kind: proposal.kind,
    contentHash: proposal.contentHash,
    version: rows[0]?.version ?? null,
    proposedBy: proposal.proposedBy,
  });
}

/** Outbox events after `after`, in order, at most `limit` (ReadOutbox). */
export async function readPolicyOutbox(db: DataSource, after: bigint, limit: number): Promise<{ events: Array<{ sequence: string; type: string; subject: string; data: string }>; lastSequence: string }> {
  const rows: Array<{ sequence: string; event_type: string; subject: string; data: unknown }> = await db.query(
    'SELECT sequence, event_type, subject, data FROM policy.outbox WHERE sequence > $1 ORDER BY sequence LIMIT $2',
    [after.toString(), limit],
  );
  const last: Array<{ last_sequence: string }> = await db.query('SELECT last_sequence FROM policy.outbox_counter WHERE id');
  return { events: rows.map((r) => ({ sequence: r.sequence, type: r.event_type, subject: r.subject, data: JSON.stringify(r.data) })), lastSequence: last[0]?.last_sequence ?? '0' };
}
