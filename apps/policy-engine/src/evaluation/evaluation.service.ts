import { Inject, Injectable } from '@nestjs/common';
import { appendPolicyEvents, evaluationEvents, recordApprovalEvent, recordEvaluationEvents, type PolicyEvent } from '../outbox/policy-outbox';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { POSTGRES } from '@custody/platform';
import {
  approvalMessage,
  decisionJson,
  evaluate,
  registeredKeys,
  velocityScopesFor,
  type AddressBookEntry,
  type Approver,
  type CompiledPolicy,
  type Decision,
  type PolicyRequest,
  type VelocityScopeRef,
} from '@custody/policy-core';
import { encodeSignGrant, requestDigest, signGrant, signRequestFromJson, signRequestToJson, type SignRequest } from '@custody/sign-grant';
import type { DataSource } from 'typeorm';
import { AddressBookRepository } from '../address-book/address-book.repository';
import type { PolicyEngineConfig } from '../config';
import { AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied } from '../errors';
import { CompiledPolicies } from '../governance/compiled-policies.service';
import { GovernanceRepository } from '../governance/governance.repository';
import { GroupCommit, type Waiting } from '../storage/group-commit';
import { inTransaction, type Sql } from '../storage/transaction';
import type { AuditRecord } from '@custody/audit-core';
import { evaluationAuditRecord, grantAuditRecord, recordAll, recordEvaluation, recordGrant, recordRequestDecision } from '../audit/audit-records';
import { POLICY_ENGINE_CONFIG } from '../tokens';
import { HookClient } from './hook.client';
import { checkId, checkRequestId, engineRequestDigest, inputHash, requestFromJson, requestToJson, type RequestInput } from './request-input';
import { compactEvaluationText, contextOf, inputsOf, isCompactEvaluation, sameVerdict, submitted, type EvaluationInputs } from './evaluation-record';
import {
  destinationKey,
  RequestsRepository,
  type FirstEvaluationRow,
  type HookVerdict,
  type IssuedGrant,
  type RequestStatus,
  type Reservation,
  type StoredApproval,
  type StoredEvaluation,
  type StoredRequest,
} from './requests.repository';

/** What every decision answer carries. */
export interface DecisionView {
  readonly requestId: string;
  readonly decision: Decision;
  /** The decision as JSON text when it was just made (saves serializing it twice). */
  readonly decisionText?: string;
  readonly status: RequestStatus | null;
  readonly grantJson: string | null;
  readonly requestDigest: Uint8Array;
  readonly approveMessage: Uint8Array;
  readonly rejectMessage: Uint8Array;
}

/** A side effect run in the transaction that allows a request (e.g. applying an address-book change). */
export type OnAllowed = (sql: Sql, request: StoredRequest) => Promise<void>;

function statusOf(decision: Decision): RequestStatus {
  switch (decision.outcome) {
    case 'allow':
      return 'allowed';
    case 'needs-approval':
      return 'pending-approval';
    default:
      return decision.reason === 'rejected' || decision.reason === 'approvals-expired' || decision.reason === 'hook-rejected' ? 'rejected' : 'denied';
  }
}

/** What to reserve for a decision: a pending request's reservations lapse when its approvals expire. */
function reservationsOf(decision: Decision): Reservation[] {
  const expiresAtMs = decision.outcome === 'needs-approval' && decision.approvals ? decision.approvals.expiresAt : null;
  return decision.reservations.map((r) => ({ scopeKey: r.key, amount: r.amount, expiresAtMs }));
}

/** The grant's policy version name, `v<n>`; its content hash travels in the v2 grant's `policyHash`. */
export function grantPolicyVersion(version: number): string {
  return `v${version}`;
}

/** JSON text of a decision: bigints as decimal strings (policy-core's fast serializer). */
export function decisionText(decision: Decision): string {
  return decisionJson(decision);
}

/** At most this many first evaluations share one transaction (group commit), and at most this many such transactions run at once. */
export const EVALUATION_BATCH_MAX = 64;
export const EVALUATION_BATCHES_CONCURRENT = 3;

interface FirstEvaluation {
  readonly input: RequestInput;
  readonly extraBody: Record<string, unknown>;
}

