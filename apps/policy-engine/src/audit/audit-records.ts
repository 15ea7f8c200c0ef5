import { createHash } from 'node:crypto';
import { grantRecord, type AuditRecord, type AuditValue } from '@custody/audit-core';
import { appendAuditRecord, type SqlExecutor } from '@custody/audit-log';
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

/** An evaluation of a request: its decision, the policy version in force and the hash of the decision trace. */
export function recordEvaluation(
  sql: Sql,
  e: { requestId: string; operation: string; initiatorId: string; requestDigest: Uint8Array; policyVersion: number; policyHash: string; outcome: string; status: string; matchedRule: string | null; decisionText: string; at: number },
): Promise<void> {
  return write(sql, 'evaluation', ENGINE, e.requestId, null, {
    operation: e.operation,
    initiator: e.initiatorId,
    requestDigest: hex(e.requestDigest),
    policyVersion: e.policyVersion,
    policyHash: e.policyHash,
    outcome: e.outcome,
    status: e.status,
    matchedRule: e.matchedRule,
    traceHash: sha256Hex(e.decisionText),
  }, e.at);
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

/** A sign grant as issued: `grantRecord(grant)`, so that a signer (a witness) can recompute its leaf hash. */
export function recordGrant(sql: Sql, grant: SignGrant): Promise<void> {
  return appendAuditRecord(executor(sql), grantRecord(grant));
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
