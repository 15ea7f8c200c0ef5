import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PUBLIC_EVENT_TYPES } from '@custody/events-core';
import type { ApiClient } from '../auth/api-client';
import { Public, Roles } from '../auth/roles.decorator';
import { pageQuery } from '../clients/clients.controller';
import { ApiError } from '../errors/api-error';
import { parseSeq } from '../events/events.service';
import { bodySchema, parseBody } from '../http/validate';
import { CurrentClient } from '../system/current-client.decorator';
import { WebhooksService, type CreateWebhookInput, type WebhookDeliveryView, type WebhookEndpointView } from './webhooks.service';

export const CREATE_WEBHOOK_BODY = bodySchema<CreateWebhookInput>({
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', maxLength: 2048 },
    eventTypes: { type: 'array', nullable: true, maxItems: PUBLIC_EVENT_TYPES.length, items: { type: 'string', maxLength: 64 } },
    description: { type: 'string', nullable: true, maxLength: 256 },
  },
});

function noBody(body: unknown, what: string): void {
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length > 0)) throw new ApiError('unknown-field', `${what} takes no fields`);
}

function principal(client: ApiClient | undefined): ApiClient {
  if (!client) throw new ApiError('internal', 'no authenticated client on an authenticated method');
  return client;
}

/** REST: `/v1/webhooks`: endpoints of the calling API client, their deliveries, and the public key. */
@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @Roles('operator', 'admin')
  @ApiOperation({ operationId: 'CreateWebhookEndpoint', summary: 'Register a webhook endpoint (operator, admin); the answer carries its v1 secret, once' })
  @ApiBody({ schema: CREATE_WEBHOOK_BODY.schema as object })
  create(@CurrentClient() client: ApiClient | undefined, @Body() body: unknown): Promise<WebhookEndpointView> {
    return this.webhooks.create(principal(client), parseBody(body, CREATE_WEBHOOK_BODY));
  }

  @Get()
  @Roles('operator', 'admin', 'auditor')
  @ApiOperation({ operationId: 'ListWebhookEndpoints', summary: 'Webhook endpoints (operator: its own; admin, auditor: all)' })
  list(@CurrentClient() client: ApiClient | undefined, @Query() query: Record<string, unknown>): Promise<{ endpoints: WebhookEndpointView[]; nextPageToken: string }> {
    const { pageSize, pageToken } = pageQuery(query);
    return this.webhooks.list(principal(client), pageSize, pageToken);
  }

  @Get('public-key')
  @Public()
  @ApiOperation({ operationId: 'GetWebhookPublicKey', summary: 'The Ed25519 key (whpk_) that verifies every v1a webhook signature (unsigned)' })
  publicKey(): { publicKey: string; signatureVersion: string } {
    return this.webhooks.publicKey();
  }

  @Get(':webhookId')
  @Roles('operator', 'admin', 'auditor')
  @ApiOperation({ operationId: 'GetWebhookEndpoint', summary: 'A webhook endpoint (its owner, admin, auditor)' })
  get(@CurrentClient() client: ApiClient | undefined, @Param('webhookId') id: string): Promise<WebhookEndpointView> {
    return this.webhooks.get(principal(client), id);
  }

  @Delete(':webhookId')
  @HttpCode(200)
  @Roles('operator', 'admin')
  @ApiOperation({ operationId: 'DeleteWebhookEndpoint', summary: 'Delete a webhook endpoint (its owner, admin); its deliveries stop' })
  async delete(@CurrentClient() client: ApiClient | undefined, @Param('webhookId') id: string): Promise<Record<string, never>> {
    await this.webhooks.delete(principal(client), id);
    return {};
  }

  @Post(':webhookId/enable')
  @HttpCode(200)
  @Roles('operator', 'admin')
  @ApiOperation({ operationId: 'EnableWebhookEndpoint', summary: 'Enable a disabled endpoint (its owner, admin): the delivery it gave up on is retried, then the rest in order' })
  enable(@CurrentClient() client: ApiClient | undefined, @Param('webhookId') id: string, @Body() body: unknown): Promise<WebhookEndpointView> {
    noBody(body, 'enable');
    return this.webhooks.enable(principal(client), id);
  }

  @Get(':webhookId/deliveries')
  @Roles('operator', 'admin', 'auditor')
  @ApiOperation({ operationId: 'ListWebhookDeliveries', summary: 'Deliveries of an endpoint, newest first, each with every attempt (status, duration, response code)' })
  deliveries(@CurrentClient() client: ApiClient | undefined, @Param('webhookId') id: string, @Query() query: Record<string, unknown>): Promise<{ deliveries: WebhookDeliveryView[]; nextPageToken: string }> {
    const { pageSize, pageToken } = pageQuery(query);
    return this.webhooks.deliveries(principal(client), id, pageSize, pageToken);
  }

  @Post(':webhookId/deliveries/:seq/redeliver')
  @HttpCode(200)
  @Roles('operator', 'admin')
  @ApiOperation({ operationId: 'RedeliverWebhook', summary: 'Send an event to the endpoint again, with the same webhook-id (its owner, admin)' })
  redeliver(@CurrentClient() client: ApiClient | undefined, @Param('webhookId') id: string, @Param('seq') seq: string, @Body() body: unknown): Promise<WebhookDeliveryView> {
    noBody(body, 'redeliver');
    return this.webhooks.redeliver(principal(client), id, parseSeq(seq, 'seq'));
  }
}
