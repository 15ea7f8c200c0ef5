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

export interface CompiledRule {
  readonly index: number;
  readonly rule: PolicyRule;
  readonly condition: CompiledCondition | undefined;
  readonly amountMin: bigint | undefined;
  readonly amountMax: bigint | undefined;
  readonly velocity: readonly CompiledVelocity[];
}

export interface CompiledPolicy {
  readonly document: PolicyDocument;
  /** The engine's version number of this document (immutable, 1, 2, …). */
  readonly version: number;
  /** `policyHash(document)`. */
  readonly hash: string;
  readonly rules: readonly CompiledRule[];
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
    condition: rule.condition === undefined ? undefined : compileCondition(rule.condition),
    amountMin: rule.match.amount?.min === undefined ? undefined : parseAmount(rule.match.amount.min),
    amountMax: rule.match.amount?.max === undefined ? undefined : parseAmount(rule.match.amount.max),
    velocity: (rule.velocity ?? []).map((limit) => ({ limit, windowMs: parseDuration(limit.window)!, limitAmount: parseAmount(limit.limit)! })),
  }));
  const compiled: CompiledPolicy = Object.freeze({ document: doc, version, hash: policyHash(doc), rules: Object.freeze(rules) });
  issued.add(compiled);
  return compiled;
}

const issued = new WeakSet<object>();

/** True only for objects returned by {@link compilePolicy} (a look-alike is refused by evaluate). */
export function isCompiledPolicy(value: unknown): value is CompiledPolicy {
  return typeof value === 'object' && value !== null && issued.has(value);
}
