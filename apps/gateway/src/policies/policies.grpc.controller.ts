import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import type { custody } from '@custody/proto';
import { Roles } from '../auth/roles.decorator';
import { ApiError } from '../errors/api-error';
import { Idempotent } from '../idempotency/idempotency.interceptor';
import { callerOf } from '../policy-engine/caller';
import { parsePolicyName, PoliciesService, type PolicyPage, type PolicyReportView, type PolicyView } from './policies.service';

type Call = ServerUnaryCall<unknown, unknown>;

/** Fields of custody.v1.PolicyRequest a method does not take must be empty (nothing is ignored silently). */
function only(request: custody.v1.IPolicyRequest, method: string, allowed: readonly (keyof custody.v1.IPolicyRequest)[]): void {
  for (const field of ['decision', 'signature', 'startTime', 'endTime', 'limit', 'document'] as const) {
    const value = request[field];
    if (!allowed.includes(field) && value !== undefined && value !== null && value !== '' && value !== 0) throw new ApiError('invalid-argument', `${field} is not a field of ${method}`);
  }
}

/** gRPC `custody.v1.PolicyService`: the same service as REST `/v1/policies`. */
@Controller()
export class PoliciesGrpcController {
  constructor(private readonly policies: PoliciesService) {}

  @GrpcMethod('PolicyService', 'ProposePolicy')
  @Roles('compliance-admin')
  @Idempotent()
  propose(request: custody.v1.IProposePolicyRequest, _m: Metadata, call: Call): Promise<PolicyView> {
    return this.policies.propose(callerOf(call), { document: request.document ?? '', policyId: request.policyId ?? '' });
  }

  @GrpcMethod('PolicyService', 'ApprovePolicy')
  @Roles('compliance-admin', 'admin')
  @Idempotent()
  approve(request: custody.v1.IPolicyRequest, _m: Metadata, call: Call): Promise<PolicyView> {
    only(request, 'ApprovePolicy', ['decision', 'signature']);
    return this.policies.approve(callerOf(call), parsePolicyName(request.name ?? ''), { decision: request.decision ?? '', signature: request.signature ?? '' });
  }

  @GrpcMethod('PolicyService', 'ActivatePolicy')
  @Roles('compliance-admin', 'admin')
  @Idempotent()
  activate(request: custody.v1.IPolicyRequest): Promise<PolicyView> {
    only(request, 'ActivatePolicy', []);
    return this.policies.activate(parsePolicyName(request.name ?? ''));
  }

  @GrpcMethod('PolicyService', 'GetPolicy')
  @Roles('compliance-admin', 'auditor', 'admin', 'approver')
  get(request: custody.v1.IPolicyRequest): Promise<PolicyView> {
    only(request, 'GetPolicy', []);
    return this.policies.get(parsePolicyName(request.name ?? ''));
  }

  @GrpcMethod('PolicyService', 'ListPolicies')
  @Roles('compliance-admin', 'auditor', 'admin', 'approver')
  list(request: custody.v1.IListPoliciesRequest): Promise<PolicyPage> {
    return this.policies.list(request.pageSize ?? 0, request.pageToken ?? '', request.kind ?? '', request.state ?? '');
  }

  @GrpcMethod('PolicyService', 'DiffPolicy')
  @Roles('compliance-admin', 'auditor', 'admin', 'approver')
  @Idempotent()
  diff(request: custody.v1.IDiffPolicyRequest): Promise<PolicyReportView> {
    return this.policies.diff(parsePolicyName(request.name ?? ''), request.other ? parsePolicyName(request.other, 'other') : undefined);
  }

  @GrpcMethod('PolicyService', 'LintPolicy')
  @Roles('compliance-admin', 'auditor', 'admin', 'approver')
  @Idempotent()
  lint(request: custody.v1.IPolicyRequest): Promise<PolicyReportView> {
    only(request, 'LintPolicy', ['document']);
    return this.policies.lint(parsePolicyName(request.name ?? ''), request.document || undefined);
  }

  @GrpcMethod('PolicyService', 'DryRunPolicy')
  @Roles('compliance-admin', 'auditor', 'admin', 'approver')
  @Idempotent()
  dryRun(request: custody.v1.IDryRunPolicyRequest): Promise<PolicyReportView> {
    return this.policies.dryRun(parsePolicyName(request.name ?? ''), request.request ?? '', request.document || undefined);
  }

  @GrpcMethod('PolicyService', 'ReplayPolicy')
  @Roles('compliance-admin', 'auditor', 'admin', 'approver')
  @Idempotent()
  replay(request: custody.v1.IPolicyRequest): Promise<PolicyReportView> {
    only(request, 'ReplayPolicy', ['startTime', 'endTime', 'limit', 'document']);
    return this.policies.replay(parsePolicyName(request.name ?? ''), { startTime: request.startTime ?? '', endTime: request.endTime ?? '', limit: request.limit ?? 0, document: request.document || undefined }, Date.now());
  }
}
