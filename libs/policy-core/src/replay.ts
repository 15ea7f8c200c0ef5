/**
 * Replay: evaluate a draft over past requests and report every request whose decision would change.
 *
 * What is compared is the policy's verdict, not the approvals collected under the old version (those
 * were signed for that version and never count for another): `allow`, `deny`, `needs-hook`, or
 * `needs-approval` together with what it requires (combinator, groups and quorums). A past decision
 * that ended allowed after approvals, rejected or expired counts as `needs-approval` with its
 * requirement. The draft is evaluated without approvals and without a hook answer.
 */
import { canonicalJson } from './hash';
import { evaluate } from './evaluate';
import { isCompiledPolicy, type CompiledPolicy } from './compile';
import { PolicyInputError } from './errors';
import type { Decision, EvaluationContext, PolicyRequest } from './types';

export interface HistoricalRequest {
  readonly request: PolicyRequest;
  /** The context as read then; `velocityUsage` must hold every scope of `velocityScopesFor(draft, request)`. */
  readonly context: EvaluationContext;
  readonly decision: Decision;
}

/** allow | deny | needs-hook | needs-approval:<requirement as canonical JSON> */
export function verdictOf(decision: Pick<Decision, 'outcome' | 'reason' | 'approvals'>): string {
  if (decision.approvals !== null) {
    const a = decision.approvals;
    return `needs-approval:${canonicalJson({ combinator: a.combinator, groups: a.groups.map((g) => [g.group, g.quorum]), selfApproval: a.allowSelfApproval })}`;
  }
  if (decision.reason === 'hook-pending' || decision.reason === 'hook-rejected' || decision.reason === 'hook-unavailable') return 'needs-hook';
  return decision.outcome;
}

export interface ReplayFlip {
  readonly index: number;
  readonly requestId: string;
  readonly before: { readonly verdict: string; readonly outcome: Decision['outcome']; readonly matchedRule: Decision['matchedRule'] };
  readonly after: Decision;
  readonly afterVerdict: string;
}

export interface ReplayReport {
  readonly replayed: number;
  readonly flips: readonly ReplayFlip[];
  /** Items that could not be evaluated under the draft (e.g. usage missing for a new scope), by index. */
  readonly errors: readonly { readonly index: number; readonly requestId: string; readonly error: string }[];
}

export function replay(draft: CompiledPolicy, history: readonly HistoricalRequest[]): ReplayReport {
  if (!isCompiledPolicy(draft)) throw new PolicyInputError('draft', 'is not a policy from compilePolicy()');
  if (!Array.isArray(history as unknown)) throw new PolicyInputError('history', 'must be an array');
  const flips: ReplayFlip[] = [];
  const errors: { index: number; requestId: string; error: string }[] = [];
  history.forEach((item, index) => {
    const requestId = typeof item?.request?.id === 'string' ? item.request.id.slice(0, 128) : '';
    try {
      if (item?.decision === undefined || item.decision === null) throw new PolicyInputError(`history[${index}].decision`, 'is required');
      const after = evaluate(draft, item.request, { ...item.context, approvals: [], hook: undefined });
      const before = verdictOf(item.decision);
      const afterVerdict = verdictOf(after);
      if (before !== afterVerdict) {
        flips.push({ index, requestId, before: { verdict: before, outcome: item.decision.outcome, matchedRule: item.decision.matchedRule }, after, afterVerdict });
      }
    } catch (err) {
      if (!(err instanceof PolicyInputError)) throw err;
      errors.push({ index, requestId, error: err.message });
    }
  });
  return { replayed: history.length - errors.length, flips, errors };
}
