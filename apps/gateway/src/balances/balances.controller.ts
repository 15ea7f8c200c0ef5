import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ROLES } from '../auth/api-client';
import { Roles } from '../auth/roles.decorator';
import { pageQuery } from '../clients/clients.controller';
import { ApiError } from '../errors/api-error';
import { BalancesService, type BalanceView, type DepositView } from './balances.service';

/** REST: `/v1/wallets/{walletId}/balances` and `/v1/deposits`. */
@ApiTags('balances')
@Controller('v1')
export class BalancesController {
  constructor(private readonly balances: BalancesService) {}

  @Get('wallets/:walletId/balances')
  @Roles(...ROLES)
  @ApiOperation({ operationId: 'ListBalances', summary: "A wallet's balance per asset from the ledger: posted, held, pending, available (smallest units)" })
  list(@Param('walletId') walletId: string, @Query() query: Record<string, unknown>): Promise<{ balances: BalanceView[]; nextPageToken: string }> {
    const { pageSize, pageToken } = pageQuery(query);
    return this.balances.list(walletId, pageSize, pageToken);
  }

  @Get('deposits/:depositId')
  @Roles(...ROLES)
  @ApiOperation({ operationId: 'GetDeposit', summary: 'Get a deposit ({chain}:{tx_hash}:{log_index})' })
  deposit(@Param('depositId') depositId: string): Promise<DepositView> {
    return this.balances.deposit(depositId);
  }

  @Get('deposits')
  @Roles(...ROLES)
  @ApiOperation({ operationId: 'ListDeposits', summary: "A wallet's deposits (wallet=wallets/{id}, page_size, page_token)" })
  deposits(@Query() query: Record<string, unknown>): Promise<{ deposits: DepositView[]; nextPageToken: string }> {
    const { wallet, ...rest } = query;
    if (wallet === undefined) throw new ApiError('invalid-argument', 'wallet is required (wallets/{wallet_id})');
    if (typeof wallet !== 'string') throw new ApiError('invalid-argument', 'wallet must be given once');
    const { pageSize, pageToken } = pageQuery(rest);
    return this.balances.deposits(wallet, pageSize, pageToken);
  }
}
