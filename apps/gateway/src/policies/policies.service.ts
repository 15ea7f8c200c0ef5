import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ApiClient } from '../auth/api-client';
import { ApiError, preview } from '../errors/api-error';
import { hexBytes, pageSizeOf, timeOf } from '../http/query';
import { isoTime, type EngineDecision, type EngineProposal, type EngineVersion } from '../policy-engine/engine-messages';
import { PolicyEngineClient } from '../policy-engine/policy-engine.client';

/** A policy as the public API shows it (REST JSON and gRPC `custody.v1.Policy`). */
export interface PolicyView {
  name: string;
  state: string;
  document: string;
  contentHash: string;
  kind: 'proposal' | 'version';
  version: number;
  baseVersion: number;
  quorum: number;
  quorumState: string;
  approvedBy: string[];
  approveMessage: string;
  rejectMessage: string;
  lint: string;
  proposedBy: string;
  createTime: string;
  decisions: { approver: string; decision: string; reason: string; decideTime: string }[];
}

export interface PolicyPage {
  policies: PolicyView[];
  nextPageToken: string;
}

export interface PolicyReportView {
  report: string;
}

/** Which policy a name means: a stored version (`v3`, `active`), a proposal, or a draft given inline (`-`). */
export type PolicyRef = { kind: 'version'; version: number } | { kind: 'proposal'; proposalId: string } | { kind: 'draft' };

const ID = /^[A-Za-z0-9._:-]{1,128}$/;
const DEFAULT_PAGE = 50;
const DEFAULT_REPLAY_WINDOW_MS = 24 * 3600 * 1000;
/** The fields of a dry run's request (custody.policy.v1.PolicyRequestInput, camelCase JSON). */
const REQUEST_FIELDS = new Set(['requestId', 'operation', 'initiatorId', 'initiatorGroups', 'sourceWalletId', 'sourceTags', 'destinationAddress', 'destinationChainId', 'assetId', 'assetDecimals', 'amount', 'chainId', 'attributes', 'signRequestJson']);

/** `v3` → version 3, `active` → the active version (0), `-` → a draft, anything else a proposal id. */
export function parsePolicyId(value: string, field = 'policyId'): PolicyRef {
  if (value === '-') return { kind: 'draft' };
  if (value === 'active') return { kind: 'version', version: 0 };
  const v = /^v([1-9]\d{0,8})$/.exec(value);
  if (v) return { kind: 'version', version: Number(v[1]) };
  if (!ID.test(value)) throw new ApiError('invalid-argument', `${field} ${preview(value)} must be v<n>, active, - or a proposal id (1..128 of [A-Za-z0-9._:-])`);
  return { kind: 'proposal', proposalId: value };
}

/** `policies/{policy_id}` → its reference. */
export function parsePolicyName(name: string, field = 'name'): PolicyRef {
  if (!name.startsWith('policies/')) throw new ApiError('invalid-argument', `${field} ${preview(name)} must be policies/{policy_id}`);
  return parsePolicyId(name.slice('policies/'.length), field);
}

function versionView(v: EngineVersion): PolicyView {
  return {
    name: `policies/v${v.version}`,
    state: v.active ? 'active' : 'inactive',
    document: v.documentJson,
    contentHash: v.contentHash,
    kind: 'version',
    version: v.version,
    baseVersion: 0,
    quorum: 0,
    quorumState: '',
    approvedBy: [],
    approveMessage: '',
    rejectMessage: '',
    lint: '',
    proposedBy: '',
    createTime: isoTime(v.createdAt),
    decisions: [],
  };
}

function proposalView(p: EngineProposal): PolicyView {
  return {
    name: `policies/${p.proposalId}`,
    state: p.status,
    document: p.documentJson,
    contentHash: p.contentHash,
    kind: 'proposal',
    version: p.activatedVersion,
    baseVersion: p.baseVersion,
    quorum: p.quorum,
    quorumState: p.quorumState,
    approvedBy: p.approvedBy,
    approveMessage: p.approveMessageHex,
    rejectMessage: p.rejectMessageHex,
    lint: p.lintJson,
    proposedBy: p.proposedBy,
    createTime: isoTime(p.createdAt),
    decisions: p.approvals.map((a) => ({ approver: a.adminId, decision: a.decision, reason: '', decideTime: isoTime(a.receivedAt) })),
  };
}

function requireDocument(document: string | undefined, ref: PolicyRef): string | undefined {
  if (ref.kind === 'draft') {
    if (!document) throw new ApiError('invalid-argument', 'document is required for the draft policy "-"');
    return document;
  }
  if (document) throw new ApiError('invalid-argument', 'document is only taken with the draft policy "-"');
  return undefined;
}

/**
 * Policies over the policy engine: proposals (governed by the admin quorum: each admin signs the
 * engine's proposal message with its registered key, the gateway passes the signature on), versions,
 * diff, lint, dry run and replay. The calling API client's id is the admin id: the engine decides
 * whether it is a current admin and whether its signature verifies.
 */
