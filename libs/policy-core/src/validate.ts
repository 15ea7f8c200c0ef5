/**
 * Parsing (JSON or YAML text) and validation of policy documents: first the published JSON Schema
 * (schema/policy.schema.json, draft 2020-12, by Ajv), then what a schema cannot say (references,
 * uniqueness, ranges, CEL). Every issue carries a JSON Pointer into the document and a reason.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { parseDocument } from 'yaml';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import schema from '../schema/policy.schema.json';
import { CelCheckError, compileCondition } from './cel';
import { PolicyValidationError, pointer, preview, type ValidationIssue } from './errors';
import type { PolicyDocument, PolicyRule } from './types';
import { parseAmount, parseDuration } from './units';

/** The published schema of the document (what the engine serves). */
export const POLICY_SCHEMA: Readonly<Record<string, unknown>> = schema;

/** Documents longer than this (in UTF-16 code units) are refused before parsing. */
export const MAX_DOCUMENT_LENGTH = 1_048_576;

export type DocumentFormat = 'json' | 'yaml';

let compiled: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, verbose: true });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/**
 * Parses JSON or YAML text into a plain value. YAML: the core schema, unique keys, no custom tags, at
 * most 100 aliases. JSON: parsed as strict JSON (duplicate keys refused, unlike `JSON.parse`).
 */
export function parsePolicyText(text: string, format: DocumentFormat): unknown {
  if (typeof text !== 'string') throw new PolicyValidationError([{ path: '', message: 'the document must be text' }]);
  if (format !== 'json' && format !== 'yaml') throw new PolicyValidationError([{ path: '', message: `unknown format ${preview(format)} (json or yaml)` }]);
  if (text.length > MAX_DOCUMENT_LENGTH) throw new PolicyValidationError([{ path: '', message: `longer than ${MAX_DOCUMENT_LENGTH} characters` }]);
  const doc = parseDocument(text, {
    schema: format === 'json' ? 'json' : 'core',
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
    customTags: [],
    version: '1.2',
  });
  const problems = [...doc.errors];
  if (problems.length > 0) {
    const issues = problems.slice(0, 10).map((e) => {
      const at = lineCol(text, e.pos[0]);
      const reason = e.code === 'DUPLICATE_KEY' ? 'duplicate key' : short((e.message.split('\n')[0] ?? e.code).replace(/ at line \d+, column \d+.*$/, ''));
      return { path: '', message: `${format.toUpperCase()} syntax error${` at ${at.line}:${at.col}`}: ${reason}` };
    });
    throw new PolicyValidationError(issues);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    throw new PolicyValidationError([{ path: '', message: `${format.toUpperCase()} error: ${short(err instanceof Error ? err.message : 'unreadable')}` }]);
  }
}

/** Parses and validates; the result is a valid document (frozen deep copy). */
export function parsePolicy(text: string, format: DocumentFormat): PolicyDocument {
  return validatePolicy(parsePolicyText(text, format));
}

/**
 * Validates a parsed value. Throws {@link PolicyValidationError} with every issue found (the schema's
 * first, then the cross-checks when the shape is right). Returns a deep-frozen copy.
 */
export function validatePolicy(value: unknown): PolicyDocument {
  const validate = schemaValidator();
  if (!validate(value)) {
    throw new PolicyValidationError(schemaIssues(validate.errors ?? []));
  }
  const doc = value as PolicyDocument;
  const issues = crossCheck(doc);
  if (issues.length > 0) throw new PolicyValidationError(issues);
  return deepFreeze(structuredClone(doc));
}

