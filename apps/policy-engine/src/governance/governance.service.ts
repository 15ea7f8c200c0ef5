import * as fs from 'node:fs';
import { recordActivationEvent } from '../outbox/policy-outbox';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { POSTGRES, StartupCheckFailed } from '@custody/platform';
import {
  approvalMessage,
  bootstrapHash,
  checkAdminQuorum,
  lintPolicy,
  parseBootstrap,
  parsePolicy,
  policyHash,
  PolicyValidationError,
  proposalSubject,
  registeredKeys,
  verifyApproval,
  type AdminQuorumResult,
  type Approver,
  type BootstrapDocument,
  type LintWarning,
  type PolicyDocument,
  type Proposal,
} from '@custody/policy-core';
import type { DataSource } from 'typeorm';
import type { PolicyEngineConfig } from '../config';
import { AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied } from '../errors';
import { checkId, checkRequestId } from '../evaluation/request-input';
import { inTransaction, type Sql } from '../storage/transaction';
import { recordActivation, recordProposal, recordProposalDecision } from '../audit/audit-records';
import { POLICY_ENGINE_CONFIG } from '../tokens';
import { GovernanceRepository, type ProposalApprovalRecord, type ProposalRecord } from './governance.repository';

/**
 * What the active policy's "policy-change" rules say about a proposal (registered by the evaluation
 * module). They can add requirements to the admin quorum, never remove it.
 */
export interface PolicyChangeGate {
  /** The proposal's request id (policy-change operation). */
  requestId(proposalId: string): string;
  /** Evaluates the proposal as a policy-change request under the active version (idempotent). */
  proposed(proposal: ProposalRecord): Promise<void>;
  /** Why the proposal may not take effect under those rules (in the caller's transaction), or null. */
  refusal(sql: Sql, proposal: ProposalRecord): Promise<string | null>;
}

export interface ProposalView {
  readonly proposal: ProposalRecord;
  readonly approvals: readonly ProposalApprovalRecord[];
  readonly quorum: AdminQuorumResult;
  readonly approveMessage: Uint8Array;
  readonly rejectMessage: Uint8Array;
  readonly lint: readonly LintWarning[];
  /** The proposal's policy-change request id ('' when no gate is registered). */
  readonly policyChangeRequestId: string;
}

