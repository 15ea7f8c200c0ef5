/**
 * Compilation: a validated document, its version and content hash, every CEL condition checked and
 * planned once. A CompiledPolicy is immutable and reusable across any number of evaluations.
 */
import { compileCondition, type CompiledCondition } from './cel';
import { PolicyInputError } from './errors';
import { policyHash } from './hash';
import type { PolicyDocument, PolicyRule, VelocityLimit } from './types';
import { parseAmount, parseDuration } from './units';
import { validatePolicy } from './validate';

export interface CompiledVelocity {
  readonly limit: VelocityLimit;
  readonly windowMs: number;
  readonly limitAmount: bigint;
}

/** The rule's sets rendered once for the trace. */
export interface RuleText {
  readonly operation: string;
  readonly clients: string;
  readonly groups: string;
  readonly wallets: string;
  readonly walletTags: string;
  readonly entries: string;
  readonly entryTags: string;
  readonly asset: string;
  readonly amount: string;
}

export interface CompiledRule {
  readonly index: number;
  readonly rule: PolicyRule;
  readonly text: RuleText;
  readonly condition: CompiledCondition | undefined;
  readonly amountMin: bigint | undefined;
  readonly amountMax: bigint | undefined;
  readonly velocity: readonly CompiledVelocity[];
}

/** A distinct (scope, asset, window) some rule of an operation limits. */
export interface VelocitySpec {
  readonly scope: VelocityLimit['scope'];
  readonly asset: string;
  readonly windowMs: number;
}

export interface CompiledPolicy {
  readonly document: PolicyDocument;
  /** The engine's version number of this document (immutable, 1, 2, …). */
  readonly version: number;
  /** `policyHash(document)`. */
  readonly hash: string;
  readonly rules: readonly CompiledRule[];
  /** Per operation, the distinct velocity specs of the rules that match it. */
  readonly velocitySpecs: ReadonlyMap<string, readonly VelocitySpec[]>;
}

/** `[a, b, …]`, at most 8 shown. */
export function renderList(values: readonly string[] | undefined): string {
  if (values === undefined || values.length === 0) return '[]';
  const shown = values.slice(0, 8).join(', ');
  return values.length > 8 ? `[${shown}, … ${values.length - 8} more]` : `[${shown}]`;
}

function textOf(rule: PolicyRule): RuleText {
  const m = rule.match;
  const d = typeof m.destination === 'object' ? m.destination : undefined;
  return {
    operation: renderList(m.operation),
    clients: renderList(m.initiator?.clients),
    groups: renderList(m.initiator?.groups),
    wallets: renderList(m.source?.wallets),
    walletTags: renderList(m.source?.tags),
    entries: renderList(d?.entries),
    entryTags: renderList(d?.tags),
    asset: renderList(m.asset),
    amount: `[${m.amount?.min ?? '0'}, ${m.amount?.max ?? '∞'}]`,
  };
}

/**
 * Validates (again: the document may come from anywhere) and compiles. Throws PolicyValidationError
 * for an invalid document and PolicyInputError for a bad version.
 */
export function compilePolicy(document: unknown, version: number): CompiledPolicy {
  if (!Number.isSafeInteger(version) || version < 1) throw new PolicyInputError('version', 'must be a positive safe integer');
  const doc = validatePolicy(document);
  const rules = doc.rules.map((rule, index): CompiledRule => ({
    index,
    rule,
    text: textOf(rule),
    condition: rule.condition === undefined ? undefined : compileCondition(rule.condition),
    amountMin: rule.match.amount?.min === undefined ? undefined : parseAmount(rule.match.amount.min),
    amountMax: rule.match.amount?.max === undefined ? undefined : parseAmount(rule.match.amount.max),
    velocity: (rule.velocity ?? []).map((limit) => ({ limit, windowMs: parseDuration(limit.window)!, limitAmount: parseAmount(limit.limit)! })),
  }));
  const velocitySpecs = new Map<string, VelocitySpec[]>();
  for (const r of rules) {
    for (const op of r.rule.match.operation) {
      const list = velocitySpecs.get(op) ?? [];
      for (const v of r.velocity) {
        if (!list.some((x) => x.scope === v.limit.scope && x.asset === v.limit.asset && x.windowMs === v.windowMs)) list.push({ scope: v.limit.scope, asset: v.limit.asset, windowMs: v.windowMs });
      }
      velocitySpecs.set(op, list);
    }
  }
  const compiled: CompiledPolicy = Object.freeze({ document: doc, version, hash: policyHash(doc), rules: Object.freeze(rules), velocitySpecs });
  issued.add(compiled);
  return compiled;
}

const issued = new WeakSet<object>();

/** True only for objects returned by {@link compilePolicy} (a look-alike is refused by evaluate). */
export function isCompiledPolicy(value: unknown): value is CompiledPolicy {
  return typeof value === 'object' && value !== null && issued.has(value);
}
