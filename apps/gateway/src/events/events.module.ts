import { Module } from '@nestjs/common';
import type { GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.service';
import { WebhooksController } from '../webhooks/webhooks.controller';
import { WebhooksGrpcController } from '../webhooks/webhooks.grpc.controller';
import { WebhooksRepository } from '../webhooks/webhooks.repository';
import { WebhooksService } from '../webhooks/webhooks.service';
import { EventsController } from './events.controller';
import { EventsGrpcController } from './events.grpc.controller';
import { EventsRepository } from './events.repository';
import { EventsService } from './events.service';
import { OUTBOX_SOURCES } from './events.tokens';
import { GrpcOutboxSource, type OutboxSource } from './outbox-source';
import { RelayService } from './relay.service';

function outboxSources(config: GatewayConfig): OutboxSource[] {
  const sources: OutboxSource[] = [];
  if (config.events.ledgerAddress) sources.push(new GrpcOutboxSource('ledger', config.events.ledgerAddress, 'ledger', 'custody.ledger.v1.LedgerService'));
  if (config.events.policyAddress) sources.push(new GrpcOutboxSource('policy', config.events.policyAddress, 'custodyPolicy', 'custody.policy.v1.PolicyService'));
  return sources;
}

/**
 * The public event stream (relay from the services' outboxes; REST, SSE and gRPC reads) and
 * webhooks (endpoints, signed deliveries with retries, redelivery). Uses the gateway's global
 * providers (config, auth, idempotency, errors).
 */
@Module({
  controllers: [EventsController, EventsGrpcController, WebhooksController, WebhooksGrpcController],
  providers: [
    { provide: OUTBOX_SOURCES, useFactory: outboxSources, inject: [GATEWAY_CONFIG] },
    EventsRepository,
    EventsService,
    RelayService,
    WebhooksRepository,
    WebhookDispatcher,
    WebhooksService,
  ],
})
export class EventsModule {}