function schemaIssues(errors: readonly ErrorObject[]): ValidationIssue[] {
  // Branch errors under a failed anyOf are noise: report the anyOf with its description instead.
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath);
  const ifPaths = errors.filter((e) => e.keyword === 'if').map((e) => e.schemaPath);
  const out: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && anyOfPaths.some((p) => e.schemaPath.startsWith(p + '/'))) continue;
    if (ifPaths.includes(e.schemaPath)) continue;
    let path = e.instancePath;
    let message: string;
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'additionalProperties':
        path += pointer(String(params.additionalProperty));
        message = 'unknown property';
        break;
      case 'required':
        path += pointer(String(params.missingProperty));
        message = 'is required';
        break;
      case 'anyOf': {
        const description = (e.parentSchema as { description?: string } | undefined)?.description;
        message = `must be ${description ?? 'one of the allowed forms'}`;
        break;
      }
      case 'pattern': {
        const description = (e.parentSchema as { description?: string } | undefined)?.description;
        message = `${preview(e.data)} is not ${description ?? `of the form ${String(params.pattern)}`}`;
        break;
      }
      case 'enum':
        message = `${preview(e.data)} is not one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'const':
        message = `must be ${JSON.stringify(params.allowedValue)}`;
        break;
      case 'propertyNames':
        path += pointer(String(params.propertyName));
        message = 'is not a valid id (1..128 of A-Z a-z 0-9 . _ : @ -, starting with a letter or digit)';
        break;
      case 'type': {
        const t = String(params.type);
        const description = (e.parentSchema as { description?: string } | undefined)?.description;
        message = `must be ${t === 'object' || t === 'array' || t === 'integer' ? 'an' : 'a'} ${t}${description && e.instancePath !== '' ? `: ${description}` : ''}`;
        break;
      }
      case 'minItems':
        message = params.limit === 1 ? 'must not be empty' : `must have at least ${String(params.limit)} items`;
        break;
      case 'maxItems':
        message = `must have at most ${String(params.limit)} items`;
        break;
      case 'uniqueItems':
        message = `items ${String(params.j)} and ${String(params.i)} are the same`;
        break;
      case 'minProperties':
        message = 'must not be empty';
        break;
      default:
        message = e.message ?? 'is invalid';
    }
    const key = `${path}\u0000${message}`;
    if (e.keyword === 'pattern' && e.propertyName !== undefined) continue; // reported by propertyNames
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}

function crossCheck(doc: PolicyDocument): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const ruleIds = new Map<string, number>();
  doc.rules.forEach((rule, i) => {
    const at = (...t: (string | number)[]): string => pointer('rules', i, ...t);
    const first = ruleIds.get(rule.id);
    if (first !== undefined) issues.push({ path: at('id'), message: `duplicate rule id ${preview(rule.id)} (first used by rule ${first})` });
    else ruleIds.set(rule.id, i);
    checkMatch(rule, at, issues);
    if (rule.condition !== undefined) {
      try {
        compileCondition(rule.condition);
      } catch (err) {
        if (!(err instanceof CelCheckError)) throw err;
        issues.push({ path: at('condition'), message: `CEL ${err.message}` });
      }
    }
    checkVelocity(rule, at, issues);
    checkAction(doc, rule, at, issues);
    if (rule.hook !== undefined) checkHook(rule, at, issues);
  });
  return issues;
}

function checkMatch(rule: PolicyRule, at: (...t: (string | number)[]) => string, issues: ValidationIssue[]): void {
  const amount = rule.match.amount;
  if (amount !== undefined) {
    const min = amount.min === undefined ? undefined : parseAmount(amount.min);
    const max = amount.max === undefined ? undefined : parseAmount(amount.max);
    if (min !== undefined && max !== undefined && min > max) issues.push({ path: at('match', 'amount'), message: `min (${amount.min}) is greater than max (${amount.max})` });
  }
}

function checkVelocity(rule: PolicyRule, at: (...t: (string | number)[]) => string, issues: ValidationIssue[]): void {
  if (rule.velocity === undefined) return;
  if (rule.action.type === 'deny') issues.push({ path: at('velocity'), message: 'a deny rule cannot carry velocity limits (they only bound what a rule lets through)' });
  if (!rule.match.operation.includes('withdrawal')) issues.push({ path: at('velocity'), message: 'velocity limits need a rule that matches the withdrawal operation (only withdrawals carry amounts)' });
  const seen = new Set<string>();
  rule.velocity.forEach((v, j) => {
    if (parseDuration(v.window) === undefined) issues.push({ path: at('velocity', j, 'window'), message: `${preview(v.window)} is out of range (1s .. 366d)` });
    if (rule.match.asset !== undefined && !rule.match.asset.includes(v.asset)) {
      issues.push({ path: at('velocity', j, 'asset'), message: `${preview(v.asset)} is not among the rule's assets: the limit would never apply` });
    }
    const key = `${v.scope}|${v.asset}|${v.window}`;
    if (seen.has(key)) issues.push({ path: at('velocity', j), message: `a second limit for the same scope, asset and window` });
    seen.add(key);
  });
}

function checkAction(doc: PolicyDocument, rule: PolicyRule, at: (...t: (string | number)[]) => string, issues: ValidationIssue[]): void {
  const action = rule.action;
  if (action.type !== 'require-approvals') return;
  if (parseDuration(action.expiry) === undefined) issues.push({ path: at('action', 'expiry'), message: `${preview(action.expiry)} is out of range (1s .. 366d)` });
  const seen = new Set<string>();
  action.groups.forEach((g, j) => {
    const group = Object.prototype.hasOwnProperty.call(doc.approverGroups, g.group) ? doc.approverGroups[g.group] : undefined;
    if (group === undefined) {
      issues.push({ path: at('action', 'groups', j, 'group'), message: `unknown approver group ${preview(g.group)}` });
    } else if (g.quorum > group.members.length) {
      issues.push({ path: at('action', 'groups', j, 'quorum'), message: `quorum ${g.quorum} exceeds the ${group.members.length} member(s) of ${preview(g.group)}: it could never be reached` });
    }
    if (seen.has(g.group)) issues.push({ path: at('action', 'groups', j, 'group'), message: `group ${preview(g.group)} is listed twice` });
    seen.add(g.group);
  });
}

function checkHook(rule: PolicyRule, at: (...t: (string | number)[]) => string, issues: ValidationIssue[]): void {
  const hook = rule.hook!;
  let url: URL | undefined;
  try {
    url = new URL(hook.url);
  } catch {
    issues.push({ path: at('hook', 'url'), message: 'is not a URL' });
  }
  if (url !== undefined) {
    const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) issues.push({ path: at('hook', 'url'), message: 'must be https (http only on loopback)' });
    if (url.username !== '' || url.password !== '') issues.push({ path: at('hook', 'url'), message: 'must not carry credentials' });
    if (url.hash !== '') issues.push({ path: at('hook', 'url'), message: 'must not carry a fragment' });
  }
  try {
    ed25519.Point.fromBytes(hexToBytes(hook.publicKey));
  } catch {
    issues.push({ path: at('hook', 'publicKey'), message: 'is not an Ed25519 public key' });
  }
  if (rule.action.type === 'deny') issues.push({ path: at('hook'), message: 'a deny rule cannot carry a hook (it denies anyway)' });
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, col: lines[lines.length - 1]!.length + 1 };
}

function short(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v as Record<string, unknown>)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}
