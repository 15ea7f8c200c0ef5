import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { PolicyErrorsFilter } from '../api/policy-errors.filter';
import { decoded } from '../api/request-decoding';
import { ApprovalsService, approvalRequestMessage } from './approvals.service';

function bytes(value: unknown): Uint8Array | undefined {
  return value instanceof Uint8Array ? Uint8Array.from(value) : undefined;
}

/** custody.policy.v1.PolicyService, the approvers' methods: thin (the service checks every field). */
@Controller()
@UseFilters(PolicyErrorsFilter)
export class ApprovalsGrpcController {
  constructor(private readonly approvals: ApprovalsService) {}

  @GrpcMethod('PolicyService', 'ListPendingApprovals')
  async listPendingApprovals(raw: { approverId?: string; pageSize?: number; pageToken?: string }) {
    const r = decoded(raw);
    const page = await this.approvals.pending(r.approverId, r.pageSize, r.pageToken);
    return { requests: page.requests.map(approvalRequestMessage), nextPageToken: page.nextPageToken };
  }

  @GrpcMethod('PolicyService', 'GetApprovalRequest')
  async getApprovalRequest(raw: { requestId?: string }) {
    return approvalRequestMessage(await this.approvals.get(decoded(raw).requestId));
  }

  @GrpcMethod('PolicyService', 'DecideApproval')
  async decideApproval(raw: { requestId?: string; approverId?: string; decision?: string; signature?: Uint8Array; grantSignature?: Uint8Array; reason?: string }) {
    const r = decoded(raw);
    return approvalRequestMessage(await this.approvals.decide({ ...r, signature: bytes(r.signature), grantSignature: bytes(r.grantSignature) }));
  }
}
