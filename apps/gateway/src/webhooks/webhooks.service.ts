import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { checkWebhookUrl, EventsInputError, formatSecret, isPublicEventType } from '@custody/events-core';
import type { ApiClient } from '../auth/api-client';
import type { GatewayConfig } from '../config';
import { ApiError, preview } from '../errors/api-error';
import { parseSeq } from '../events/events.service';
import { GATEWAY_CONFIG } from '../tokens';
import { WebhookDispatcher, webhookId } from './webhook-dispatcher.service';
import { WebhooksRepository, type WebhookDeliveryRecord, type WebhookEndpoint } from './webhooks.repository';

export interface WebhookEndpointView {
  name: string;
  id: string;
  url: string;
  eventTypes: string[];
  description: string;
  clientId: string;
  disabled: boolean;
  disabledReason: string;
  deliveredSeq: string;
  createTime: string;
  disableTime: string;
  /** Only in the answer to a create. */
  secret?: string;
}

export interface WebhookDeliveryView {
  name: string;
  seq: string;
  eventType: string;
  webhookId: string;
  state: string;
  attempts: number;
  redeliveries: number;
  nextAttemptTime: string;
  attemptLog: Array<{ attempt: number; startTime: string; durationMs: number; responseStatus: number; error: string; succeeded: boolean }>;
}

export interface CreateWebhookInput {
  url: string;
  eventTypes?: string[];
  description?: string;
}

const ID = /^wh_[A-Za-z0-9_-]{22}$/;
const DEFAULT_PAGE = 50;
const MAX_PAGE = 100;

export function endpointView(e: WebhookEndpoint): WebhookEndpointView {
  return {
    name: `webhooks/${e.id}`,
    id: e.id,
    url: e.url,
    eventTypes: [...e.eventTypes],
    description: e.description,
    clientId: e.clientId,
    disabled: e.disabled,
    disabledReason: e.disabledReason ?? '',
    deliveredSeq: e.deliveredSeq.toString(),
    createTime: e.createdAt.toISOString(),
    disableTime: e.disabledAt?.toISOString() ?? '',
  };
}

function deliveryView(d: WebhookDeliveryRecord): WebhookDeliveryView {
  return {
    name: `webhooks/${d.endpointId}/deliveries/${d.seq}`,
    seq: d.seq.toString(),
    eventType: d.eventType,
    webhookId: webhookId(d.seq),
    state: d.state,
    attempts: d.attempts,
    redeliveries: d.redeliveries,
    nextAttemptTime: d.state === 'pending' ? d.nextAttemptAt.toISOString() : '',
    attemptLog: d.attemptLog.map((a) => ({ attempt: a.attempt, startTime: a.startedAt.toISOString(), durationMs: a.durationMs, responseStatus: a.responseStatus ?? 0, error: a.error ?? '', succeeded: a.succeeded })),
  };
}

export function checkEndpointId(value: string, field = 'webhookId'): string {
  if (!ID.test(value)) throw new ApiError('invalid-argument', `${field} ${preview(value)} must be wh_ followed by 22 characters of [A-Za-z0-9_-]`);
  return value;
}

/** `webhooks/{id}` → the id. */
export function parseEndpointName(name: string, field = 'name'): string {
  if (!name.startsWith('webhooks/')) throw new ApiError('invalid-argument', `${field} ${preview(name)} must be webhooks/{id}`);
  return checkEndpointId(name.slice('webhooks/'.length), field);
}

/** `webhooks/{id}/deliveries/{seq}` → the parts. */
export function parseDeliveryName(name: string, field = 'name'): { endpointId: string; seq: bigint } {
  const m = /^webhooks\/([^/]+)\/deliveries\/([^/]+)$/.exec(name);
  if (!m) throw new ApiError('invalid-argument', `${field} ${preview(name)} must be webhooks/{id}/deliveries/{seq}`);
  return { endpointId: checkEndpointId(m[1]!, field), seq: parseSeq(m[2]!, field) };
}

function pageSize(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_PAGE) throw new ApiError('invalid-argument', `page_size must be an integer 0..${MAX_PAGE}`);
  return value === 0 ? DEFAULT_PAGE : value;
}

/** Every admin and auditor sees every endpoint; anyone else only its own. */
function seesAll(client: ApiClient): boolean {
  return client.roles.includes('admin') || client.roles.includes('auditor');
}