/**
 * Evaluation of requests under the active policy, approvals, sign grants. Velocity: in one
 * transaction, the scopes the request could touch are locked (advisory locks, hash order), their
 * usage read, the request evaluated and its reservations recorded before commit — two concurrent
 * requests can never together exceed a limit. A request keeps the policy version it was first
 * evaluated under for its whole life (approvals re-evaluate it under that version).
 *
 * First evaluations that arrive together share one transaction (group commit, {@link evaluateBatch}):
 * one read of the context, one statement locking every scope of the batch, one usage read, the
 * requests evaluated in arrival order on the running usage (each one's reservations count for the
 * next), one write, one COMMIT. Evaluations stay exactly as serial as one at a time.
 */
@Injectable()
export class EvaluationService {
  private readonly onAllowed = new Map<string, OnAllowed>();
  private readonly approversBySeq = new Map<number, Map<string, Approver>>();
  private readonly firstEvaluations = new GroupCommit<FirstEvaluation, DecisionView>((batch) => this.evaluateBatch(batch), EVALUATION_BATCH_MAX, EVALUATION_BATCHES_CONCURRENT);

  constructor(
    @Inject(POSTGRES) private readonly dataSource: DataSource,
    @Inject(POLICY_ENGINE_CONFIG) private readonly config: PolicyEngineConfig,
    private readonly requests: RequestsRepository,
    private readonly addressBook: AddressBookRepository,
    private readonly governance: GovernanceRepository,
    private readonly policies: CompiledPolicies,
    private readonly hooks: HookClient,
  ) {}

  /** Registers the effect of allowing requests of one operation (one per operation). */
  registerOnAllowed(operation: string, effect: OnAllowed): void {
    this.onAllowed.set(operation, effect);
  }

  /**
   * Evaluates a new request (a retry with the same input answers the stored decision; other input
   * under the same id is refused). Operations with an effect of their own (address-book changes)
   * are evaluated one at a time; the others in group-commit batches.
   */
  async evaluate(input: RequestInput, extraBody: Record<string, unknown> = {}): Promise<DecisionView> {
    if (this.onAllowed.has(input.request.operation)) return this.evaluateAlone(input, extraBody);
    return this.firstEvaluations.submit({ input, extraBody });
  }

