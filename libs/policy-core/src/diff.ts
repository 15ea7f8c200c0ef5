/**
 * The difference between two documents, by rule id and group id: what a reviewer reads before an
 * admin approves a proposal.
 */
import { PolicyValidationError } from './errors';
import { canonicalJson } from './hash';
import type { PolicyDocument, PolicyRule } from './types';
import { validatePolicy } from './validate';

export interface RuleRef {
  readonly index: number;
  readonly id: string;
}

export interface RuleChange {
  readonly id: string;
  readonly fromIndex: number;
  readonly toIndex: number;
  /** The top-level fields of the rule that differ (`match`, `condition`, `velocity`, `action`, `hook`, `description`). */
  readonly fields: readonly string[];
}

export interface GroupChange {
  readonly id: string;
  readonly membersAdded: readonly string[];
  readonly membersRemoved: readonly string[];
  readonly descriptionChanged: boolean;
}

export interface PolicyDiff {
  readonly identical: boolean;
  readonly metadataChanged: boolean;
  readonly rulesAdded: readonly RuleRef[];
  readonly rulesRemoved: readonly RuleRef[];
  /** Content changed (and possibly moved). */
  readonly rulesChanged: readonly RuleChange[];
  /** Same content, other position relative to the rules both documents share. */
  readonly rulesMoved: readonly { readonly id: string; readonly fromIndex: number; readonly toIndex: number }[];
  readonly groupsAdded: readonly string[];
  readonly groupsRemoved: readonly string[];
  readonly groupsChanged: readonly GroupChange[];
}

const RULE_FIELDS: readonly (keyof PolicyRule)[] = ['description', 'match', 'condition', 'velocity', 'action', 'hook'];

/** Validates both documents (PolicyValidationError names which: paths are prefixed `/from` or `/to`). */
export function diffPolicies(from: unknown, to: unknown): PolicyDiff {
  const a = validateAs(from, '/from');
  const b = validateAs(to, '/to');
  const aIdx = new Map(a.rules.map((r, i) => [r.id, i]));
  const bIdx = new Map(b.rules.map((r, i) => [r.id, i]));
  const rulesAdded = b.rules.flatMap((r, i) => (aIdx.has(r.id) ? [] : [{ index: i, id: r.id }]));
  const rulesRemoved = a.rules.flatMap((r, i) => (bIdx.has(r.id) ? [] : [{ index: i, id: r.id }]));
  const rulesChanged: RuleChange[] = [];
  const rulesMoved: { id: string; fromIndex: number; toIndex: number }[] = [];
  // Relative order among the shared rules: a rule "moved" when its rank among shared rules changed.
  const sharedA = a.rules.filter((r) => bIdx.has(r.id)).map((r) => r.id);
  const sharedB = b.rules.filter((r) => aIdx.has(r.id)).map((r) => r.id);
  for (const id of sharedA) {
    const fromIndex = aIdx.get(id)!;
    const toIndex = bIdx.get(id)!;
    const ra = a.rules[fromIndex]!;
    const rb = b.rules[toIndex]!;
    const fields = RULE_FIELDS.filter((f) => canonicalJson(ra[f] ?? null) !== canonicalJson(rb[f] ?? null));
    if (fields.length > 0) rulesChanged.push({ id, fromIndex, toIndex, fields });
    else if (sharedA.indexOf(id) !== sharedB.indexOf(id)) rulesMoved.push({ id, fromIndex, toIndex });
  }
  const ga = a.approverGroups;
  const gb = b.approverGroups;
  const groupsAdded = Object.keys(gb).filter((g) => !Object.prototype.hasOwnProperty.call(ga, g)).sort();
  const groupsRemoved = Object.keys(ga).filter((g) => !Object.prototype.hasOwnProperty.call(gb, g)).sort();
  const groupsChanged: GroupChange[] = [];
  for (const g of Object.keys(ga).sort()) {
    if (!Object.prototype.hasOwnProperty.call(gb, g)) continue;
    const ma = ga[g]!.members;
    const mb = gb[g]!.members;
    const membersAdded = mb.filter((m) => !ma.includes(m));
    const membersRemoved = ma.filter((m) => !mb.includes(m));
    const descriptionChanged = (ga[g]!.description ?? null) !== (gb[g]!.description ?? null);
    if (membersAdded.length > 0 || membersRemoved.length > 0 || descriptionChanged) groupsChanged.push({ id: g, membersAdded, membersRemoved, descriptionChanged });
  }
  const metadataChanged = canonicalJson(a.metadata) !== canonicalJson(b.metadata);
  return {
    identical: canonicalJson(a) === canonicalJson(b),
    metadataChanged,
    rulesAdded,
    rulesRemoved,
    rulesChanged,
    rulesMoved,
    groupsAdded,
    groupsRemoved,
    groupsChanged,
  };
}

function validateAs(value: unknown, prefix: string): PolicyDocument {
  try {
    return validatePolicy(value);
  } catch (err) {
    if (err instanceof PolicyValidationError) throw new PolicyValidationError(err.issues.map((i) => ({ path: prefix + i.path, message: i.message })));
    throw err;
  }
}
