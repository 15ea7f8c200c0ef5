/**
 * Lint of a draft before activation. An invalid draft is refused (PolicyValidationError). A valid one
 * gets warnings, with rule numbers (0-based index and id):
 * - `shadowed`: an earlier rule matches every request this rule matches, so this rule is unreachable.
 *   Exact for the structured matchers; a CEL condition or a velocity limit on the earlier rule counts
 *   as "may not match" (so it never shadows), except an identical condition on both.
 * - `overlap`: an earlier rule and this one can both match one request and their actions differ (the
 *   earlier wins). CEL conditions and velocity limits count as "may match".
 */
import { canonicalJson } from './hash';
import type { PolicyDocument, PolicyRule, RuleMatch } from './types';
import { parseAmount } from './units';
import { validatePolicy } from './validate';

export interface LintWarning {
  readonly kind: 'shadowed' | 'overlap';
  /** The later rule. */
  readonly rule: { readonly index: number; readonly id: string };
  /** The earlier rule that shadows or overlaps it. */
  readonly by: { readonly index: number; readonly id: string };
  readonly message: string;
}

export interface LintReport {
  readonly warnings: readonly LintWarning[];
}

/** Validates the draft (throws PolicyValidationError when invalid) and lints it. */
export function lintPolicy(draft: unknown): LintReport {
  const doc: PolicyDocument = validatePolicy(draft);
  const warnings: LintWarning[] = [];
  doc.rules.forEach((rule, j) => {
    let shadowedBy: number | undefined;
    for (let i = 0; i < j; i++) {
      if (alwaysMatchesWhen(doc.rules[i]!, rule)) {
        shadowedBy = i;
        break;
      }
    }
    if (shadowedBy !== undefined) {
      const by = doc.rules[shadowedBy]!;
      warnings.push({
        kind: 'shadowed',
        rule: { index: j, id: rule.id },
        by: { index: shadowedBy, id: by.id },
        message: `rule ${j} (${rule.id}) is unreachable: rule ${shadowedBy} (${by.id}) matches every request it matches`,
      });
      return;
    }
    for (let i = 0; i < j; i++) {
      const earlier = doc.rules[i]!;
      if (sameEffect(earlier, rule)) continue;
      if (mayOverlap(earlier.match, rule.match)) {
        warnings.push({
          kind: 'overlap',
          rule: { index: j, id: rule.id },
          by: { index: i, id: earlier.id },
          message: `rules ${i} (${earlier.id}) and ${j} (${rule.id}) can match the same request with different actions; rule ${i} wins`,
        });
      }
    }
  });
  return { warnings };
}

function sameEffect(a: PolicyRule, b: PolicyRule): boolean {
  return canonicalJson(a.action) === canonicalJson(b.action) && canonicalJson(a.hook ?? null) === canonicalJson(b.hook ?? null);
}

const subset = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean => (a ?? []).every((x) => (b ?? []).includes(x));
const disjoint = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean => !(a ?? []).some((x) => (b ?? []).includes(x));

/** Only withdrawals are guaranteed (by validateRequest) to carry a source, destination, asset and amount. */
const onlyWithdrawals = (m: RuleMatch): boolean => m.operation.every((o) => o === 'withdrawal');

/** Does `earlier` match every request `later` matches? Exact for structured matchers, conservative otherwise. */
export function alwaysMatchesWhen(earlier: PolicyRule, later: PolicyRule): boolean {
  if (earlier.velocity !== undefined) return false;
  if (earlier.condition !== undefined && earlier.condition !== later.condition) return false;
  const e = earlier.match;
  const l = later.match;
  if (!l.operation.every((o) => e.operation.includes(o))) return false;
  // Initiator: any id and any groups are possible, so the sets must be contained set by set.
  if (e.initiator !== undefined) {
    if (l.initiator === undefined) return false;
    if (!subset(l.initiator.clients, e.initiator.clients) || !subset(l.initiator.groups, e.initiator.groups)) return false;
  }
  if (e.source !== undefined) {
    if (l.source === undefined) return false;
    if (!subset(l.source.wallets, e.source.wallets) || !subset(l.source.tags, e.source.tags)) return false;
  }
  if (e.destination !== undefined) {
    const ld = l.destination;
    if (e.destination === 'any') {
      if (ld === undefined && !onlyWithdrawals(l)) return false;
    } else if (e.destination === 'whitelisted') {
      if (ld === undefined || ld === 'any') return false;
    } else {
      if (ld === undefined || typeof ld === 'string') return false;
      if (!subset(ld.entries, e.destination.entries) || !subset(ld.tags, e.destination.tags)) return false;
    }
  }
  if (e.asset !== undefined) {
    if (l.asset === undefined || !subset(l.asset, e.asset)) return false;
  }
  if (e.amount !== undefined) {
    if (l.amount === undefined && !onlyWithdrawals(l)) return false;
    const [emin, emax] = range(e.amount);
    const [lmin, lmax] = range(l.amount);
    if (lmin < emin) return false;
    if (emax !== undefined && (lmax === undefined || lmax > emax)) return false;
  }
  return true;
}

function range(a: RuleMatch['amount']): [bigint, bigint | undefined] {
  const min = a?.min === undefined ? 0n : parseAmount(a.min)!;
  const max = a?.max === undefined ? undefined : parseAmount(a.max)!;
  return [min, max];
}

/** Can one request match both (ignoring conditions and velocity, which may hold)? */
export function mayOverlap(a: RuleMatch, b: RuleMatch): boolean {
  if (!a.operation.some((o) => b.operation.includes(o))) return false;
  // Two id-only lists that share nothing cannot both hold; any tag or group leaves room.
  if (a.initiator !== undefined && b.initiator !== undefined) {
    if (a.initiator.groups === undefined && b.initiator.groups === undefined && disjoint(a.initiator.clients, b.initiator.clients)) return false;
  }
  if (a.source !== undefined && b.source !== undefined) {
    if (a.source.tags === undefined && b.source.tags === undefined && disjoint(a.source.wallets, b.source.wallets)) return false;
  }
  const ad = a.destination;
  const bd = b.destination;
  if (ad !== undefined && bd !== undefined && typeof ad !== 'string' && typeof bd !== 'string') {
    if (ad.tags === undefined && bd.tags === undefined && disjoint(ad.entries, bd.entries)) return false;
  }
  if (a.asset !== undefined && b.asset !== undefined && disjoint(a.asset, b.asset)) return false;
  if (a.amount !== undefined && b.amount !== undefined) {
    const [amin, amax] = range(a.amount);
    const [bmin, bmax] = range(b.amount);
    const lo = amin > bmin ? amin : bmin;
    const hi = amax === undefined ? bmax : bmax === undefined ? amax : amax < bmax ? amax : bmax;
    if (hi !== undefined && lo > hi) return false;
  }
  return true;
}
