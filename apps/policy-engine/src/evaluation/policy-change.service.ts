import { createHash } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { ProposalRecord } from '../governance/governance.repository';
import { GovernanceService, type PolicyChangeGate } from '../governance/governance.service';
import type { Sql } from '../storage/transaction';
import { EvaluationService } from './evaluation.service';
import { RequestsRepository } from './requests.repository';

const PREFIX = 'policy-change:';

/**
 * The policy's own say on changing it: every proposal (a new policy version or a new bootstrap) is
 * evaluated, when proposed, as a `policy-change` request under the version it was made against, with
 * the proposing admin as initiator and the proposal's id, kind, content hash and base version as
 * attributes. Its rules add to the admin quorum, never replace it:
 *
 * - a rule that requires approvals: the proposal takes effect only once they are complete (approvers
 *   sign the request like any other: SubmitApproval on the proposal's policy-change request id);
 * - a rule that denies (or a hook that rejects): the proposal never takes effect;
 * - a rule that allows, or no policy-change rule at all: the admin quorum alone decides.
 */
@Injectable()
export class PolicyChangeRules implements PolicyChangeGate, OnModuleInit {
  constructor(
    private readonly governance: GovernanceService,
    private readonly evaluation: EvaluationService,
    private readonly requests: RequestsRepository,
  ) {}

  onModuleInit(): void {
    this.governance.registerPolicyChangeGate(this);
  }

  requestId(proposalId: string): string {
    const direct = `${PREFIX}${proposalId}`;
    return direct.length <= 128 ? direct : `${PREFIX}sha256.${createHash('sha256').update(proposalId).digest('hex')}`;
  }

  async proposed(proposal: ProposalRecord): Promise<void> {
    await this.evaluation.evaluate({
      request: {
        id: this.requestId(proposal.proposalId),
        operation: 'policy-change',
        initiator: { id: proposal.proposedBy, groups: [] },
        attributes: { proposalId: proposal.proposalId, kind: proposal.kind, contentHash: proposal.contentHash, baseVersion: String(proposal.base.version) },
      },
      signRequest: null,
    });
  }

  async refusal(sql: Sql, proposal: ProposalRecord): Promise<string | null> {
    const id = this.requestId(proposal.proposalId);
    const stored = await this.requests.request(id, sql);
    if (!stored) return `has not been evaluated as a policy change (request ${id}): propose it again (same id and document)`;
    if (stored.status === 'allowed') return null;
    const evaluation = await this.requests.latestEvaluation(id, sql);
    const rule = evaluation?.matchedRule ?? null;
    if (stored.status === 'denied' && evaluation?.reason === 'no-rule-matched') return null; // no policy-change rule: the admin quorum alone
    if (stored.status === 'pending-approval') return `needs the approvals policy-change rule ${rule ?? '?'} of version ${stored.policyVersion} requires (request ${id}; submit them with SubmitApproval)`;
    return `is refused by the policy-change rules of version ${stored.policyVersion} (request ${id} is ${stored.status}${rule ? `, rule ${rule}` : ''}${evaluation ? `: ${evaluation.reason}` : ''})`;
  }
}
