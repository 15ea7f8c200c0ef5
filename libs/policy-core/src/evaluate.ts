/**
 * Evaluation: ordered rules, first match wins, deny when nothing matches; every decision explains
 * itself. Pure: the clock, the address book, the velocity usage and the approvals are arguments.
 */
import { asAddressBook, type AddressBook } from './address-book';
import { countApprovals } from './approvals';
import type { CelBinding } from './cel';
import { isCompiledPolicy, renderList as list, type CompiledPolicy, type CompiledRule } from './compile';
import { PolicyInputError } from './errors';
import { lookup, policyRequestDigest, validateContext, validateRequest } from './request';
import type {
  AddressBookEntry,
  ApprovalStatus,
  Decision,
  DecisionReason,
  EvaluationContext,
  MatcherTrace,
  Outcome,
  PolicyRequest,
  RuleTrace,
  VelocityReservation,
  VelocityScope,
  VelocityScopeRef,
  VelocityWindowTrace,
} from './types';

/** The stable key of a velocity scope: `v1|<scope>|<scope id>|<asset>|<window ms>` (scope id URI-encoded). */
export function velocityScopeKey(scope: VelocityScope, scopeId: string, asset: string, windowMs: number): string {
  return `v1|${scope}|${encodeURIComponent(scopeId)}|${encodeURIComponent(asset)}|${windowMs}`;
}

function scopeIdOf(scope: VelocityScope, request: PolicyRequest, entry: AddressBookEntry | undefined): string | undefined {
  switch (scope) {
    case 'wallet':
      return request.source?.walletId;
    case 'initiator':
      return request.initiator.id;
    case 'destination':
      if (entry !== undefined) return `entry:${entry.id}`;
      return request.destination === undefined ? undefined : `address:${request.destination.chainId}:${request.destination.address}`;
  }
}

function resolveEntry(request: PolicyRequest, book: AddressBook): AddressBookEntry | undefined {
  const d = request.destination;
  return d === undefined ? undefined : book.find(d.chainId, d.address);
}

/** Scope refs of one rule's limits for this request; `keys` caches keys within one evaluation. */
function refsOf(rule: CompiledRule, request: PolicyRequest, entry: AddressBookEntry | undefined, keys: Map<string, VelocityScopeRef>): VelocityScopeRef[] {
  const out: VelocityScopeRef[] = [];
  for (const v of rule.velocity) {
    const ref = refFor(v.limit.scope, v.limit.asset, v.windowMs, request, entry, keys);
    if (ref !== undefined) out.push(ref);
  }
  return out;
}

function refFor(scope: VelocityScope, asset: string, windowMs: number, request: PolicyRequest, entry: AddressBookEntry | undefined, keys: Map<string, VelocityScopeRef>): VelocityScopeRef | undefined {
  if (request.asset?.id !== asset) return undefined;
  const scopeId = scopeIdOf(scope, request, entry);
  if (scopeId === undefined) return undefined;
  const memo = `${scope}\u0000${scopeId}\u0000${asset}\u0000${windowMs}`;
  let ref = keys.get(memo);
  if (ref === undefined) {
    ref = { key: velocityScopeKey(scope, scopeId, asset, windowMs), scope, scopeId, asset, windowMs };
    keys.set(memo, ref);
  }
  return ref;
}