  /**
   * One batch of first evaluations in one transaction. A request that needs the external hook is
   * not decided here (the hook must not be awaited while the batch holds its locks): it is evaluated
   * alone afterwards, under the version the batch read. So are a request id already stored or
   * repeated within the batch (answered as retries). If the batch fails as a whole, nothing of it was
   * written and each request is evaluated alone, so that an error is only ever its own request's.
   */
  private async evaluateBatch(batch: readonly Waiting<FirstEvaluation, DecisionView>[]): Promise<void> {
    const alone: Array<{ w: Waiting<FirstEvaluation, DecisionView>; version?: number }> = [];
    const answers: Array<{ w: Waiting<FirstEvaluation, DecisionView>; view: DecisionView }> = [];
    try {
      await inTransaction(this.dataSource, async (sql) => {
        const now = Date.now();
        const ids = batch.map((w) => w.item.input.request.id);
        const destinations = batch.flatMap((w) => (w.item.input.request.destination ? [w.item.input.request.destination] : []));
        const ctx = await this.requests.batchContext(sql, ids, destinations);
        const compiled = await this.policies.version(ctx.activeVersion, sql);
        const approvers = await this.approversAt(ctx.governanceSeq, sql);
        const seen = new Set<string>();
        const work: Array<{ w: Waiting<FirstEvaluation, DecisionView>; request: PolicyRequest; entries: AddressBookEntry[]; scopes: VelocityScopeRef[] }> = [];
        for (const w of batch) {
          const id = w.item.input.request.id;
          if (ctx.existing.has(id) || seen.has(id)) {
            alone.push({ w });
            continue;
          }
          seen.add(id);
          const request: PolicyRequest = { ...w.item.input.request, createdAt: now };
          const d = request.destination;
          const entries = d ? (ctx.entries.get(destinationKey(d.chainId, d.address)) ?? []) : [];
          work.push({ w, request, entries, scopes: velocityScopesFor(compiled, request, entries) });
        }
        const windows = new Map<string, number>();
        for (const x of work) for (const s of x.scopes) windows.set(s.key, s.windowMs);
        await this.requests.lockScopes(sql, [...windows.keys()]);
        const running = await this.requests.usage(sql, [...windows].map(([key, windowMs]) => ({ key, windowMs })), now, '');
        const rows: FirstEvaluationRow[] = [];
        const decided: Array<{ w: Waiting<FirstEvaluation, DecisionView>; view: DecisionView; records: AuditRecord[]; events: PolicyEvent[] }> = [];
        for (const x of work) {
          const velocityUsage = new Map(x.scopes.map((s) => [s.key, running.get(s.key)!]));
          const context = { now, addressBook: x.entries, velocityUsage, approvals: [], approvers };
          const decision = evaluate(compiled, x.request, context);
          if (decision.outcome === 'needs-hook') {
            alone.push({ w: x.w, version: compiled.version });
            continue;
          }
          const status = statusOf(decision);
          const reserve = status === 'allowed' || status === 'pending-approval';
          const reservations = reserve ? reservationsOf(decision) : [];
          for (const r of reservations) running.set(r.scopeKey, running.get(r.scopeKey)! + r.amount);
          const input = x.w.item.input;
          const stored = this.storedRequest(input, x.w.item.extraBody, x.request, compiled, status, null);
          const text = decisionText(decision);
          const grant = status === 'allowed' && input.signRequest ? this.grantFor(compiled, input.signRequest, decision, [], now) : null;
          rows.push({ request: stored, evaluation: this.evaluationRecord(compiled, decision, now, inputsOf(context, [], ctx.governanceSeq)), reservations, grant });
          const records = [evaluationAuditRecord({ ...stored, status, outcome: decision.outcome, matchedRule: decision.matchedRule?.id ?? null, decisionText: text, at: now })];
          if (grant) records.push(grantAuditRecord(grant.grant));
          decided.push({ w: x.w, view: { ...this.decisionView(x.request.id, decision, status, grant?.json ?? null, stored.requestDigest), decisionText: text }, records, events: evaluationEvents(stored, status, decision) });
        }
        const claimed = await this.requests.insertFirstEvaluations(sql, now, compiled, rows);
        const records: AuditRecord[] = [];
        const events: PolicyEvent[] = [];
        for (const d of decided) {
          if (claimed.has(d.view.requestId)) {
            records.push(...d.records);
            events.push(...d.events);
            answers.push(d);
          }
          else alone.push({ w: d.w }); // its id was claimed concurrently meanwhile: a retry
        }
        // The batch's events and audit records, one statement each, in its transaction: nothing is decided unlogged.
        await appendPolicyEvents(sql, events);
        await recordAll(sql, records);
      });
    } catch {
      for (const w of batch) w.resolve(this.evaluateAlone(w.item.input, w.item.extraBody));
      return;
    }
    for (const a of answers) a.w.resolve(a.view);
    for (const a of alone) a.w.resolve(this.evaluateAlone(a.w.item.input, a.w.item.extraBody, a.version));
  }

