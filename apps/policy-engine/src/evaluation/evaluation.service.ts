import { Inject, Injectable } from '@nestjs/common';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { POSTGRES } from '@custody/platform';
import {
  approvalMessage,
  evaluate,
  registeredKeys,
  velocityScopesFor,
  type AddressBookEntry,
  type Approver,
  type CompiledPolicy,
  type Decision,
  type PolicyRequest,
  type SubmittedApproval,
} from '@custody/policy-core';
import { encodeSignGrant, requestDigest, signGrant, signRequestFromJson, signRequestToJson, type SignRequest } from '@custody/sign-grant';
import type { DataSource } from 'typeorm';
import { AddressBookRepository } from '../address-book/address-book.repository';
import type { PolicyEngineConfig } from '../config';
import { AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied } from '../errors';
import { CompiledPolicies } from '../governance/compiled-policies.service';
import { GovernanceRepository } from '../governance/governance.repository';
import { inTransaction, type Sql } from '../storage/transaction';
import { recordEvaluation, recordGrant, recordRequestDecision } from '../audit/audit-records';
import { POLICY_ENGINE_CONFIG } from '../tokens';
import { HookClient } from './hook.client';
import { checkId, checkRequestId, engineRequestDigest, inputHash, requestFromJson, requestToJson, type RequestInput } from './request-input';
import { RequestsRepository, type HookVerdict, type RequestStatus, type Reservation, type StoredApproval, type StoredRequest } from './requests.repository';

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