/** JSON (starts with `{`) or YAML. */
function formatOf(text: string): 'json' | 'yaml' {
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

/** Parses a policy document given as JSON or YAML text (PolicyValidationError with JSON paths). */
export function parseDocumentText(text: unknown, field: string): PolicyDocument {
  if (typeof text !== 'string' || text.trim() === '') throw new InvalidArgument(field, 'is required (a policy document, JSON or YAML)');
  return parsePolicy(text, formatOf(text));
}

function toProposal(p: ProposalRecord): Proposal {
  return { id: p.proposalId, kind: p.kind, base: p.base, contentHash: p.contentHash };
}

/**
 * Governance: the bootstrap at first start, then proposals — a new policy version, or a new
 * bootstrap (admins, quorum, registered keys) — that take effect only when a quorum of the CURRENT
 * admins signed them (policy-core `checkAdminQuorum`; admins sign `approvalMessage(proposalSubject)`)
 * and they are activated against the version they were proposed on. Versions are immutable.
 */
@Injectable()
export class GovernanceService {
  private gate: PolicyChangeGate | undefined;

  /** Registers the policy-change rules' gate (one). */
  registerPolicyChangeGate(gate: PolicyChangeGate): void {
    this.gate = gate;
  }

  private readonly logger = new Logger('Governance');

  constructor(
    private readonly repository: GovernanceRepository,
    @Inject(POSTGRES) private readonly dataSource: DataSource,
    @Inject(POLICY_ENGINE_CONFIG) private readonly config: PolicyEngineConfig,
  ) {}

  /** At start-up: bootstraps from POLICY_BOOTSTRAP_FILE when the engine has never been bootstrapped. */
  async bootstrapIfNeeded(): Promise<void> {
    if (await this.repository.isBootstrapped()) {
      if (this.config.bootstrapFile) this.logger.log('already bootstrapped: POLICY_BOOTSTRAP_FILE is not read again (only an admin quorum changes policy or admins)');
      return;
    }
    const file = this.config.bootstrapFile;
    if (!file) throw new StartupCheckFailed('the policy engine has never been bootstrapped: set POLICY_BOOTSTRAP_FILE (the first policy, admins, quorum and keys)');
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new StartupCheckFailed(`POLICY_BOOTSTRAP_FILE cannot be read (${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    let document: BootstrapDocument;
    try {
      document = parseBootstrap(text, formatOf(text));
    } catch (error) {
      if (error instanceof PolicyValidationError) throw new StartupCheckFailed(`POLICY_BOOTSTRAP_FILE ${file} is invalid: ${error.message}`);
      throw error;
    }
    const applied = await inTransaction(this.dataSource, async (sql) => {
      const done = await this.repository.insertBootstrap(sql, {
        fileHash: bytesToHex(sha256(new TextEncoder().encode(text))),
        document,
        contentHash: bootstrapHash(document),
        policyHash: policyHash(document.policy),
      });
      if (done) await recordActivation(sql, { proposalId: 'bootstrap', kind: 'bootstrap', version: 1, contentHash: policyHash(document.policy), approvedBy: [] });
      return done;
    });
    if (applied) this.logger.log({ admins: document.admins.members.length, quorum: document.admins.quorum, keys: Object.keys(document.keys).length }, 'bootstrapped: policy version 1 active');
  }

  /** The registered keys of the governance document in force (approvers and admins). */
  async approvers(sql?: Sql): Promise<Map<string, Approver>> {
    return registeredKeys((await this.repository.governance(sql)).document);
  }

  async proposeVersion(proposalId: unknown, documentText: unknown, proposedBy: unknown): Promise<ProposalView> {
    const id = checkRequestId(proposalId, 'proposal_id');
    const by = checkId(proposedBy, 'proposed_by');
    const document = parseDocumentText(documentText, 'document');
    return this.insert({ proposalId: id, kind: 'policy', body: document, contentHash: policyHash(document), proposedBy: by });
  }

  async proposeBootstrap(proposalId: unknown, documentText: unknown, proposedBy: unknown): Promise<ProposalView> {
    const id = checkRequestId(proposalId, 'proposal_id');
    const by = checkId(proposedBy, 'proposed_by');
    if (typeof documentText !== 'string' || documentText.trim() === '') throw new InvalidArgument('document', 'is required (a bootstrap document, JSON or YAML)');
    const document = parseBootstrap(documentText, formatOf(documentText));
    return this.insert({ proposalId: id, kind: 'bootstrap', body: document, contentHash: bootstrapHash(document), proposedBy: by });
  }

  private async insert(p: { proposalId: string; kind: 'policy' | 'bootstrap'; body: unknown; contentHash: string; proposedBy: string }): Promise<ProposalView> {
    const governance = await this.repository.governance();
    if (!governance.document.admins.members.includes(p.proposedBy)) throw new PermissionDenied(`proposed_by ${p.proposedBy} is not a current admin`);
    const base = await this.repository.activeVersion();
    const inserted = await inTransaction(this.dataSource, async (sql) => {
      if (!(await this.repository.insertProposal({ ...p, base }, sql))) return false;
      await recordProposal(sql, { ...p, baseVersion: base.version, baseHash: base.hash });
      return true;
    });
    if (!inserted) {
      const existing = (await this.repository.proposal(p.proposalId))!;
      if (existing.kind !== p.kind || existing.contentHash !== p.contentHash) throw new AlreadyExists('proposal', p.proposalId);
    }
    const stored = (await this.repository.proposal(p.proposalId))!;
    if (this.gate && stored.status === 'open') await this.gate.proposed(stored);
    return this.view(p.proposalId);
  }

  async approve(proposalId: unknown, adminId: unknown, decision: unknown, signature: unknown): Promise<ProposalView> {
    const id = checkRequestId(proposalId, 'proposal_id');
    const admin = checkId(adminId, 'admin_id');
    if (decision !== 'approve' && decision !== 'reject') throw new InvalidArgument('decision', 'must be "approve" or "reject"');
    if (!(signature instanceof Uint8Array) || signature.length !== 64) throw new InvalidArgument('signature', 'must be a 64-byte Ed25519 signature');
    await inTransaction(this.dataSource, async (sql) => {
      const proposal = await this.repository.proposal(id, sql, true);
      if (!proposal) throw new NotFound('proposal', id);
      if (proposal.status !== 'open') throw new FailedPrecondition(`proposal ${id} is ${proposal.status}`);
      const governance = (await this.repository.governance(sql)).document;
      const key = registeredKeys(governance).get(admin);
      if (!governance.admins.members.includes(admin) || !key) throw new PermissionDenied(`admin_id ${admin} is not a current admin`);
      if (!verifyApproval(proposalSubject(toProposal(proposal), decision), signature, key.publicKey)) {
        throw new PermissionDenied(`signature of ${admin} does not verify over proposal ${id}'s ${decision} message`);
      }
      const earlier = await this.repository.insertProposalApproval(sql, id, { adminId: admin, decision, signature, receivedAt: Date.now() });
      if (earlier && (earlier.decision !== decision || !Buffer.from(earlier.signature).equals(Buffer.from(signature)))) {
        throw new AlreadyExists('decision of admin', admin, `on proposal ${id} was recorded already (${earlier.decision})`);
      }
      if (!earlier) await recordProposalDecision(sql, { proposalId: id, adminId: admin, decision, contentHash: proposal.contentHash, signature });
    });
    return this.view(id);
  }

  /** Activates a proposal that a quorum of the current admins approved; it takes effect at commit. */
  async activate(proposalId: unknown): Promise<ProposalView> {
    const id = checkRequestId(proposalId, 'proposal_id');
    await inTransaction(this.dataSource, async (sql) => {
      await this.repository.lockActive(sql);
      const proposal = await this.repository.proposal(id, sql, true);
      if (!proposal) throw new NotFound('proposal', id);
      if (proposal.status !== 'open') throw new FailedPrecondition(`proposal ${id} is ${proposal.status}`);
      const result = await this.quorum(proposal, sql);
      if (!result.approved) {
        const why =
          result.reason === 'stale-base'
            ? `was made against policy version ${proposal.base.version}, which is no longer active: propose again`
            : result.reason === 'rejected'
              ? `was rejected by admin ${result.rejectedBy}`
              : `has ${result.approvedBy.length} valid admin approval(s); the admin quorum is ${result.quorum}`;
        throw new FailedPrecondition(`proposal ${id} ${why}`);
      }
      const refusal = this.gate ? await this.gate.refusal(sql, proposal) : null;
      if (refusal !== null) throw new FailedPrecondition(`proposal ${id} ${refusal}`);
      if (proposal.kind === 'policy') {
        const document = proposal.body as PolicyDocument;
        if (policyHash(document) !== proposal.contentHash) throw new Error(`proposal ${id}: stored body does not match its content hash`);
        const version = await this.repository.activatePolicy(sql, proposal, document, proposal.contentHash);
        await recordActivation(sql, { proposalId: id, kind: 'policy', version, contentHash: proposal.contentHash, approvedBy: result.approvedBy });
      } else {
        const document = proposal.body as BootstrapDocument;
        if (bootstrapHash(document) !== proposal.contentHash) throw new Error(`proposal ${id}: stored body does not match its content hash`);
        await this.repository.activateGovernance(sql, proposal, document, proposal.contentHash);
        await recordActivation(sql, { proposalId: id, kind: 'bootstrap', version: null, contentHash: proposal.contentHash, approvedBy: result.approvedBy });
      }
      await recordActivationEvent(sql, proposal);
    });
    return this.view(id);
  }

  async view(proposalId: unknown): Promise<ProposalView> {
    const id = checkRequestId(proposalId, 'proposal_id');
    const proposal = await this.repository.proposal(id);
    if (!proposal) throw new NotFound('proposal', id);
    return {
      proposal,
      approvals: await this.repository.proposalApprovals(id),
      quorum: await this.quorum(proposal),
      approveMessage: approvalMessage(proposalSubject(toProposal(proposal), 'approve')),
      rejectMessage: approvalMessage(proposalSubject(toProposal(proposal), 'reject')),
      lint: proposal.kind === 'policy' ? lintPolicy(proposal.body).warnings : [],
      policyChangeRequestId: this.gate ? this.gate.requestId(id) : '',
    };
  }

  private async quorum(proposal: ProposalRecord, sql?: Sql): Promise<AdminQuorumResult> {
    const governance = (await this.repository.governance(sql)).document;
    const approvals = (await this.repository.proposalApprovals(proposal.proposalId, sql)).map((a) => ({
      approverId: a.adminId,
      decision: a.decision,
      policyVersion: proposal.base.version,
      policyHash: proposal.base.hash,
      signature: a.signature,
      receivedAt: a.receivedAt,
    }));
    return checkAdminQuorum({ bootstrap: governance, proposal: toProposal(proposal), active: await this.repository.activeVersion(sql), approvals });
  }
}
