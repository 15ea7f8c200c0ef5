import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import type { custody } from '@custody/proto';
import { ROLES } from '../auth/api-client';
import { Roles } from '../auth/roles.decorator';
import { Idempotent } from '../idempotency/idempotency.interceptor';
import { callerOf } from '../policy-engine/caller';
import { AddressBookService, parseEntryName, type AddressBookEntryView, type AddressBookPage } from './address-book.service';

type Call = ServerUnaryCall<unknown, unknown>;

/** gRPC `custody.v1.AddressBookService`: the same service as REST `/v1/address-book`. */
@Controller()
export class AddressBookGrpcController {
  constructor(private readonly book: AddressBookService) {}

  @GrpcMethod('AddressBookService', 'CreateAddressBookEntry')
  @Roles('compliance-admin')
  @Idempotent()
  create(request: custody.v1.ICreateAddressBookEntryRequest, _m: Metadata, call: Call): Promise<AddressBookEntryView> {
    return this.book.create(callerOf(call), { label: request.label ?? '', chain: request.chain ?? '', address: request.address ?? '', entryId: request.entryId ?? '', tags: request.tags ?? [] });
  }

  @GrpcMethod('AddressBookService', 'ListAddressBookEntries')
  @Roles(...ROLES)
  list(request: custody.v1.IListAddressBookEntriesRequest): Promise<AddressBookPage> {
    return this.book.list(request.pageSize ?? 0, request.pageToken ?? '', { tag: request.tag ?? '', chain: request.chain ?? '' });
  }

  @GrpcMethod('AddressBookService', 'DeleteAddressBookEntry')
  @Roles('compliance-admin')
  delete(request: custody.v1.IDeleteAddressBookEntryRequest, _m: Metadata, call: Call): Promise<{ state: string; request: string }> {
    return this.book.delete(callerOf(call), parseEntryName(request.name ?? ''));
  }
}
