import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import type { custody } from '@custody/proto';
import { Roles } from '../auth/roles.decorator';
import { Idempotent } from '../idempotency/idempotency.interceptor';
import { callerOf } from '../policy-engine/caller';
import { ApprovalsService, parseApprovalName, type ApprovalPage, type ApprovalView } from './approvals.service';

type Call = ServerUnaryCall<unknown, unknown>;

/** gRPC `custody.v1.ApprovalService`: the same service as REST `/v1/approvals`. */
@Controller()
export class ApprovalsGrpcController {
  constructor(private readonly approvals: ApprovalsService) {}

  @GrpcMethod('ApprovalService', 'ListApprovals')
  @Roles('approver')
  list(request: custody.v1.IListApprovalsRequest, _m: Metadata, call: Call): Promise<ApprovalPage> {
    return this.approvals.list(callerOf(call), request.pageSize ?? 0, request.pageToken ?? '');
  }

  @GrpcMethod('ApprovalService', 'ApproveApproval')
  @Roles('approver')
  @Idempotent()
  approve(request: custody.v1.IDecideApprovalRequest, _m: Metadata, call: Call): Promise<ApprovalView> {
    return this.approvals.decide(callerOf(call), parseApprovalName(request.name ?? ''), 'approve', { signature: request.signature ?? '', grantSignature: request.grantSignature ?? '', reason: request.reason ?? '' });
  }

  @GrpcMethod('ApprovalService', 'RejectApproval')
  @Roles('approver')
  @Idempotent()
  reject(request: custody.v1.IDecideApprovalRequest, _m: Metadata, call: Call): Promise<ApprovalView> {
    return this.approvals.decide(callerOf(call), parseApprovalName(request.name ?? ''), 'reject', { signature: request.signature ?? '', grantSignature: request.grantSignature ?? '', reason: request.reason ?? '' });
  }
}
