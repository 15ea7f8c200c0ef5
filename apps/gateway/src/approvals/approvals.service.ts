import { Injectable } from '@nestjs/common';
import type { ApiClient } from '../auth/api-client';
import { ApiError, preview } from '../errors/api-error';
import { hexBytes, pageSizeOf } from '../http/query';
import { isoTime, type EngineApprovalRequest } from '../policy-engine/engine-messages';
import { PolicyEngineClient } from '../policy-engine/policy-engine.client';

/** An approval as the public API shows it (REST JSON and gRPC `custody.v1.Approval`). */
export interface ApprovalView {
  name: string;
  request: string;
  requestDigest: string;
  state: string;
  operation: string;
  initiator: string;
  policyVersion: number;
  policyHash: string;
  approveMessage: string;
  rejectMessage: string;
  signRequest: string;
  grantDigest: string;
  trace: string;
  decisions: { approver: string; decision: string; reason: string; decideTime: string }[];
  createTime: string;
  expireTime: string;
  requestBody: string;
}

export interface ApprovalPage {
  approvals: ApprovalView[];
  nextPageToken: string;
}

export interface DecideInput {
  signature: string;
  grantSignature?: string;
  reason?: string;
}

const ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function checkApprovalId(value: string, field = 'approvalId'): string {
  if (!ID.test(value)) throw new ApiError('invalid-argument', `${field} ${preview(value)} must be 1..128 characters of [A-Za-z0-9._:-]`);
  return value;
}

/** `approvals/{id}` → the id (the policy engine's request id). */
export function parseApprovalName(name: string): string {
  if (!name.startsWith('approvals/')) throw new ApiError('invalid-argument', `name ${preview(name)} must be approvals/{approval_id}`);
  return checkApprovalId(name.slice('approvals/'.length), 'name');
}

export function approvalView(r: EngineApprovalRequest): ApprovalView {
  return {
    name: `approvals/${r.requestId}`,
    request: `requests/${r.requestId}`,
    requestDigest: r.requestDigestHex,
    state: r.status,
    operation: r.operation,
    initiator: r.initiatorId,
    policyVersion: r.policyVersion,
    policyHash: r.policyHash,
    approveMessage: r.approveMessageHex,
    rejectMessage: r.rejectMessageHex,
    signRequest: r.signRequestJson,
    grantDigest: r.grantDigestHex,
    trace: r.decisionJson,
    decisions: r.approvals.map((a) => ({ approver: a.approverId, decision: a.decision, reason: a.reason, decideTime: isoTime(a.receivedAt) })),
    createTime: isoTime(r.createdAt),
    expireTime: isoTime(r.expiresAt),
    requestBody: r.requestJson,
  };
}

/**
 * Approvals over the policy engine. The calling API client is the approver: its client id is the
 * approver id of the policy (a member of the rule's approver groups), and its approval is an
 * Ed25519 signature by the approver's key registered in the engine's governance document (and
 * pinned at the signers) over the engine's approval message; the engine verifies it. The gateway
 * never signs for anyone.
 */
@Injectable()
export class ApprovalsService {
  constructor(private readonly engine: PolicyEngineClient) {}

  /** The requests waiting for the calling approver. */
  async list(client: ApiClient, pageSize: number, pageToken: string): Promise<ApprovalPage> {
    const size = pageSizeOf(pageSize);
    if (pageToken.length > 400) throw new ApiError('invalid-argument', 'page_token is not a token this API issued');
    const page = await this.engine.call<{ requests: EngineApprovalRequest[]; nextPageToken: string }>('ListPendingApprovals', { approverId: client.clientId, pageSize: size, pageToken });
    return { approvals: page.requests.map(approvalView), nextPageToken: page.nextPageToken };
  }

  async decide(client: ApiClient, approvalId: string, decision: 'approve' | 'reject', input: DecideInput): Promise<ApprovalView> {
    const requestId = checkApprovalId(approvalId);
    const signature = hexBytes(input.signature, 'signature', 64);
    const grantSignature = input.grantSignature ? hexBytes(input.grantSignature, 'grantSignature', 64) : Buffer.alloc(0);
    if (decision === 'reject' && grantSignature.length > 0) throw new ApiError('invalid-argument', 'grantSignature is only taken with an approval');
    const reason = input.reason ?? '';
    if (reason.length > 512) throw new ApiError('invalid-argument', 'reason must be at most 512 characters');
    return approvalView(await this.engine.call<EngineApprovalRequest>('DecideApproval', { requestId, approverId: client.clientId, decision, signature, grantSignature, reason }));
  }
}
