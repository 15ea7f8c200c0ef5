import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { custody } from '@custody/proto';
import { ROLES } from '../auth/api-client';
import { Roles } from '../auth/roles.decorator';
import { parseName } from '../api/resource-paging';
import { BalancesService, type BalanceView, type DepositView } from './balances.service';

/** gRPC: `custody.v1.BalanceService` and `custody.v1.DepositService`. */
@Controller()
export class BalancesGrpcController {
  constructor(private readonly balances: BalancesService) {}

  @GrpcMethod('BalanceService', 'ListBalances')
  @Roles(...ROLES)
  list(request: custody.v1.IListBalancesRequest): Promise<{ balances: BalanceView[]; nextPageToken: string }> {
    const [walletId] = parseName(request.parent ?? '', ['wallets'], 'parent');
    return this.balances.list(walletId!, request.pageSize ?? 0, request.pageToken ?? '', 'parent');
  }

  @GrpcMethod('DepositService', 'GetDeposit')
  @Roles(...ROLES)
  deposit(request: custody.v1.IGetDepositRequest): Promise<DepositView> {
    const name = request.name ?? '';
    return this.balances.deposit(name.startsWith('deposits/') ? name.slice('deposits/'.length) : `\u0000${name}`, 'name');
  }

  @GrpcMethod('DepositService', 'ListDeposits')
  @Roles(...ROLES)
  deposits(request: custody.v1.IListDepositsRequest): Promise<{ deposits: DepositView[]; nextPageToken: string }> {
    return this.balances.deposits(request.wallet ?? '', request.pageSize ?? 0, request.pageToken ?? '');
  }
}