@Injectable()
export class PoliciesService {
  constructor(private readonly engine: PolicyEngineClient) {}

  async propose(client: ApiClient, input: { document: string; policyId?: string }): Promise<PolicyView> {
    if (typeof input.document !== 'string' || input.document.trim() === '') throw new ApiError('invalid-argument', 'document is required (a policy document, JSON or YAML)');
    const id = input.policyId || `p-${randomUUID()}`;
    const ref = parsePolicyId(id, 'policyId');
    if (ref.kind !== 'proposal') throw new ApiError('invalid-argument', `policyId ${preview(id)} is reserved (v<n>, active and - name versions and drafts)`);
    return proposalView(await this.engine.call<EngineProposal>('ProposeVersion', { proposalId: ref.proposalId, document: input.document, proposedBy: client.clientId }));
  }

  async approve(client: ApiClient, ref: PolicyRef, input: { decision?: string; signature: string }): Promise<PolicyView> {
    const proposalId = this.proposalOf(ref);
    const decision = input.decision || 'approve';
    if (decision !== 'approve' && decision !== 'reject') throw new ApiError('invalid-argument', 'decision must be "approve" or "reject"');
    const signature = hexBytes(input.signature, 'signature', 64);
    return proposalView(await this.engine.call<EngineProposal>('ApproveProposal', { proposalId, adminId: client.clientId, decision, signature }));
  }

  async activate(ref: PolicyRef): Promise<PolicyView> {
    return proposalView(await this.engine.call<EngineProposal>('ActivateProposal', { proposalId: this.proposalOf(ref) }));
  }

  async get(ref: PolicyRef): Promise<PolicyView> {
    if (ref.kind === 'draft') throw new ApiError('invalid-argument', 'the draft policy "-" is not stored');
    if (ref.kind === 'proposal') return proposalView(await this.engine.call<EngineProposal>('GetProposal', { proposalId: ref.proposalId }));
    return versionView(await this.engine.call<EngineVersion>('GetVersion', { version: ref.version }));
  }

  /** Stored versions (or, kind "proposal", proposals), newest first; the page token is the last one shown. */
  async list(pageSize: number, pageToken: string, kind = '', state = ''): Promise<PolicyPage> {
    const size = pageSizeOf(pageSize) || DEFAULT_PAGE;
    if (kind === 'proposal') return this.listProposals(size, pageToken, state);
    if (kind !== '' && kind !== 'version') throw new ApiError('invalid-argument', 'kind must be "version" or "proposal"');
    if (state !== '') throw new ApiError('invalid-argument', 'state is only taken with kind "proposal"');
    let before = Number.MAX_SAFE_INTEGER;
    if (pageToken !== '') {
      const decoded = /^[A-Za-z0-9_-]{1,20}$/.test(pageToken) ? Buffer.from(pageToken, 'base64url').toString('utf8') : '';
      if (!/^v[1-9]\d{0,8}$/.test(decoded)) throw new ApiError('invalid-argument', 'page_token is not a token this API issued');
      before = Number(decoded.slice(1));
    }
    const { versions } = await this.engine.call<{ versions: EngineVersion[] }>('ListVersions', {});
    const older = versions.filter((v) => v.version < before).sort((a, b) => b.version - a.version);
    const page = older.slice(0, size);
    const next = older.length > size ? Buffer.from(`v${page[page.length - 1]!.version}`, 'utf8').toString('base64url') : '';
    return { policies: page.map(versionView), nextPageToken: next };
  }

  /** The changes from `other` (a version; default: a proposal's base, else the active version) to `ref`. */
  async diff(ref: PolicyRef, other: PolicyRef | undefined): Promise<PolicyReportView> {
    if (ref.kind === 'draft') throw new ApiError('invalid-argument', 'diff a proposal or a version');
    let to: Record<string, unknown>;
    let defaultFrom = 0;
    if (ref.kind === 'proposal') {
      const p = await this.engine.call<EngineProposal>('GetProposal', { proposalId: ref.proposalId });
      if (p.kind !== 'policy') throw new ApiError('invalid-argument', `policy ${preview(ref.proposalId)} is a governance proposal: it has no policy document to diff`);
      to = { toDocument: p.documentJson };
      defaultFrom = p.baseVersion;
    } else {
      to = { toVersion: await this.versionNumber(ref.version) };
    }
    let from = defaultFrom;
    if (other) {
      if (other.kind !== 'version') throw new ApiError('invalid-argument', 'other must name a stored version (v<n> or active)');
      from = other.version;
    }
    if (from === 0) from = await this.versionNumber(0);
    const r = await this.engine.call<{ diffJson: string }>('DiffVersions', { fromVersion: from, ...to });
    return { report: r.diffJson };
  }