function scopesOf(compiled: CompiledPolicy, request: PolicyRequest, entry: AddressBookEntry | undefined, keys: Map<string, VelocityScopeRef>): VelocityScopeRef[] {
  const byKey = new Map<string, VelocityScopeRef>();
  for (const spec of compiled.velocitySpecs.get(request.operation) ?? []) {
    const ref = refFor(spec.scope, spec.asset, spec.windowMs, request, entry, keys);
    if (ref !== undefined) byKey.set(ref.key, ref);
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Every velocity scope this request could touch under this policy, whichever rule matches, sorted by
 * key (lock them in this order). Usage is counted per scope across the whole policy: every
 * withdrawal that was allowed or awaits approval (and has not failed) in the window counts, whichever
 * rule let it through. The destination scope is the address-book entry when the destination resolves
 * to one (so pass the same address book as to `evaluate`), else the chain and address.
 */
export function velocityScopesFor(compiled: CompiledPolicy, request: PolicyRequest, addressBook: readonly AddressBookEntry[] | AddressBook = []): VelocityScopeRef[] {
  assertCompiled(compiled);
  validateRequest(request);
  return scopesOf(compiled, request, resolveEntry(request, asAddressBook(addressBook, 'addressBook')), new Map());
}

function assertCompiled(compiled: unknown): asserts compiled is CompiledPolicy {
  if (!isCompiledPolicy(compiled)) throw new PolicyInputError('compiled', 'is not a policy from compilePolicy()');
}

function anyIn(values: readonly string[], set: readonly string[] | undefined): string | undefined {
  if (set === undefined) return undefined;
  return values.find((v) => set.includes(v));
}

/** The structured matchers, each with why it held or failed. */
function structuredChecks(rule: CompiledRule, request: PolicyRequest, entry: AddressBookEntry | undefined, amountText: string): MatcherTrace[] {
  const m = rule.rule.match;
  const checks: MatcherTrace[] = [];
  const opHeld = m.operation.includes(request.operation);
  const t = rule.text;
  checks.push({ matcher: 'operation', held: opHeld, detail: `${request.operation} ${opHeld ? 'is' : 'is not'} in ${t.operation}` });
  if (m.initiator !== undefined) {
    const byClient = m.initiator.clients?.includes(request.initiator.id) ?? false;
    const group = anyIn(request.initiator.groups, m.initiator.groups);
    const held = byClient || group !== undefined;
    const detail = byClient
      ? `client ${request.initiator.id} is listed`
      : group !== undefined
        ? `initiator group ${group} is listed`
        : `client ${request.initiator.id} and its groups ${list(request.initiator.groups)} are not in clients ${t.clients} / groups ${t.groups}`;
    checks.push({ matcher: 'initiator', held, detail });
  }
  if (m.source !== undefined) {
    const s = request.source;
    if (s === undefined) checks.push({ matcher: 'source', held: false, detail: 'the request has no source wallet' });
    else {
      const byWallet = m.source.wallets?.includes(s.walletId) ?? false;
      const tag = anyIn(s.tags, m.source.tags);
      const held = byWallet || tag !== undefined;
      const detail = byWallet
        ? `wallet ${s.walletId} is listed`
        : tag !== undefined
          ? `wallet tag ${tag} is listed`
          : `wallet ${s.walletId} and its tags ${list(s.tags)} are not in wallets ${t.wallets} / tags ${t.walletTags}`;
      checks.push({ matcher: 'source', held, detail });
    }
  }
  if (m.destination !== undefined) {
    const d = request.destination;
    const md = m.destination;
    if (d === undefined) checks.push({ matcher: 'destination', held: false, detail: 'the request has no destination' });
    else if (md === 'any') checks.push({ matcher: 'destination', held: true, detail: 'any destination' });
    else if (md === 'whitelisted') {
      checks.push(
        entry !== undefined
          ? { matcher: 'destination', held: true, detail: `address-book entry ${entry.id}` }
          : { matcher: 'destination', held: false, detail: 'the destination is not in the address book' },
      );
    } else if (entry === undefined) checks.push({ matcher: 'destination', held: false, detail: 'the destination is not in the address book' });
    else {
      const byEntry = md.entries?.includes(entry.id) ?? false;
      const tag = anyIn(entry.tags, md.tags);
      const held = byEntry || tag !== undefined;
      const detail = byEntry
        ? `address-book entry ${entry.id} is listed`
        : tag !== undefined
          ? `address-book tag ${tag} is listed`
          : `entry ${entry.id} and its tags ${list(entry.tags)} are not in entries ${t.entries} / tags ${t.entryTags}`;
      checks.push({ matcher: 'destination', held, detail });
    }
  }
  if (m.asset !== undefined) {
    const a = request.asset;
    if (a === undefined) checks.push({ matcher: 'asset', held: false, detail: 'the request has no asset' });
    else {
      const held = m.asset.includes(a.id);
      checks.push({ matcher: 'asset', held, detail: `${a.id} ${held ? 'is' : 'is not'} in ${t.asset}` });
    }
  }
  if (m.amount !== undefined) {
    const x = request.amount;
    if (x === undefined) checks.push({ matcher: 'amount', held: false, detail: 'the request has no amount' });
    else {
      const lowOk = rule.amountMin === undefined || x >= rule.amountMin;
      const highOk = rule.amountMax === undefined || x <= rule.amountMax;
      checks.push({ matcher: 'amount', held: lowOk && highOk, detail: `${amountText} ${lowOk && highOk ? 'is' : 'is not'} in ${t.amount}` });
    }
  }
  return checks;
}

function celBindings(request: PolicyRequest, entry: AddressBookEntry | undefined): { request: CelBinding; asset: CelBinding } {
  const r = new Map<string, unknown>([
    ['id', request.id],
    ['operation', request.operation],
    ['createdAt', BigInt(request.createdAt)],
    [
      'initiator',
      new Map<string, unknown>([
        ['id', request.initiator.id],
        ['groups', [...request.initiator.groups]],
      ]),
    ],
    ['attributes', new Map(Object.entries(request.attributes ?? {}))],
  ]);
  if (request.source !== undefined) {
    r.set(
      'source',
      new Map<string, unknown>([
        ['wallet', request.source.walletId],
        ['tags', [...request.source.tags]],
      ]),
    );
  }
  if (request.destination !== undefined) {
    r.set(
      'destination',
      new Map<string, unknown>([
        ['address', request.destination.address],
        ['chainId', BigInt(request.destination.chainId)],
        ['whitelisted', entry !== undefined],
        ['entry', entry?.id ?? ''],
        ['tags', [...(entry?.tags ?? [])]],
      ]),
    );
  }
  if (request.asset !== undefined) r.set('asset', request.asset.id);
  if (request.amount !== undefined) r.set('amount', request.amount);
  if (request.chainId !== undefined) r.set('chainId', BigInt(request.chainId));
  const a = new Map<string, unknown>();
  if (request.asset !== undefined) {
    a.set('id', request.asset.id);
    a.set('decimals', BigInt(request.asset.decimals));
    a.set('unit', 10n ** BigInt(request.asset.decimals));
  }
  return { request: r, asset: a };
}

/**
 * Evaluates a request. Throws PolicyInputError for a malformed request or context (including a
 * velocity scope of `velocityScopesFor` missing from `context.velocityUsage`); otherwise returns a
 * Decision. A condition that fails at run time denies (fail closed) and names the rule.
 */
export function evaluate(compiled: CompiledPolicy, request: PolicyRequest, context: EvaluationContext): Decision {
  assertCompiled(compiled);
  validateRequest(request);
  validateContext(context);
  const book = asAddressBook(context.addressBook, 'context.addressBook');
  const entry = resolveEntry(request, book);
  const keys = new Map<string, VelocityScopeRef>();
  const amountText = request.amount === undefined ? '' : request.amount.toString();
  let bindings: { request: CelBinding; asset: CelBinding } | undefined;
  const traces: RuleTrace[] = [];
  const policy = { version: compiled.version, hash: compiled.hash };
  let matched: CompiledRule | undefined;
  let failure: { rule: CompiledRule; error: string } | undefined;

  for (const rule of compiled.rules) {
    if (matched !== undefined || failure !== undefined) {
      traces.push({ index: rule.index, id: rule.rule.id, result: 'not-evaluated', checks: [], velocity: [] });
      continue;
    }
    const checks = structuredChecks(rule, request, entry, amountText);
    let held = checks.every((c) => c.held);
    if (rule.condition !== undefined) {
      if (!held) checks.push({ matcher: 'condition', held: false, detail: 'not evaluated: a matcher failed' });
      else {
        bindings ??= celBindings(request, entry);
        const v = rule.condition.evaluate(bindings.request, bindings.asset);
        if (typeof v === 'boolean') {
          checks.push({ matcher: 'condition', held: v, detail: `${v ? 'true' : 'false'}` });
          held = v;
        } else {
          checks.push({ matcher: 'condition', held: false, detail: `error: ${v.error}` });
          traces.push({ index: rule.index, id: rule.rule.id, result: 'error', checks, velocity: [] });
          failure = { rule, error: v.error };
          continue;
        }
      }
    }
    const windows: VelocityWindowTrace[] = [];
    if (held && rule.velocity.length > 0) {
      const refs = refsOf(rule, request, entry, keys);
      const requested = request.amount ?? 0n;
      for (const ref of refs) {
        const v = rule.velocity.find((x) => x.limit.scope === ref.scope && x.limit.asset === ref.asset && x.windowMs === ref.windowMs)!;
        const used = lookup(context.velocityUsage, ref.key);
        if (used === undefined) throw new PolicyInputError('context.velocityUsage', `no usage for scope ${ref.key} (read every scope of velocityScopesFor)`);
        const left = used >= v.limitAmount ? 0n : v.limitAmount - used;
        windows.push({ ...ref, limit: v.limitAmount, used, requested, left, fits: used + requested <= v.limitAmount });
      }
      const unaccounted = rule.velocity.filter((x) => request.asset?.id === x.limit.asset && scopeIdOf(x.limit.scope, request, entry) === undefined);
      for (const x of unaccounted) checks.push({ matcher: 'velocity', held: false, detail: `no ${x.limit.scope} to count a ${x.limit.window} limit against` });
      const over = windows.filter((w) => !w.fits);
      for (const w of over) checks.push({ matcher: 'velocity', held: false, detail: `${w.scope} ${w.scopeId}: ${w.used} used + ${w.requested} requested exceeds ${w.limit} per ${w.windowMs / 1000}s` });
      if (over.length === 0 && unaccounted.length === 0 && windows.length > 0) checks.push({ matcher: 'velocity', held: true, detail: `${windows.length} window(s) have room` });
      held = over.length === 0 && unaccounted.length === 0;
    }
    traces.push({ index: rule.index, id: rule.rule.id, result: held ? 'matched' : 'not-matched', checks, velocity: windows });
    if (held) matched = rule;
  }

  const finish = (outcome: Outcome, reason: DecisionReason, extra: { approvals?: ApprovalStatus; hook?: Decision['hook'] } = {}): Decision => {
    const reserve = outcome === 'allow' || outcome === 'needs-approval';
    const reservations: VelocityReservation[] =
      reserve && request.amount !== undefined ? scopesOf(compiled, request, entry, keys).map((ref) => ({ ...ref, amount: request.amount! })) : [];
    return {
      outcome,
      reason,
      requestId: request.id,
      policy,
      matchedRule: matched === undefined ? null : { index: matched.index, id: matched.rule.id },
      reservations,
      approvals: extra.approvals ?? null,
      hook: extra.hook ?? null,
      trace: { rules: traces },
    };
  };

  if (failure !== undefined) return finish('deny', 'condition-error');
  if (matched === undefined) return finish('deny', 'no-rule-matched');
  const rule = matched.rule;
  if (rule.action.type === 'deny') return finish('deny', 'rule-deny');
  if (rule.hook !== undefined) {
    const verdict = context.hook?.ruleId === rule.id ? context.hook.verdict : undefined;
    if (verdict === undefined) return finish('needs-hook', 'hook-pending', { hook: { ...rule.hook, ruleId: rule.id } });
    if (verdict === 'reject') return finish('deny', 'hook-rejected');
    if (verdict === 'unavailable' && rule.hook.fallback === 'deny') return finish('deny', 'hook-unavailable');
  }
  if (rule.action.type === 'allow') return finish('allow', 'rule-allow');
  const status = countApprovals({
    action: rule.action,
    document: compiled.document,
    policy,
    request,
    requestDigest: context.requestDigest ?? policyRequestDigest(request),
    approvals: context.approvals ?? [],
    approvers: context.approvers,
  });
  if (status.rejectedBy !== null) return finish('deny', 'rejected', { approvals: status });
  if (status.complete) return finish('allow', 'approvals-complete', { approvals: status });
  if (context.now >= status.expiresAt) return finish('deny', 'approvals-expired', { approvals: status });
  return finish('needs-approval', 'approvals-pending', { approvals: status });
}
