import { createHash } from 'node:crypto';
import type { AddressBookEntry, Approver, Decision, EvaluationContext, SubmittedApproval } from '@custody/policy-core';
import type { HookVerdict, StoredApproval } from './requests.repository';

/**
 * How an evaluation is stored. The decision's trace (each of the policy's rules, every check, ~50 KB
 * for 200 rules) is not written: evaluation is pure and deterministic, so the row keeps the decision
 * without its trace, everything the evaluation read (`inputs`), and the SHA-256 of the whole decision
 * as it was answered. `GetRequest` evaluates the request again under its stored version with those
 * inputs and checks the hash: the trace it returns is provably the one the request was decided with.
 */
export const COMPACT_EVALUATION_FORMAT = 'custody.evaluation/compact-v1';

/** What one evaluation read besides the request and the policy version. */
export interface EvaluationInputs {
  readonly now: number;
  /** The destination's live address-book entries as read. */
  readonly entries: readonly AddressBookEntry[];
  /** Velocity usage per scope key (decimal strings), as read under the scope locks. */
  readonly usage: Readonly<Record<string, string>>;
  /** The approvals the evaluation counted (approver ids, in the order they were passed; rows in policy.request_approvals). */
  readonly approvals: readonly string[];
  /** The governance document whose registered keys were the approvers (policy.governance seq). */
  readonly governanceSeq: number;
  readonly hook: HookVerdict | null;
}

export interface CompactEvaluation {
  readonly format: typeof COMPACT_EVALUATION_FORMAT;
  /** The decision with an empty trace (`trace.rules` = []), amounts as decimal strings. */
  readonly decision: Record<string, unknown>;
  readonly inputs: EvaluationInputs;
  /** Hex SHA-256 of the whole decision's JSON (policy-core `decisionJson`). */
  readonly decisionSha256: string;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The stored JSON text of an evaluation, given the decision, its JSON as answered, and its inputs. */
export function compactEvaluationText(decision: Decision, fullText: string, inputs: EvaluationInputs): string {
  const summary = { ...decision, trace: { rules: [] } };
  const record = { format: COMPACT_EVALUATION_FORMAT, decision: summary, inputs, decisionSha256: sha256Hex(fullText) };
  return JSON.stringify(record, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export function isCompactEvaluation(stored: Record<string, unknown>): stored is Record<string, unknown> & CompactEvaluation {
  return stored.format === COMPACT_EVALUATION_FORMAT;
}

/**
 * The decision of a stored evaluation without its trace (a compact record's summary, or a record
 * stored whole): outcome, reason, matched rule, reservations, approvals. Enough for replay's verdicts.
 */
export function storedDecisionSummary(stored: Record<string, unknown>): Decision {
  return (isCompactEvaluation(stored) ? stored.decision : stored) as unknown as Decision;
}

/** The inputs of one evaluation, from what it passed to policy-core. */
export function inputsOf(context: { now: number; addressBook: readonly AddressBookEntry[]; velocityUsage: ReadonlyMap<string, bigint>; hook?: HookVerdict }, approvals: readonly { approverId: string }[], governanceSeq: number): EvaluationInputs {
  const usage: Record<string, string> = {};
  for (const [k, v] of context.velocityUsage) usage[k] = v.toString();
  return { now: context.now, entries: context.addressBook, usage, approvals: approvals.map((a) => a.approverId), governanceSeq, hook: context.hook ?? null };
}

export function submitted(approvals: readonly StoredApproval[]): SubmittedApproval[] {
  return approvals.map((a) => ({ approverId: a.approverId, decision: a.decision, policyVersion: a.policyVersion, policyHash: a.policyHash, signature: a.signature, receivedAt: a.receivedAtMs }));
}

/** The context to evaluate the request again exactly as it was, from the stored inputs. */
export function contextOf(inputs: EvaluationInputs, approvals: readonly StoredApproval[], approvers: Map<string, Approver>): EvaluationContext {
  const byId = new Map(approvals.map((a) => [a.approverId, a]));
  const counted = inputs.approvals.map((id) => {
    const a = byId.get(id);
    if (a === undefined) throw new Error(`stored evaluation names approval of ${id}, which is missing`);
    return a;
  });
  const velocityUsage = new Map(Object.entries(inputs.usage).map(([k, v]) => [k, BigInt(v)]));
  return { now: inputs.now, addressBook: [...inputs.entries], velocityUsage, approvals: submitted(counted), approvers, ...(inputs.hook ? { hook: inputs.hook } : {}) };
}