  /** A first evaluation in its own transaction (`version`: the one a batch read for it, else the active one). */
  private async evaluateAlone(input: RequestInput, extraBody: Record<string, unknown>, version?: number): Promise<DecisionView> {
    const hash = inputHash(input);
    const result = await inTransaction(this.dataSource, async (sql) => {
      const now = Date.now();
      const request: PolicyRequest = { ...input.request, createdAt: now };
      const ctx = await this.requests.evaluationContext(sql, request.id, request.destination);
      if (ctx.existingHash !== null) return undefined;
      const compiled = await this.policies.version(version ?? ctx.activeVersion, sql);
      const approvers = await this.approversAt(ctx.governanceSeq, sql);
      const entries = ctx.entries;
      const scopes = velocityScopesFor(compiled, request, entries);
      await this.requests.lockScopes(sql, scopes.map((x) => x.key));
      const usage = await this.requests.usage(sql, scopes.map((x) => ({ key: x.key, windowMs: x.windowMs })), now, request.id);
      const context = { now, addressBook: entries, velocityUsage: usage, approvals: [], approvers };
      let decision = evaluate(compiled, request, context);
      let hookVerdict: HookVerdict | null = null;
      if (decision.outcome === 'needs-hook' && decision.hook) {
        const subject = { request, ruleId: decision.hook.ruleId, policyVersion: compiled.version, policyHash: compiled.hash };
        hookVerdict = { ruleId: decision.hook.ruleId, verdict: await this.hooks.decide(decision.hook, subject) };
        decision = evaluate(compiled, request, { ...context, hook: hookVerdict });
      }
      const status = statusOf(decision);
      const stored = this.storedRequest(input, extraBody, request, compiled, status, hookVerdict);
      const reserve = status === 'allowed' || status === 'pending-approval';
      const text = decisionText(decision);
      const inputs = inputsOf(hookVerdict ? { ...context, hook: hookVerdict } : context, [], ctx.governanceSeq);
      const claimed = await this.requests.insertFirstEvaluation(sql, stored, status, hookVerdict, this.evaluationRecord(compiled, decision, now, inputs), reserve ? reservationsOf(decision) : []);
      // A concurrent evaluation of the same id committed first: answer as a retry (nothing written here).
      if (!claimed) return undefined;
      await recordEvaluationEvents(sql, stored, status, decision);
      await recordEvaluation(sql, { ...stored, status, outcome: decision.outcome, matchedRule: decision.matchedRule?.id ?? null, decisionText: text, at: now });
      let grantJson: string | null = null;
      if (status === 'allowed') grantJson = await this.onAllow(sql, compiled, stored, input.signRequest, decision, [], now);
      return { ...this.decisionView(request.id, decision, status, grantJson, stored.requestDigest), decisionText: text };
    });
    if (result === undefined) {
      const existing = await this.requests.request(input.request.id);
      if (!existing) throw new FailedPrecondition(`request ${input.request.id} is being evaluated concurrently; retry`);
      return this.retry(existing, hash);
    }
    return result;
  }

  private storedRequest(input: RequestInput, extraBody: Record<string, unknown>, request: PolicyRequest, compiled: CompiledPolicy, status: RequestStatus, hookVerdict: HookVerdict | null): StoredRequest {
    return {
      requestId: request.id,
      operation: request.operation,
      initiatorId: request.initiator.id,
      body: { ...requestToJson(request), ...extraBody },
      inputHash: inputHash(input),
      signRequestJson: input.signRequest ? signRequestToJson(input.signRequest) : null,
      requestDigest: engineRequestDigest(request),
      createdAtMs: request.createdAt,
      policyVersion: compiled.version,
      policyHash: compiled.hash,
      status,
      hookVerdict,
    };
  }

  private async retry(existing: StoredRequest, hash: string): Promise<DecisionView> {
    if (existing.inputHash !== hash) throw new AlreadyExists('request', existing.requestId, 'was evaluated already with different content');
    return this.view(existing.requestId);
  }

  /** Dry run: evaluates without storing or reserving anything. */
  async dryRun(input: RequestInput, compiled: CompiledPolicy, usage: ReadonlyMap<string, bigint> | undefined): Promise<DecisionView> {
    const now = Date.now();
    const request: PolicyRequest = { ...input.request, createdAt: now };
    const sql = (t: string, p?: readonly unknown[]) => this.dataSource.query(t, p ? [...p] : undefined);
    const entries = await this.entriesFor(request, sql);
    const scopes = velocityScopesFor(compiled, request, entries);
    const live = usage ? new Map(scopes.map((s) => [s.key, usage.get(s.key) ?? 0n])) : await this.requests.usage(sql, scopes.map((s) => ({ key: s.key, windowMs: s.windowMs })), now, request.id);
    const approvers = await this.approverMap(sql);
    let decision = evaluate(compiled, request, { now, addressBook: entries, velocityUsage: live, approvals: [], approvers });
    if (decision.outcome === 'needs-hook' && decision.hook) {
      decision = evaluate(compiled, request, { now, addressBook: entries, velocityUsage: live, approvals: [], approvers, hook: { ruleId: decision.hook.ruleId, verdict: 'unavailable' } });
    }
    const digest = engineRequestDigest(request);
    return this.decisionView(request.id, decision, null, null, digest);
  }

