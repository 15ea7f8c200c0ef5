import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiClient } from '../auth/api-client';
import { Roles } from '../auth/roles.decorator';
import { pageQuery } from '../clients/clients.controller';
import { ApiError } from '../errors/api-error';
import { bodySchema, parseBody } from '../http/validate';
import { CurrentClient } from '../system/current-client.decorator';
import { ROLES } from '../auth/api-client';
import type { AddressView, WalletView } from './wallet';
import { WalletsService, type AddressPage, type CreateWalletInput, type WalletPage } from './wallets.service';

export const CREATE_WALLET_BODY = bodySchema<CreateWalletInput>({
  type: 'object',
  additionalProperties: false,
  required: [],
  properties: {
    displayName: { type: 'string', maxLength: 128, nullable: true },
    scheme: { type: 'string', maxLength: 32, nullable: true },
    custody: { type: 'string', maxLength: 8, nullable: true },
  },
});

export const CREATE_ADDRESS_BODY = bodySchema<{ chain: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['chain'],
  properties: { chain: { type: 'string', maxLength: 64 } },
});

export function principal(client: ApiClient | undefined): ApiClient {
  if (!client) throw new ApiError('internal', 'no authenticated client on an authenticated method');
  return client;
}

/** REST: `/v1/wallets` and `/v1/wallets/{walletId}/addresses`. */
@ApiTags('wallets')
@Controller('v1/wallets')
export class WalletsController {
  constructor(private readonly wallets: WalletsService) {}

  @Post()
  @Roles('operator', 'admin')
  @ApiOperation({ operationId: 'CreateWallet', summary: 'Create a wallet: a keygen in the signers (ecdsa-secp256k1 by default, or eddsa-ed25519)' })
  @ApiBody({ schema: CREATE_WALLET_BODY.schema as object })
  create(@Body() body: unknown, @CurrentClient() client: ApiClient | undefined): Promise<WalletView> {
    return this.wallets.create(parseBody(body, CREATE_WALLET_BODY), principal(client).clientId);
  }

  @Get()
  @Roles(...ROLES)
  @ApiOperation({ operationId: 'ListWallets', summary: 'List wallets (page_size, page_token)' })
  list(@Query() query: Record<string, unknown>): Promise<WalletPage> {
    const { pageSize, pageToken } = pageQuery(query);
    return this.wallets.list(pageSize, pageToken);
  }

  @Get(':walletId')
  @Roles(...ROLES)
  @ApiOperation({ operationId: 'GetWallet', summary: 'Get a wallet' })
  get(@Param('walletId') walletId: string): Promise<WalletView> {
    return this.wallets.get(walletId);
  }

  @Post(':walletId/addresses')
  @Roles('operator', 'admin')
  @ApiOperation({ operationId: 'CreateAddress', summary: "Derive the wallet's next deposit address for a chain" })
  @ApiBody({ schema: CREATE_ADDRESS_BODY.schema as object })
  createAddress(@Param('walletId') walletId: string, @Body() body: unknown, @CurrentClient() client: ApiClient | undefined): Promise<AddressView> {
    return this.wallets.createAddress(walletId, parseBody(body, CREATE_ADDRESS_BODY).chain, principal(client).clientId);
  }

  @Get(':walletId/addresses')
  @Roles(...ROLES)
  @ApiOperation({ operationId: 'ListAddresses', summary: "List a wallet's deposit addresses (page_size, page_token)" })
  listAddresses(@Param('walletId') walletId: string, @Query() query: Record<string, unknown>): Promise<AddressPage> {
    const { pageSize, pageToken } = pageQuery(query);
    return this.wallets.listAddresses(walletId, pageSize, pageToken);
  }

  @Get(':walletId/addresses/:addressId')
  @Roles(...ROLES)
  @ApiOperation({ operationId: 'GetAddress', summary: 'Get a deposit address' })
  getAddress(@Param('walletId') walletId: string, @Param('addressId') addressId: string): Promise<AddressView> {
    return this.wallets.getAddress(walletId, addressId);
  }
}
