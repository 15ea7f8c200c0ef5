import { Controller, Inject, UseFilters } from '@nestjs/common';
import { POSTGRES } from '@custody/platform';
import type { DataSource } from 'typeorm';
import { outboxAfter, outboxLimit } from '../outbox/outbox-request';
import { readPolicyOutbox } from '../outbox/policy-outbox';
import { GrpcMethod } from '@nestjs/microservices';
import { bytesToHex } from '@noble/hashes/utils.js';
import { compilePolicy, decisionJson, diffPolicies, lintPolicy, POLICY_SCHEMA, PolicyValidationError, policyHash, type CompiledPolicy } from '@custody/policy-core';
import { AddressBookService, type AddressBookChangeInput } from '../address-book/address-book.service';
import type { AddressBookRecord } from '../address-book/address-book.repository';
import type { PolicyEngineConfig } from '../config';
import { InvalidArgument, NotFound } from '../errors';
import { EvaluationService, type DecisionView } from '../evaluation/evaluation.service';
import { ReplayService } from '../evaluation/replay.service';
import { decodeRequestInput, parseAmountField, type PolicyRequestInputMessage } from '../evaluation/request-input';
import { CompiledPolicies } from '../governance/compiled-policies.service';
import { GovernanceRepository } from '../governance/governance.repository';
import { GovernanceService, parseDocumentText, type ProposalView } from '../governance/governance.service';
import { POLICY_ENGINE_CONFIG } from '../tokens';
import { PolicyErrorsFilter } from './policy-errors.filter';
import { decoded } from './request-decoding';