  /** Records an approver's signed approval or rejection and re-evaluates the request under its own version. */
  async submitApproval(requestId: unknown, approverId: unknown, decisionValue: unknown, signature: unknown, grantSignature: unknown): Promise<DecisionView> {
    const id = checkRequestId(requestId, 'request_id');
    const approver = checkId(approverId, 'approver_id');
    if (decisionValue !== 'approve' && decisionValue !== 'reject') throw new InvalidArgument('decision', 'must be "approve" or "reject"');
    const decision: 'approve' | 'reject' = decisionValue;
    if (!(signature instanceof Uint8Array) || signature.length !== 64) throw new InvalidArgument('signature', 'must be a 64-byte Ed25519 signature');
    const grantSig = grantSignature instanceof Uint8Array && grantSignature.length > 0 ? grantSignature : null;
    if (grantSig !== null && grantSig.length !== 64) throw new InvalidArgument('grant_signature', 'must be a 64-byte Ed25519 signature');
    return inTransaction(this.dataSource, async (sql) => {
      const stored = await this.requests.request(id, sql, true);
      if (!stored) throw new NotFound('request', id);
      const key = (await this.approverMap(sql)).get(approver);
      if (!key) throw new PermissionDenied(`approver_id ${approver} is not a registered approver`);
      const subject = { requestId: id, requestDigest: stored.requestDigest, policyVersion: stored.policyVersion, policyHash: stored.policyHash, decision };
      if (!verify(signature, approvalMessage(subject), key.publicKey)) {
        throw new PermissionDenied(`signature of ${approver} does not verify over request ${id}'s ${decision} message (policy version ${stored.policyVersion})`);
      }
      const signRequest = stored.signRequestJson === null ? null : signRequestFromJson(stored.signRequestJson);
      if (signRequest !== null && decision === 'approve') {
        if (grantSig === null) throw new InvalidArgument('grant_signature', 'is required to approve a request the signers will sign (Ed25519 over libs/sign-grant requestDigest)');
        if (!verify(grantSig, requestDigest(signRequest), key.publicKey)) throw new PermissionDenied(`grant_signature of ${approver} does not verify over the sign request's digest`);
      }
      const approval: StoredApproval = { approverId: approver, decision, policyVersion: stored.policyVersion, policyHash: stored.policyHash, signature, grantSignature: decision === 'approve' ? grantSig : null, receivedAtMs: Date.now() };
      if (!(await this.requests.insertApproval(sql, id, approval))) {
        const earlier = (await this.requests.approvals(id, sql)).find((a) => a.approverId === approver)!;
        if (earlier.decision === decision && Buffer.from(earlier.signature).equals(Buffer.from(signature))) return this.view(id, sql);
        throw new AlreadyExists('decision of approver', approver, `on request ${id} was recorded already (${earlier.decision})`);
      }
      await recordRequestDecision(sql, { ...approval, requestId: id, requestDigest: stored.requestDigest, at: approval.receivedAtMs });
      if (stored.status !== 'pending-approval') throw new FailedPrecondition(`request ${id} is ${stored.status}: approvals no longer change it`);
      await recordApprovalEvent(sql, id, approval);
      const compiled = await this.policies.version(stored.policyVersion, sql);
      const request = requestFromJson(stored.body);
      return this.decide(sql, compiled, stored, request, signRequest, await this.requests.approvals(id, sql), Date.now());
    });
  }

  /** The request failed downstream: its reservations stop counting. */
  async release(requestId: unknown): Promise<DecisionView> {
    const id = checkRequestId(requestId, 'request_id');
    await inTransaction(this.dataSource, async (sql) => {
      const stored = await this.requests.request(id, sql, true);
      if (!stored) throw new NotFound('request', id);
      await this.requests.lockScopes(sql, await this.requests.reservedScopes(sql, id));
      await this.requests.releaseReservations(sql, id);
      await this.requests.setStatus(sql, id, 'failed');
    });
    return this.view(id);
  }

  async view(requestId: unknown, sql?: Sql): Promise<DecisionView> {
    const id = checkRequestId(requestId, 'request_id');
    const stored = await this.requests.request(id, sql);
    if (!stored) throw new NotFound('request', id);
    const evaluation = await this.requests.latestEvaluation(id, sql);
    if (!evaluation) throw new NotFound('evaluation of request', id);
    const grant = (await this.requests.grant(id, sql)) ?? null;
    const { decision, text } = await this.fullDecision(stored, evaluation, sql);
    return { ...this.decisionView(id, decision, stored.status, grant, stored.requestDigest, stored.policyVersion, stored.policyHash), ...(text ? { decisionText: text } : {}) };
  }