/**
 * Webhook endpoints: registered per API client (its owner); the owner or an admin changes one,
 * admins and auditors see all. An endpoint another client owns is `not-found` to those who may
 * not see it.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly dispatcher: WebhookDispatcher,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  publicKey(): { publicKey: string; signatureVersion: string } {
    return { publicKey: this.key().published, signatureVersion: 'v1a' };
  }

  async create(client: ApiClient, input: CreateWebhookInput): Promise<WebhookEndpointView> {
    const key = this.key();
    let url: URL;
    try {
      url = checkWebhookUrl(input.url, { allowLoopback: this.config.events.allowLoopback });
    } catch (error) {
      if (error instanceof EventsInputError) throw new ApiError('invalid-argument', error.message);
      throw error;
    }
    const eventTypes: string[] = [];
    for (const type of input.eventTypes ?? []) {
      if (!isPublicEventType(type)) throw new ApiError('invalid-argument', `eventTypes: ${preview(type)} is not an event type`);
      if (eventTypes.includes(type)) throw new ApiError('invalid-argument', `eventTypes: ${type} is named twice`);
      eventTypes.push(type);
    }
    const description = input.description ?? '';
    if (description.length > 256) throw new ApiError('invalid-argument', 'description must be at most 256 characters');
    const id = `wh_${randomBytes(16).toString('base64url')}`;
    const endpoint = await this.webhooks.create({ id, clientId: client.clientId, url: url.toString(), eventTypes, description });
    this.dispatcher.kick();
    return { ...endpointView(endpoint), secret: formatSecret(key.endpointSecret(id)) };
  }

  async get(client: ApiClient, id: string): Promise<WebhookEndpointView> {
    return endpointView(await this.visible(client, id));
  }

  async list(client: ApiClient, size: number, token: string): Promise<{ endpoints: WebhookEndpointView[]; nextPageToken: string }> {
    const limit = pageSize(size);
    let after: string | undefined;
    if (token !== '') {
      const decoded = /^[A-Za-z0-9_-]{1,200}$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
      if (!ID.test(decoded)) throw new ApiError('invalid-argument', 'page_token is not a token this API issued');
      after = decoded;
    }
    const rows = await this.webhooks.list(seesAll(client) ? null : client.clientId, after, limit + 1);
    const page = rows.slice(0, limit);
    return { endpoints: page.map(endpointView), nextPageToken: rows.length > limit ? Buffer.from(page[page.length - 1]!.id).toString('base64url') : '' };
  }

  async delete(client: ApiClient, id: string): Promise<void> {
    await this.changeable(client, id);
    await this.webhooks.delete(id);
  }

  async enable(client: ApiClient, id: string): Promise<WebhookEndpointView> {
    await this.changeable(client, id);
    const endpoint = await this.webhooks.enable(id);
    if (!endpoint) throw new ApiError('not-found', `no webhook endpoint ${id}`);
    this.dispatcher.kick();
    return endpointView(endpoint);
  }

  async deliveries(client: ApiClient, id: string, size: number, token: string): Promise<{ deliveries: WebhookDeliveryView[]; nextPageToken: string }> {
    await this.visible(client, id);
    const limit = pageSize(size);
    const before = token === '' ? undefined : parseSeq(/^[A-Za-z0-9_-]{1,40}$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '', 'page_token');
    const rows = await this.webhooks.deliveries(id, before, limit + 1);
    const page = rows.slice(0, limit);
    return { deliveries: page.map(deliveryView), nextPageToken: rows.length > limit ? Buffer.from(page[page.length - 1]!.seq.toString()).toString('base64url') : '' };
  }

  /** Sends event `seq` to the endpoint again (it was delivered, or given up on, before). */
  async redeliver(client: ApiClient, id: string, seq: bigint): Promise<WebhookDeliveryView> {
    const endpoint = await this.changeable(client, id);
    if (endpoint.disabled) throw new ApiError('invalid-argument', `webhook endpoint ${id} is disabled: enable it first (its failed delivery is then retried)`);
    if (seq > endpoint.deliveredSeq) throw new ApiError('invalid-argument', `event ${seq} is not delivered to this endpoint yet: it is queued in order`);
    const result = await this.webhooks.redeliver(id, seq);
    if (result === undefined) throw new ApiError('not-found', `no event ${seq}`);
    if (result === 'pending') throw new ApiError('already-exists', `event ${seq} is being delivered to this endpoint already`);
    this.dispatcher.kick();
    const [delivery] = await this.webhooks.deliveries(id, seq + 1n, 1);
    return deliveryView(delivery!);
  }

  private key(): NonNullable<GatewayConfig['events']['webhookKey']> {
    const key = this.config.events.webhookKey;
    if (!key) throw new ApiError('unavailable', 'webhooks are not configured on this gateway (GATEWAY_WEBHOOK_SIGNING_KEY)');
    return key;
  }

  private async visible(client: ApiClient, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.webhooks.find(checkEndpointId(id));
    if (!endpoint || (!seesAll(client) && endpoint.clientId !== client.clientId)) throw new ApiError('not-found', `no webhook endpoint ${id}`);
    return endpoint;
  }

  private async changeable(client: ApiClient, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.webhooks.find(checkEndpointId(id));
    if (!endpoint || (!client.roles.includes('admin') && endpoint.clientId !== client.clientId)) {
      if (endpoint && seesAll(client)) throw new ApiError('permission-denied', 'only the endpoint\'s owner or an admin may change it');
      throw new ApiError('not-found', `no webhook endpoint ${id}`);
    }
    return endpoint;
  }
}