function json(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export function proposalMessage(v: ProposalView) {
  return {
    proposalId: v.proposal.proposalId,
    kind: v.proposal.kind,
    status: v.proposal.status,
    contentHash: v.proposal.contentHash,
    proposedBy: v.proposal.proposedBy,
    approvals: v.approvals.map((a) => ({ adminId: a.adminId, decision: a.decision, receivedAt: String(a.receivedAt) })),
    quorum: v.quorum.quorum,
    quorumState: v.quorum.reason,
    activatedVersion: v.proposal.activatedVersion ?? 0,
    approveMessageHex: bytesToHex(v.approveMessage),
    rejectMessageHex: bytesToHex(v.rejectMessage),
    lintJson: json(v.lint),
    approvedBy: [...v.quorum.approvedBy],
    baseVersion: v.proposal.base.version,
    baseHash: v.proposal.base.hash,
    policyChangeRequestId: v.policyChangeRequestId,
    documentJson: json(v.proposal.body),
    createdAt: String(v.proposal.createdAt),
  };
}

function decisionMessage(v: DecisionView) {
  return {
    requestId: v.requestId,
    outcome: v.decision.outcome,
    reason: v.decision.reason,
    status: v.status ?? '',
    policyVersion: v.decision.policy.version,
    policyHash: v.decision.policy.hash,
    matchedRule: v.decision.matchedRule?.id ?? '',
    decisionJson: v.decisionText ?? decisionJson(v.decision),
    grantJson: v.grantJson ?? '',
    requestDigestHex: bytesToHex(v.requestDigest),
    approveMessageHex: bytesToHex(v.approveMessage),
    rejectMessageHex: bytesToHex(v.rejectMessage),
  };
}

function entryMessage(e: AddressBookRecord) {
  return { entryId: e.id, chainId: e.chainId, address: e.address, tags: [...e.tags], label: e.label };
}

function bytes(value: unknown): Uint8Array | undefined {
  return value instanceof Uint8Array ? Uint8Array.from(value) : undefined;
}

function version(value: unknown, field: string): number {
  const n = Number(value ?? 0);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgument(field, 'must be a version number');
  return n;
}

function millis(value: unknown, field: string): number {
  const n = Number(value ?? 0);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgument(field, 'must be milliseconds since the epoch');
  return n;
}

/**
 * custody.policy.v1.PolicyService: thin. Every argument is checked by the services (InvalidArgument
 * naming the field; a policy document's problems with their JSON paths).
 */
@Controller()
@UseFilters(PolicyErrorsFilter)
export class PolicyGrpcController {
  constructor(
    private readonly governance: GovernanceService,
    private readonly versions: GovernanceRepository,
    private readonly policies: CompiledPolicies,
    private readonly evaluation: EvaluationService,
    private readonly replays: ReplayService,
    private readonly addressBook: AddressBookService,
    @Inject(POLICY_ENGINE_CONFIG) private readonly config: PolicyEngineConfig,
    @Inject(POSTGRES) private readonly dataSource: DataSource,
  ) {}

  @GrpcMethod('PolicyService', 'ProposeVersion')
  async proposeVersion(raw: { proposalId?: string; document?: string; proposedBy?: string }) {
    const r = decoded(raw);
    return proposalMessage(await this.governance.proposeVersion(r.proposalId, r.document, r.proposedBy));
  }

  @GrpcMethod('PolicyService', 'ProposeBootstrap')
  async proposeBootstrap(raw: { proposalId?: string; document?: string; proposedBy?: string }) {
    const r = decoded(raw);
    return proposalMessage(await this.governance.proposeBootstrap(r.proposalId, r.document, r.proposedBy));
  }

  @GrpcMethod('PolicyService', 'ApproveProposal')
  async approveProposal(raw: { proposalId?: string; adminId?: string; decision?: string; signature?: Uint8Array }) {
    const r = decoded(raw);
    return proposalMessage(await this.governance.approve(r.proposalId, r.adminId, r.decision, bytes(r.signature)));
  }

  @GrpcMethod('PolicyService', 'ActivateProposal')
  async activateProposal(raw: { proposalId?: string }) {
    return proposalMessage(await this.governance.activate(decoded(raw).proposalId));
  }

  @GrpcMethod('PolicyService', 'GetProposal')
  async getProposal(raw: { proposalId?: string }) {
    return proposalMessage(await this.governance.view(decoded(raw).proposalId));
  }

  @GrpcMethod('PolicyService', 'GetVersion')
  async getVersion(raw: { version?: number }) {
    const n = version(decoded(raw).version, 'version');
    const active = await this.versions.activeVersionNumber();
    const record = await this.versions.version(n === 0 ? active : n);
    if (!record) throw new NotFound('policy version', String(n));
    return { version: record.version, contentHash: record.contentHash, documentJson: JSON.stringify(record.document), active: record.version === active, createdAt: String(record.createdAt) };
  }

  @GrpcMethod('PolicyService', 'ListVersions')
  async listVersions(raw: object) {
    decoded(raw);
    const active = await this.versions.activeVersionNumber();
    const list = await this.versions.listVersions();
    return { versions: list.map((r) => ({ version: r.version, contentHash: r.contentHash, documentJson: JSON.stringify(r.document), active: r.version === active, createdAt: String(r.createdAt) })) };
  }

  @GrpcMethod('PolicyService', 'DiffVersions')
  async diffVersions(raw: { fromVersion?: number; toVersion?: number; toDocument?: string }) {
    const r = decoded(raw);
    const from = await this.versions.version(version(r.fromVersion, 'from_version'));
    if (!from) throw new NotFound('policy version', String(r.fromVersion ?? 0));
    let to: unknown;
    if (r.toDocument) to = parseDocumentText(r.toDocument, 'to_document');
    else {
      const record = await this.versions.version(version(r.toVersion, 'to_version'));
      if (!record) throw new NotFound('policy version', String(r.toVersion ?? 0));
      to = record.document;
    }
    return { diffJson: json(diffPolicies(from.document, to)) };
  }

  @GrpcMethod('PolicyService', 'Lint')
  lint(raw: { document?: string }) {
    const r = decoded(raw);
    try {
      const document = parseDocumentText(r.document, 'document');
      return { valid: true, issuesJson: '[]', warningsJson: json(lintPolicy(document).warnings), contentHash: policyHash(document) };
    } catch (error) {
      if (error instanceof PolicyValidationError) return { valid: false, issuesJson: json(error.issues), warningsJson: '[]', contentHash: '' };
      throw error;
    }
  }

  @GrpcMethod('PolicyService', 'GetJsonSchema')
  getJsonSchema(raw: object) {
    decoded(raw);
    return { schemaJson: JSON.stringify(POLICY_SCHEMA) };
  }

  @GrpcMethod('PolicyService', 'DryRun')
  async dryRun(raw: { request?: PolicyRequestInputMessage; version?: number; document?: string; velocityUsage?: Record<string, string> }) {
    const r = decoded(raw);
    const input = decodeRequestInput(r.request);
    const compiled = await this.draft(r.version, r.document);
    const entries = Object.entries(r.velocityUsage ?? {});
    const usage = entries.length === 0 ? undefined : new Map(entries.map(([k, v]) => [k, parseAmountField(v, `velocity_usage[${JSON.stringify(k.slice(0, 64))}]`)]));
    return decisionMessage(await this.evaluation.dryRun(input, compiled, usage));
  }

  @GrpcMethod('PolicyService', 'Replay')
  async replay(raw: { version?: number; document?: string; fromTime?: string; toTime?: string; limit?: number }) {
    const r = decoded(raw);
    if (!r.document && !r.version) throw new InvalidArgument('version', 'or document is required (the draft to replay)');
    const compiled = await this.draft(r.version, r.document);
    const report = await this.replays.replay(compiled, millis(r.fromTime, 'from_time'), millis(r.toTime, 'to_time'), r.limit ?? 0, this.config.replayMaxRequests);
    return {
      replayed: report.replayed,
      changes: report.flips.map((f) => ({ requestId: f.requestId, oldOutcome: f.before.verdict, newOutcome: f.afterVerdict, oldRule: f.before.matchedRule?.id ?? '', newRule: f.after.matchedRule?.id ?? '' })),
    };
  }

  @GrpcMethod('PolicyService', 'Evaluate')
  async evaluate(raw: { request?: PolicyRequestInputMessage }) {
    return decisionMessage(await this.evaluation.evaluate(decodeRequestInput(decoded(raw).request)));
  }

  @GrpcMethod('PolicyService', 'SubmitApproval')
  async submitApproval(raw: { requestId?: string; approverId?: string; decision?: string; signature?: Uint8Array; grantSignature?: Uint8Array }) {
    const r = decoded(raw);
    return decisionMessage(await this.evaluation.submitApproval(r.requestId, r.approverId, r.decision, bytes(r.signature), bytes(r.grantSignature)));
  }

  @GrpcMethod('PolicyService', 'GetRequest')
  async getRequest(raw: { requestId?: string }) {
    return decisionMessage(await this.evaluation.view(decoded(raw).requestId));
  }

  @GrpcMethod('PolicyService', 'ReleaseRequest')
  async releaseRequest(raw: { requestId?: string }) {
    return decisionMessage(await this.evaluation.release(decoded(raw).requestId));
  }

  @GrpcMethod('PolicyService', 'ProposeAddressBookChange')
  async proposeAddressBookChange(raw: AddressBookChangeInput) {
    return decisionMessage(await this.addressBook.propose(decoded(raw)));
  }

  @GrpcMethod('PolicyService', 'GetAddressBookEntry')
  async getAddressBookEntry(raw: { entryId?: string }) {
    return entryMessage(await this.addressBook.get(decoded(raw).entryId));
  }

  @GrpcMethod('PolicyService', 'ListAddressBook')
  async listAddressBook(raw: { chainId?: number; tag?: string }) {
    const r = decoded(raw);
    return { entries: (await this.addressBook.list(r.chainId, r.tag)).map(entryMessage) };
  }

  /** The outbox (approval needed, given or rejected; policy activated) after a sequence number, for the gateway's event relay. */
  @GrpcMethod('PolicyService', 'ReadOutbox')
  async readOutbox(raw: { afterSequence?: string; limit?: number }) {
    const r = decoded(raw);
    return readPolicyOutbox(this.dataSource, outboxAfter(r.afterSequence), outboxLimit(r.limit));
  }

  /** A stored version (0: the active one) or a draft document, compiled. A draft gets the next version number. */
  private async draft(n: unknown, document: string | undefined): Promise<CompiledPolicy> {
    if (document) {
      const parsed = parseDocumentText(document, 'document');
      const next = (await this.versions.listVersions()).length + 1;
      return compilePolicy(parsed, next);
    }
    const v = version(n, 'version');
    if (v === 0) return this.policies.active();
    if (!(await this.versions.version(v))) throw new NotFound('policy version', String(v));
    return this.policies.version(v);
  }
}
