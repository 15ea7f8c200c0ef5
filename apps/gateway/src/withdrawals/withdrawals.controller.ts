import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ROLES, type ApiClient } from '../auth/api-client';
import { Roles } from '../auth/roles.decorator';
import { ApiError, preview } from '../errors/api-error';
import { bodySchema, parseBody } from '../http/validate';
import { CurrentClient } from '../system/current-client.decorator';
import { principal } from '../wallets/wallets.controller';
import { WithdrawalsService, type CreateWithdrawalInput, type WithdrawalPage, type WithdrawalView } from './withdrawals.service';

export const CREATE_WITHDRAWAL_BODY = bodySchema<CreateWithdrawalInput>({
  type: 'object',
  additionalProperties: false,
  required: ['wallet', 'chain', 'asset', 'amount', 'destination'],
  properties: {
    wallet: { type: 'string', maxLength: 200 },
    chain: { type: 'string', maxLength: 64 },
    asset: { type: 'string', maxLength: 32 },
    amount: { type: 'string', maxLength: 80 },
    destination: { type: 'string', maxLength: 64 },
  },
});

/** `wallet`, `page_size`, `page_token` and nothing else. */
function listQuery(query: Record<string, unknown>): { wallet: string; pageSize: number; pageToken: string } {
  for (const name of Object.keys(query)) if (!['wallet', 'page_size', 'page_token'].includes(name)) throw new ApiError('unknown-field', `unknown query parameter ${preview(name)}`);
  const { wallet, page_size: size, page_token: token } = query;
  if (wallet !== undefined && typeof wallet !== 'string') throw new ApiError('invalid-argument', 'wallet must be given once');
  if (size !== undefined && (typeof size !== 'string' || !/^\d{1,3}$/.test(size))) throw new ApiError('invalid-argument', 'page_size must be an integer 0..100');
  if (token !== undefined && typeof token !== 'string') throw new ApiError('invalid-argument', 'page_token must be given once');
  return { wallet: wallet ?? '', pageSize: size === undefined ? 0 : Number(size), pageToken: token ?? '' };
}

/** REST: `/v1/withdrawals`. */
@ApiTags('withdrawals')
@Controller('v1/withdrawals')
export class WithdrawalsController {
  constructor(private readonly withdrawals: WithdrawalsService) {}

  @Post()
  @Roles('operator', 'admin')
  @ApiOperation({ operationId: 'CreateWithdrawal', summary: 'Withdraw from a wallet: held in the ledger, checked under policy, approved, signed, broadcast, confirmed, settled' })
  @ApiBody({ schema: CREATE_WITHDRAWAL_BODY.schema as object })
  create(@Body() body: unknown, @CurrentClient() client: ApiClient | undefined): Promise<WithdrawalView> {
    return this.withdrawals.create(parseBody(body, CREATE_WITHDRAWAL_BODY), principal(client).clientId);
  }

  @Get()
  @Roles(...ROLES)
  @ApiOperation({ operationId: 'ListWithdrawals', summary: 'List withdrawals (optionally of one wallet), oldest first, paged' })
  list(@Query() query: Record<string, unknown>): Promise<WithdrawalPage> {
    const { wallet, pageSize, pageToken } = listQuery(query);
    return this.withdrawals.list(wallet, pageSize, pageToken);
  }

  @Get(':withdrawalId')
  @Roles(...ROLES)
  @ApiOperation({ operationId: 'GetWithdrawal', summary: 'Get a withdrawal: its state, reason, transaction and fees' })
  get(@Param('withdrawalId') withdrawalId: string): Promise<WithdrawalView> {
    return this.withdrawals.get(withdrawalId);
  }

  @Post(':withdrawalId/cancel')
  @HttpCode(200)
  @Roles('operator', 'admin')
  @ApiOperation({ operationId: 'CancelWithdrawal', summary: 'Cancel a withdrawal nothing was signed for (409 failed-precondition otherwise); its hold is released' })
  cancel(@Param('withdrawalId') withdrawalId: string, @Body() body: unknown, @CurrentClient() client: ApiClient | undefined): Promise<WithdrawalView> {
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length > 0)) throw new ApiError('unknown-field', 'cancel takes no fields');
    return this.withdrawals.cancel(withdrawalId, principal(client).clientId);
  }
}
