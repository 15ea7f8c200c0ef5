import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { custody } from '@custody/proto';
import { Roles } from '../auth/roles.decorator';
import { Idempotent } from '../idempotency/idempotency.interceptor';
import { ClientsService, parseClientName, type ApiClientPage, type ApiClientView } from './clients.service';

/** gRPC: `custody.v1.ApiClientService` (admin only), the same service as REST `/v1/clients`. */
@Controller()
export class ClientsGrpcController {
  constructor(private readonly clients: ClientsService) {}

  @GrpcMethod('ApiClientService', 'CreateApiClient')
  @Roles('admin')
  @Idempotent()
  create(request: custody.v1.ICreateApiClientRequest): Promise<ApiClientView> {
    return this.clients.create({ clientId: request.clientId ?? '', publicKey: request.publicKey ?? '', roles: request.roles ?? [] });
  }

  @GrpcMethod('ApiClientService', 'GetApiClient')
  @Roles('admin')
  get(request: custody.v1.IGetApiClientRequest): Promise<ApiClientView> {
    return this.clients.get(parseClientName(request.name ?? ''));
  }

  @GrpcMethod('ApiClientService', 'ListApiClients')
  @Roles('admin')
  list(request: custody.v1.IListApiClientsRequest): Promise<ApiClientPage> {
    return this.clients.list(request.pageSize ?? 0, request.pageToken ?? '');
  }

  @GrpcMethod('ApiClientService', 'DisableApiClient')
  @Roles('admin')
  @Idempotent()
  disable(request: custody.v1.IDisableApiClientRequest): Promise<ApiClientView> {
    return this.clients.disable(parseClientName(request.name ?? ''));
  }
}
