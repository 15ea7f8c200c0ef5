import { createHash } from 'node:crypto';
import { grantRecord, type AuditRecord, type AuditValue } from '@custody/audit-core';
import { appendAuditRecord, appendAuditRecords, type SqlExecutor } from '@custody/audit-log';
import type { SignGrant } from '@custody/sign-grant';
import type { Sql } from '../storage/transaction';

/**
 * The policy engine's audit records (README, "The audit log"), each written with `appendAuditRecord`
 * in the transaction of the action it records: if the record cannot be written, the action rolls
 * back. One function per action; the services call exactly one of them where the action happens.
 * Records hold ids, digests, hashes and signatures, never a secret.
 */
const ENGINE = 'service:policy-engine';
const hex = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('hex'));
const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

function executor(sql: Sql): SqlExecutor {
  return { query: (text, params) => sql(text, params) };
}

function write(sql: Sql, type: AuditRecord['type'], actor: string, requestId: string | null, wallet: string | null, body: Record<string, AuditValue>, at = Date.now()): Promise<void> {
  return appendAuditRecord(executor(sql), { version: 1, type, occurredAt: at, actor, requestId, wallet, body });
}

/** What an evaluation's audit record states. */
export interface EvaluationFacts {
  readonly requestId: string;
  readonly operation: string;
  readonly initiatorId: string;
  readonly requestDigest: Uint8Array;
  readonly policyVersion: number;
  readonly policyHash: string;
  readonly outcome: string;
  readonly status: string;
  readonly matchedRule: string | null;
  readonly decisionText: string;
  readonly at: number;
}

/** The audit record of an evaluation of a request: its decision, the policy version in force and the hash of the decision trace. */
export function evaluationAuditRecord(e: EvaluationFacts): AuditRecord {
  return {
    version: 1,
    type: 'evaluation',
    occurredAt: e.at,
    actor: ENGINE,
    requestId: e.requestId,
    wallet: null,
    body: {
      operation: e.operation,
      initiator: e.initiatorId,
      requestDigest: hex(e.requestDigest),
      policyVersion: e.policyVersion,
      policyHash: e.policyHash,
      outcome: e.outcome,
      status: e.status,
      matchedRule: e.matchedRule,
      traceHash: sha256Hex(e.decisionText),
    },
  };
}

/** An evaluation of a request, recorded in the caller's transaction. */
export function recordEvaluation(sql: Sql, e: EvaluationFacts): Promise<void> {
  return appendAuditRecord(executor(sql), evaluationAuditRecord(e));
}

/** Records built with this file's builders (a group-committed batch's), in one statement of the caller's transaction. */
export async function recordAll(sql: Sql, records: readonly AuditRecord[]): Promise<void> {
  if (records.length > 0) await appendAuditRecords(executor(sql), records);
}

/** An approver's signed approval or rejection of a request (both signatures, over what they sign). */
export function recordRequestDecision(
  sql: Sql,
  a: { requestId: string; approverId: string; decision: 'approve' | 'reject'; requestDigest: Uint8Array; policyVersion: number; policyHash: string; signature: Uint8Array; grantSignature: Uint8Array | null; at: number },
): Promise<void> {
  return write(sql, a.decision === 'approve' ? 'request-approval' : 'request-rejection', a.approverId, a.requestId, null, {
    decision: a.decision,
    requestDigest: hex(a.requestDigest),
    policyVersion: a.policyVersion,
    policyHash: a.policyHash,
    signature: hex(a.signature),
    grantSignature: hex(a.grantSignature),
  }, a.at);
}

/** The audit record of a sign grant as issued: `grantRecord(grant)`, so that a signer (a witness) can recompute its leaf hash. */
export function grantAuditRecord(grant: SignGrant): AuditRecord {
  return grantRecord(grant);
}

/** A sign grant as issued, recorded in the caller's transaction. */
export function recordGrant(sql: Sql, grant: SignGrant): Promise<void> {
  return appendAuditRecord(executor(sql), grantAuditRecord(grant));
}

/** A governance proposal (policy version or bootstrap document) with its content hash. */
export function recordProposal(sql: Sql, p: { proposalId: string; kind: string; contentHash: string; proposedBy: string; baseVersion: number; baseHash: string }): Promise<void> {
  return write(sql, 'policy-proposal', p.proposedBy, p.proposalId, null, { kind: p.kind, contentHash: p.contentHash, baseVersion: p.baseVersion, baseHash: p.baseHash });
}

/** An admin's signed decision on a proposal. */
export function recordProposalDecision(sql: Sql, a: { proposalId: string; adminId: string; decision: 'approve' | 'reject'; contentHash: string; signature: Uint8Array }): Promise<void> {
  return write(sql, 'policy-approval', a.adminId, a.proposalId, null, { decision: a.decision, contentHash: a.contentHash, signature: hex(a.signature) });
}

/** A proposal activated: the version now in force and its content hash. */
export function recordActivation(sql: Sql, a: { proposalId: string; kind: string; version: number | null; contentHash: string; approvedBy: readonly string[] }): Promise<void> {
  return write(sql, 'policy-activation', ENGINE, a.proposalId, null, { kind: a.kind, version: a.version, contentHash: a.contentHash, approvedBy: [...a.approvedBy] });
}

/** An address-book change applied (after its own policy decision allowed it). */
export function recordAddressBookChange(sql: Sql, c: { requestId: string; change: 'upsert' | 'delete'; entryId: string; chainId: number; address: string; tags: readonly string[]; label: string }): Promise<void> {
  return write(sql, 'address-book-change', ENGINE, c.requestId, null, { change: c.change, entryId: c.entryId, chainId: c.chainId, address: c.address, tags: [...c.tags], label: c.label });
}