  /**
   * The whole decision (with its trace) of a stored evaluation. A compact record is evaluated again
   * under its version with the inputs it stored, and must hash to what was answered then.
   */
  private async fullDecision(stored: StoredRequest, evaluation: StoredEvaluation, sql?: Sql): Promise<{ decision: Decision; text?: string }> {
    const record = evaluation.decision;
    if (!isCompactEvaluation(record)) return { decision: record as unknown as Decision }; // stored whole (before compact records)
    const compiled = await this.policies.version(evaluation.policyVersion, sql);
    const approvers = await this.approversAt(record.inputs.governanceSeq, sql);
    const approvals = record.inputs.approvals.length === 0 ? [] : await this.requests.approvals(stored.requestId, sql);
    const decision = evaluate(compiled, requestFromJson(stored.body), contextOf(record.inputs, approvals, approvers));
    const text = decisionText(decision);
    if (!sameVerdict(decision, record)) throw new Error(`the stored evaluation of request ${stored.requestId} does not recompute to its recorded decision`);
    return { decision, text };
  }

  /**
   * The heart: lock the scopes, read usage, evaluate, record the evaluation and reservations, and
   * issue a grant when allowed — all in the caller's transaction.
   */
  private async decide(sql: Sql, compiled: CompiledPolicy, stored: StoredRequest, request: PolicyRequest, signRequest: SignRequest | null, approvals: readonly StoredApproval[], now: number): Promise<DecisionView> {
    const entries = await this.entriesFor(request, sql);
    const scopes = velocityScopesFor(compiled, request, entries);
    const keys = new Set(scopes.map((s) => s.key));
    for (const k of await this.requests.reservedScopes(sql, request.id)) keys.add(k);
    await this.requests.lockScopes(sql, [...keys]);
    const usage = await this.requests.usage(sql, scopes.map((s) => ({ key: s.key, windowMs: s.windowMs })), now, request.id);
    const { seq, keys: approvers } = await this.approversNow(sql);
    const context = { now, addressBook: entries, velocityUsage: usage, approvals: submitted(approvals), approvers, ...(stored.hookVerdict ? { hook: stored.hookVerdict } : {}) };
    let decision = evaluate(compiled, request, context);
    let hook = stored.hookVerdict ?? undefined;
    if (decision.outcome === 'needs-hook' && decision.hook) {
      const subject = { request, ruleId: decision.hook.ruleId, policyVersion: compiled.version, policyHash: compiled.hash };
      const verdict = { ruleId: decision.hook.ruleId, verdict: await this.hooks.decide(decision.hook, subject) };
      await this.requests.setHookVerdict(sql, request.id, verdict);
      decision = evaluate(compiled, request, { ...context, hook: verdict });
      hook = verdict;
    }
    const status = statusOf(decision);
    const text = decisionText(decision);
    const inputs = inputsOf({ ...context, ...(hook ? { hook } : {}) }, approvals, seq);
    await this.requests.insertEvaluation(sql, request.id, this.evaluationRecord(compiled, decision, now, inputs));
    await recordEvaluation(sql, { ...stored, status, outcome: decision.outcome, matchedRule: decision.matchedRule?.id ?? null, decisionText: text, at: now });
    if (status === 'allowed' || status === 'pending-approval') {
      // Reserved as of the request's creation: the window it counts in does not move with approvals.
      await this.requests.replaceReservations(sql, request.id, reservationsOf(decision), stored.createdAtMs);
    } else {
      await this.requests.releaseReservations(sql, request.id);
    }
    await this.requests.setStatus(sql, request.id, status);
    let grantJson: string | null = null;
    if (status === 'allowed') grantJson = await this.onAllow(sql, compiled, { ...stored, status }, signRequest, decision, approvals, now);
    return { ...this.decisionView(request.id, decision, status, grantJson, stored.requestDigest), decisionText: text };
  }

