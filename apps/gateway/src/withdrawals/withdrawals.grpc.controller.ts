import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import type { custody } from '@custody/proto';
import { ROLES } from '../auth/api-client';
import { Roles } from '../auth/roles.decorator';
import { parseName } from '../api/resource-paging';
import { principalOfCall } from '../http/request-context';
import { Idempotent } from '../idempotency/idempotency.interceptor';
import { principal } from '../wallets/wallets.controller';
import { WithdrawalsService, type WithdrawalPage, type WithdrawalView } from './withdrawals.service';

/** gRPC: `custody.v1.WithdrawalService`, the same service as REST `/v1/withdrawals`. */
@Controller()
export class WithdrawalsGrpcController {
  constructor(private readonly withdrawals: WithdrawalsService) {}

  @GrpcMethod('WithdrawalService', 'CreateWithdrawal')
  @Roles('operator', 'admin')
  @Idempotent()
  create(request: custody.v1.ICreateWithdrawalRequest, _metadata: Metadata, call: ServerUnaryCall<unknown, unknown>): Promise<WithdrawalView> {
    return this.withdrawals.create(
      { wallet: request.wallet ?? '', chain: request.chain ?? '', asset: request.asset ?? '', amount: request.amount ?? '', destination: request.destination ?? '' },
      principal(principalOfCall(call)).clientId,
    );
  }

  @GrpcMethod('WithdrawalService', 'GetWithdrawal')
  @Roles(...ROLES)
  get(request: custody.v1.IGetWithdrawalRequest): Promise<WithdrawalView> {
    const [id] = parseName(request.name ?? '', ['withdrawals'], 'name');
    return this.withdrawals.get(id!, 'name');
  }

  @GrpcMethod('WithdrawalService', 'ListWithdrawals')
  @Roles(...ROLES)
  list(request: custody.v1.IListWithdrawalsRequest): Promise<WithdrawalPage> {
    return this.withdrawals.list(request.wallet ?? '', request.pageSize ?? 0, request.pageToken ?? '');
  }

  @GrpcMethod('WithdrawalService', 'CancelWithdrawal')
  @Roles('operator', 'admin')
  @Idempotent()
  cancel(request: custody.v1.ICancelWithdrawalRequest, _metadata: Metadata, call: ServerUnaryCall<unknown, unknown>): Promise<WithdrawalView> {
    const [id] = parseName(request.name ?? '', ['withdrawals'], 'name');
    return this.withdrawals.cancel(id!, principal(principalOfCall(call)).clientId, 'name');
  }
}