  async lint(ref: PolicyRef, document: string | undefined): Promise<PolicyReportView> {
    const text = requireDocument(document, ref) ?? (await this.documentOf(ref));
    const r = await this.engine.call<{ valid: boolean; issuesJson: string; warningsJson: string; contentHash: string }>('Lint', { document: text });
    return { report: JSON.stringify({ valid: r.valid, issues: JSON.parse(r.issuesJson) as unknown, warnings: JSON.parse(r.warningsJson) as unknown, contentHash: r.contentHash }) };
  }

  async dryRun(ref: PolicyRef, requestText: string, document: string | undefined): Promise<PolicyReportView> {
    const draft = requireDocument(document, ref);
    let request: unknown;
    try {
      request = JSON.parse(requestText);
    } catch {
      throw new ApiError('invalid-argument', 'request must be a JSON object (custody.policy.v1.PolicyRequestInput, camelCase)');
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new ApiError('invalid-argument', 'request must be a JSON object (custody.policy.v1.PolicyRequestInput, camelCase)');
    for (const key of Object.keys(request)) if (!REQUEST_FIELDS.has(key)) throw new ApiError('unknown-field', `request: unknown field ${preview(key)}`);
    const input = { requestId: 'dry-run', ...(request as Record<string, unknown>) };
    const target = draft !== undefined ? { document: draft } : ref.kind === 'version' ? { version: ref.version } : { document: await this.documentOf(ref) };
    const d = await this.engine.call<EngineDecision>('DryRun', { request: input, ...target });
    return { report: JSON.stringify({ outcome: d.outcome, reason: d.reason, matchedRule: d.matchedRule, policyVersion: d.policyVersion, policyHash: d.policyHash, decision: JSON.parse(d.decisionJson) as unknown }) };
  }

  async replay(ref: PolicyRef, input: { startTime?: string; endTime?: string; limit?: number; document?: string }, now: number): Promise<PolicyReportView> {
    const draft = requireDocument(input.document, ref);
    const end = timeOf(input.endTime, 'end_time') ?? now;
    const start = timeOf(input.startTime, 'start_time') ?? end - DEFAULT_REPLAY_WINDOW_MS;
    if (start > end) throw new ApiError('invalid-argument', 'start_time must not be after end_time');
    const limit = input.limit ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 0 || limit > 10_000) throw new ApiError('invalid-argument', 'limit must be 0..10000');
    const target = draft !== undefined ? { document: draft } : ref.kind === 'version' ? { version: await this.versionNumber(ref.version) } : { document: await this.documentOf(ref) };
    const r = await this.engine.call<{ replayed: number; changes: unknown[] }>('Replay', { ...target, fromTime: String(Math.max(0, start)), toTime: String(end), limit });
    return { report: JSON.stringify({ replayed: r.replayed, changes: r.changes }) };
  }

  private async listProposals(size: number, pageToken: string, state: string): Promise<PolicyPage> {
    if (state !== '' && state !== 'open' && state !== 'activated') throw new ApiError('invalid-argument', 'state must be "open" or "activated"');
    let after: string | undefined;
    if (pageToken !== '') {
      const decoded = /^[A-Za-z0-9_-]{1,200}$/.test(pageToken) ? Buffer.from(pageToken, 'base64url').toString('utf8') : '';
      if (!decoded.startsWith('p:') || !ID.test(decoded.slice(2))) throw new ApiError('invalid-argument', 'page_token is not a token this API issued');
      after = decoded.slice(2);
    }
    const { proposals } = await this.engine.call<{ proposals: EngineProposal[] }>('ListProposals', { status: state });
    const start = after === undefined ? 0 : proposals.findIndex((p) => p.proposalId === after) + 1;
    if (after !== undefined && start === 0) throw new ApiError('invalid-argument', 'page_token names a proposal no longer listed');
    const rest = proposals.slice(start);
    const page = rest.slice(0, size);
    const next = rest.length > size ? Buffer.from(`p:${page[page.length - 1]!.proposalId}`, 'utf8').toString('base64url') : '';
    return { policies: page.map(proposalView), nextPageToken: next };
  }

  private proposalOf(ref: PolicyRef): string {
    if (ref.kind !== 'proposal') throw new ApiError('invalid-argument', 'only a proposal (policies/{proposal_id}) is approved or activated; versions are immutable');
    return ref.proposalId;
  }

  private async versionNumber(version: number): Promise<number> {
    return (await this.engine.call<EngineVersion>('GetVersion', { version })).version;
  }

  private async documentOf(ref: PolicyRef): Promise<string> {
    if (ref.kind === 'proposal') {
      const p = await this.engine.call<EngineProposal>('GetProposal', { proposalId: ref.proposalId });
      if (p.kind !== 'policy') throw new ApiError('invalid-argument', `policy ${preview(ref.proposalId)} is a governance proposal, not a policy document`);
      return p.documentJson;
    }
    if (ref.kind === 'version') return (await this.engine.call<EngineVersion>('GetVersion', { version: ref.version })).documentJson;
    throw new ApiError('invalid-argument', 'document is required for the draft policy "-"');
  }
}

export type { EngineDecision };