  private evaluationRecord(compiled: CompiledPolicy, decision: Decision, now: number, inputs: EvaluationInputs): StoredEvaluation {
    return {
      policyVersion: compiled.version,
      policyHash: compiled.hash,
      outcome: decision.outcome,
      reason: decision.reason,
      matchedRule: decision.matchedRule?.id ?? null,
      decision: {},
      decisionText: compactEvaluationText(decision, inputs),
      evaluatedAtMs: now,
    };
  }

  /** The effects of an allowed request, in its transaction: the grant (if it has a sign request) and the operation's own effect. */
  private async onAllow(sql: Sql, compiled: CompiledPolicy, stored: StoredRequest, signRequest: SignRequest | null, decision: Decision, approvals: readonly StoredApproval[], now: number): Promise<string | null> {
    let grantJson: string | null = null;
    if (signRequest !== null) {
      const grant = this.grantFor(compiled, signRequest, decision, approvals, now);
      await this.requests.insertGrant(sql, signRequest.requestId, grant.json, grant.issuedAt, grant.expiresAt);
      await recordGrant(sql, grant.grant);
      grantJson = grant.json;
    }
    const effect = this.onAllowed.get(stored.operation);
    if (effect) await effect(sql, stored);
    return grantJson;
  }

  /** The sign grant of an allowed request, signed with the engine's key (the caller stores it). */
  private grantFor(compiled: CompiledPolicy, signRequest: SignRequest, decision: Decision, approvals: readonly StoredApproval[], now: number): IssuedGrant {
    const counted = new Set((decision.approvals?.groups ?? []).flatMap((g) => g.approvedBy));
    const carried = approvals
      .filter((a) => a.decision === 'approve' && counted.has(a.approverId) && a.grantSignature !== null)
      .map((a) => ({ approverId: a.approverId, signature: a.grantSignature! }));
    const grant = signGrant(
      {
        version: 2,
        request: signRequest,
        policyVersion: grantPolicyVersion(compiled.version),
        policyHash: hexToBytes(compiled.hash),
        approvals: carried,
        requiredApprovals: carried.length,
        issuedAt: now,
        expiresAt: now + this.config.grantLifetimeMs,
      },
      this.config.engineKey.secretKey(),
    );
    return { json: encodeSignGrant(grant), grant, issuedAt: grant.issuedAt, expiresAt: grant.expiresAt };
  }

  private async entriesFor(request: PolicyRequest, sql: Sql): Promise<AddressBookEntry[]> {
    if (!request.destination) return [];
    return this.addressBook.entriesFor(request.destination.chainId, request.destination.address, sql);
  }

  private async approverMap(sql: Sql): Promise<Map<string, Approver>> {
    return (await this.approversNow(sql)).keys;
  }

  /** The registered keys of the latest governance document, and its seq. */
  private async approversNow(sql: Sql): Promise<{ seq: number; keys: Map<string, Approver> }> {
    const record = await this.governance.governance(sql);
    let keys = this.approversBySeq.get(record.seq);
    if (keys === undefined) {
      keys = registeredKeys(record.document);
      this.approversBySeq.set(record.seq, keys);
    }
    return { seq: record.seq, keys };
  }

  /** The registered keys of governance document `seq` (immutable rows: cached per seq). */
  private async approversAt(seq: number, sql?: Sql): Promise<Map<string, Approver>> {
    const cached = this.approversBySeq.get(seq);
    if (cached) return cached;
    const record = await this.governance.governanceAt(seq, sql);
    if (record === undefined) throw new Error(`governance document ${seq} is missing`);
    const keys = registeredKeys(record.document);
    this.approversBySeq.set(seq, keys);
    return keys;
  }

  private decisionView(requestId: string, decision: Decision, status: RequestStatus | null, grantJson: string | null, digest: Uint8Array, version?: number, hash?: string): DecisionView {
    const policyVersion = version ?? decision.policy.version;
    const policyHash = hash ?? decision.policy.hash;
    const subject = (d: 'approve' | 'reject') => approvalMessage({ requestId, requestDigest: digest, policyVersion, policyHash, decision: d });
    return { requestId, decision, status, grantJson, requestDigest: digest, approveMessage: subject('approve'), rejectMessage: subject('reject') };
  }
}

function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}