/** JSON text of a decision: bigints as decimal strings. */
export function decisionText(decision: Decision): string {
  return JSON.stringify(decision, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/**
 * Evaluation of requests under the active policy, approvals, sign grants. Velocity: in one
 * transaction, the scopes the request could touch are locked (advisory locks, hash order), their
 * usage read, the request evaluated and its reservations recorded before commit — two concurrent
 * requests can never together exceed a limit. A request keeps the policy version it was first
 * evaluated under for its whole life (approvals re-evaluate it under that version).
 */
@Injectable()
export class EvaluationService {
  private readonly onAllowed = new Map<string, OnAllowed>();
  private readonly approversBySeq = new Map<number, Map<string, Approver>>();

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

  /** Evaluates a new request (a retry with the same input answers the stored decision; other input under the same id is refused). */
  async evaluate(input: RequestInput, extraBody: Record<string, unknown> = {}): Promise<DecisionView> {
    const hash = inputHash(input);
    const result = await inTransaction(this.dataSource, async (sql) => {
      const now = Date.now();
      const request: PolicyRequest = { ...input.request, createdAt: now };
      const ctx = await this.requests.evaluationContext(sql, request.id, request.destination);
      if (ctx.existingHash !== null) return undefined;
      const compiled = await this.policies.version(ctx.activeVersion, sql);
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
      const stored: StoredRequest = {
        requestId: request.id,
        operation: request.operation,
        initiatorId: request.initiator.id,
        body: { ...requestToJson(request), ...extraBody },
        inputHash: hash,
        signRequestJson: input.signRequest ? signRequestToJson(input.signRequest) : null,
        requestDigest: engineRequestDigest(request),
        createdAtMs: now,
        policyVersion: compiled.version,
        policyHash: compiled.hash,
        status,
        hookVerdict,
      };
      const reserve = status === 'allowed' || status === 'pending-approval';
      const text = decisionText(decision);
      const claimed = await this.requests.insertFirstEvaluation(sql, stored, status, hookVerdict, this.evaluationRecord(compiled, decision, now, text), reserve ? reservationsOf(decision) : []);
      // A concurrent evaluation of the same id committed first: answer as a retry (nothing written here).
      if (!claimed) return undefined;
      await recordEvaluation(sql, { ...stored, outcome: decision.outcome, matchedRule: decision.matchedRule?.id ?? null, decisionText: text, at: now });
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
    return this.decisionView(id, evaluation.decision as unknown as Decision, stored.status, grant, stored.requestDigest, stored.policyVersion, stored.policyHash);
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
    const approvers = await this.approverMap(sql);
    const submitted: SubmittedApproval[] = approvals.map((a) => ({ approverId: a.approverId, decision: a.decision, policyVersion: a.policyVersion, policyHash: a.policyHash, signature: a.signature, receivedAt: a.receivedAtMs }));
    const context = { now, addressBook: entries, velocityUsage: usage, approvals: submitted, approvers, ...(stored.hookVerdict ? { hook: stored.hookVerdict } : {}) };
    let decision = evaluate(compiled, request, context);
    if (decision.outcome === 'needs-hook' && decision.hook) {
      const subject = { request, ruleId: decision.hook.ruleId, policyVersion: compiled.version, policyHash: compiled.hash };
      const verdict = { ruleId: decision.hook.ruleId, verdict: await this.hooks.decide(decision.hook, subject) };
      await this.requests.setHookVerdict(sql, request.id, verdict);
      decision = evaluate(compiled, request, { ...context, hook: verdict });
    }
    const status = statusOf(decision);
    await this.requests.insertEvaluation(sql, request.id, this.evaluationRecord(compiled, decision, now));
    await recordEvaluation(sql, { ...stored, status, outcome: decision.outcome, matchedRule: decision.matchedRule?.id ?? null, decisionText: decisionText(decision), at: now });
    if (status === 'allowed' || status === 'pending-approval') {
      // Reserved as of the request's creation: the window it counts in does not move with approvals.
      await this.requests.replaceReservations(sql, request.id, reservationsOf(decision), stored.createdAtMs);
    } else {
      await this.requests.releaseReservations(sql, request.id);
    }
    await this.requests.setStatus(sql, request.id, status);
    let grantJson: string | null = null;
    if (status === 'allowed') grantJson = await this.onAllow(sql, compiled, { ...stored, status }, signRequest, decision, approvals, now);
    return this.decisionView(request.id, decision, status, grantJson, stored.requestDigest);
  }

  private evaluationRecord(compiled: CompiledPolicy, decision: Decision, now: number, text: string = decisionText(decision)) {
    return {
      policyVersion: compiled.version,
      policyHash: compiled.hash,
      outcome: decision.outcome,
      reason: decision.reason,
      matchedRule: decision.matchedRule?.id ?? null,
      decision: {},
      decisionText: text,
      evaluatedAtMs: now,
    };
  }

  /** The effects of an allowed request, in its transaction: the grant (if it has a sign request) and the operation's own effect. */
  private async onAllow(sql: Sql, compiled: CompiledPolicy, stored: StoredRequest, signRequest: SignRequest | null, decision: Decision, approvals: readonly StoredApproval[], now: number): Promise<string | null> {
    const grantJson = signRequest === null ? null : await this.issueGrant(sql, compiled, signRequest, decision, approvals, now);
    const effect = this.onAllowed.get(stored.operation);
    if (effect) await effect(sql, stored);
    return grantJson;
  }

  private async issueGrant(sql: Sql, compiled: CompiledPolicy, signRequest: SignRequest, decision: Decision, approvals: readonly StoredApproval[], now: number): Promise<string> {
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
    const json = encodeSignGrant(grant);
    await this.requests.insertGrant(sql, signRequest.requestId, json, grant.issuedAt, grant.expiresAt);
    await recordGrant(sql, grant);
    return json;
  }

  private async entriesFor(request: PolicyRequest, sql: Sql): Promise<AddressBookEntry[]> {
    if (!request.destination) return [];
    return this.addressBook.entriesFor(request.destination.chainId, request.destination.address, sql);
  }

  private async approverMap(sql: Sql): Promise<Map<string, Approver>> {
    return registeredKeys((await this.governance.governance(sql)).document);
  }

  /** The registered keys of governance document `seq` (immutable rows: cached per seq). */
  private async approversAt(seq: number, sql: Sql): Promise<Map<string, Approver>> {
    const cached = this.approversBySeq.get(seq);
    if (cached) return cached;
    const record = await this.governance.governance(sql);
    const keys = registeredKeys(record.document);
    if (record.seq === seq) this.approversBySeq.set(seq, keys);
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
