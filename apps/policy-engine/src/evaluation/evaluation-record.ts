import { canonicalJson, decisionJson, type AddressBookEntry, type Approver, type Decision, type EvaluationContext, type SubmittedApproval } from '@custody/policy-core';
import type { HookVerdict, StoredApproval } from './requests.repository';

/**
 * How an evaluation is stored. The decision's trace (each of the policy's rules, every check, ~50 KB
 * for 200 rules) is not written: evaluation is pure and deterministic, so the row keeps the decision
 * without its trace (outcome, reason, matched rule, reservations, approvals: the verdict) and
 * everything the evaluation read (`inputs`). `GetRequest` evaluates the request again under its stored
 * version with those inputs and checks that the result's verdict is the stored one; the trace it
 * returns is the one the request was decided with. (The verdict, not a hash of the trace text, is
 * what is checked: a later release may word the trace's details differently without making stored
 * requests unreadable.)
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
}

/** The decision without its trace, as JSON text. */
export function summaryText(decision: Decision): string {
  return decisionJson({ ...decision, trace: { rules: [] } });
}

/** The stored JSON text of an evaluation, given the decision and its inputs. */
export function compactEvaluationText(decision: Decision, inputs: EvaluationInputs): string {
  return `{"format":${JSON.stringify(COMPACT_EVALUATION_FORMAT)},"decision":${summaryText(decision)},"inputs":${JSON.stringify(inputs)}}`;
}

/** True when `decision` (recomputed) has the verdict of the stored summary (key order aside: jsonb sorts keys). */
export function sameVerdict(decision: Decision, stored: CompactEvaluation): boolean {
  return canonicalJson(JSON.parse(summaryText(decision))) === canonicalJson(stored.decision);
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
