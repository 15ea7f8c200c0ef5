import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import type { custody } from '@custody/proto';
import { ROLES } from '../auth/api-client';
import { Roles } from '../auth/roles.decorator';
import { parseName } from '../api/resource-paging';
import { principalOfCall } from '../http/request-context';
import { Idempotent } from '../idempotency/idempotency.interceptor';
import type { AddressView, WalletView } from './wallet';
import { principal } from './wallets.controller';
import { WalletsService, type AddressPage, type WalletPage } from './wallets.service';

type Call = ServerUnaryCall<unknown, unknown>;

/** gRPC: `custody.v1.WalletService` and `custody.v1.AddressService`, the same service as REST. */
@Controller()
export class WalletsGrpcController {
  constructor(private readonly wallets: WalletsService) {}

  @GrpcMethod('WalletService', 'CreateWallet')
  @Roles('operator', 'admin')
  @Idempotent()
  create(request: custody.v1.ICreateWalletRequest, _metadata: Metadata, call: Call): Promise<WalletView> {
    return this.wallets.create({ displayName: request.displayName ?? '', scheme: request.scheme ?? '', custody: request.custody ?? '' }, principal(principalOfCall(call)).clientId);
  }

  @GrpcMethod('WalletService', 'GetWallet')
  @Roles(...ROLES)
  get(request: custody.v1.IGetWalletRequest): Promise<WalletView> {
    const [walletId] = parseName(request.name ?? '', ['wallets'], 'name');
    return this.wallets.get(walletId!);
  }

  @GrpcMethod('WalletService', 'ListWallets')
  @Roles(...ROLES)
  list(request: custody.v1.IListWalletsRequest): Promise<WalletPage> {
    return this.wallets.list(request.pageSize ?? 0, request.pageToken ?? '');
  }

  @GrpcMethod('AddressService', 'CreateAddress')
  @Roles('operator', 'admin')
  @Idempotent()
  createAddress(request: custody.v1.ICreateAddressRequest, _metadata: Metadata, call: Call): Promise<AddressView> {
    const [walletId] = parseName(request.parent ?? '', ['wallets'], 'parent');
    return this.wallets.createAddress(walletId!, request.chain ?? '', principal(principalOfCall(call)).clientId);
  }

  @GrpcMethod('AddressService', 'GetAddress')
  @Roles(...ROLES)
  getAddress(request: custody.v1.IGetAddressRequest): Promise<AddressView> {
    const [walletId, addressId] = parseName(request.name ?? '', ['wallets', 'addresses'], 'name');
    return this.wallets.getAddress(walletId!, addressId!);
  }

  @GrpcMethod('AddressService', 'ListAddresses')
  @Roles(...ROLES)
  listAddresses(request: custody.v1.IListAddressesRequest): Promise<AddressPage> {
    const [walletId] = parseName(request.parent ?? '', ['wallets'], 'parent');
    return this.wallets.listAddresses(walletId!, request.pageSize ?? 0, request.pageToken ?? '');
  }
}
