import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import type { Metadata } from '@grpc/grpc-js';
import type { custody } from '@custody/proto';
import type { ApiClient } from '../auth/api-client';
import { Public, Roles } from '../auth/roles.decorator';
import { ApiError } from '../errors/api-error';
import { principalOfCall } from '../http/request-context';
import { Idempotent } from '../idempotency/idempotency.interceptor';
import { parseDeliveryName, parseEndpointName, WebhooksService, type WebhookDeliveryView, type WebhookEndpointView } from './webhooks.service';

type Call = ServerUnaryCall<unknown, unknown>;

function principal(call: Call): ApiClient {
  const client = principalOfCall(call);
  if (!client) throw new ApiError('internal', 'no authenticated client on an authenticated method');
  return client;
}

/** gRPC: `custody.v1.WebhookService`, the same service as REST `/v1/webhooks`. */
@Controller()
export class WebhooksGrpcController {
  constructor(private readonly webhooks: WebhooksService) {}

  @GrpcMethod('WebhookService', 'CreateWebhookEndpoint')
  @Roles('operator', 'admin')
  @Idempotent()
  create(request: custody.v1.ICreateWebhookEndpointRequest, _m: Metadata, call: Call): Promise<WebhookEndpointView> {
    return this.webhooks.create(principal(call), { url: request.url ?? '', eventTypes: request.eventTypes ?? [], description: request.description ?? '' });
  }

  @GrpcMethod('WebhookService', 'ListWebhookEndpoints')
  @Roles('operator', 'admin', 'auditor')
  list(request: custody.v1.IListWebhookEndpointsRequest, _m: Metadata, call: Call): Promise<{ endpoints: WebhookEndpointView[]; nextPageToken: string }> {
    return this.webhooks.list(principal(call), request.pageSize ?? 0, request.pageToken ?? '');
  }

  @GrpcMethod('WebhookService', 'GetWebhookEndpoint')
  @Roles('operator', 'admin', 'auditor')
  get(request: custody.v1.IGetWebhookEndpointRequest, _m: Metadata, call: Call): Promise<WebhookEndpointView> {
    return this.webhooks.get(principal(call), parseEndpointName(request.name ?? ''));
  }

  @GrpcMethod('WebhookService', 'DeleteWebhookEndpoint')
  @Roles('operator', 'admin')
  async delete(request: custody.v1.IDeleteWebhookEndpointRequest, _m: Metadata, call: Call): Promise<Record<string, never>> {
    await this.webhooks.delete(principal(call), parseEndpointName(request.name ?? ''));
    return {};
  }

  @GrpcMethod('WebhookService', 'EnableWebhookEndpoint')
  @Roles('operator', 'admin')
  @Idempotent()
  enable(request: custody.v1.IEnableWebhookEndpointRequest, _m: Metadata, call: Call): Promise<WebhookEndpointView> {
    return this.webhooks.enable(principal(call), parseEndpointName(request.name ?? ''));
  }

  @GrpcMethod('WebhookService', 'ListWebhookDeliveries')
  @Roles('operator', 'admin', 'auditor')
  deliveries(request: custody.v1.IListWebhookDeliveriesRequest, _m: Metadata, call: Call): Promise<{ deliveries: WebhookDeliveryView[]; nextPageToken: string }> {
    return this.webhooks.deliveries(principal(call), parseEndpointName(request.parent ?? '', 'parent'), request.pageSize ?? 0, request.pageToken ?? '');
  }

  @GrpcMethod('WebhookService', 'RedeliverWebhook')
  @Roles('operator', 'admin')
  @Idempotent()
  redeliver(request: custody.v1.IRedeliverWebhookRequest, _m: Metadata, call: Call): Promise<WebhookDeliveryView> {
    const { endpointId, seq } = parseDeliveryName(request.name ?? '');
    return this.webhooks.redeliver(principal(call), endpointId, seq);
  }

  @GrpcMethod('WebhookService', 'GetWebhookPublicKey')
  @Public()
  publicKey(): { publicKey: string; signatureVersion: string } {
    return this.webhooks.publicKey();
  }
}
