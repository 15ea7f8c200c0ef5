import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { afterFailure, parseRetryAfter } from '@custody/events-core';
import { Queue, Worker, type Job } from 'bullmq';
import Redis from 'ioredis';
import type { GatewayConfig } from '../config';
import { EventsRepository, type StoredEvent } from '../events/events.repository';
import { EventsService } from '../events/events.service';
import { GATEWAY_CONFIG } from '../tokens';
import { sendWebhook } from './webhook-sender';
import { WebhooksRepository, type AttemptOutcome } from './webhooks.repository';

/** A BullMQ job: attempt `attempt` of delivering event `seq` to endpoint `endpointId`. */
export interface WebhookJob {
  readonly endpointId: string;
  readonly seq: string;
  readonly attempt: number;
}

export const WEBHOOK_QUEUE = 'webhooks';

/** The job id: one per (endpoint, event, attempt), so re-driving an attempt never duplicates it. */
export function webhookJobId(job: WebhookJob): string {
  return `${job.endpointId}.${job.seq}.${job.attempt}`;
}

/** The payload (Standard Webhooks: `type`, `timestamp`, `data`; and the stream's `seq` and `resource`). */
export function webhookBody(event: StoredEvent): Buffer {
  return Buffer.from(JSON.stringify({ type: event.type, timestamp: event.occurredAt.toISOString(), seq: event.seq.toString(), resource: event.resource, data: event.data }), 'utf8');
}

/** The `webhook-id` of an event: the same on every attempt and redelivery (receivers deduplicate on it). */
export function webhookId(seq: bigint): string {
  return `evt_${seq}`;
}

/**
 * Webhook delivery. Postgres holds the truth (which delivery is due, which attempt is next);
 * BullMQ carries the intent (a delayed job per attempt, deterministic ids). A scan opens the next
 * delivery of every endpoint (one at a time per endpoint: in order of `seq`) and enqueues every due
 * attempt it finds, so jobs lost with Redis or a crash are driven again from Postgres. An attempt
 * is claimed in Postgres before it is sent (a repeated job does nothing), recorded with its
 * status, duration and response code, and followed by the next attempt after exponential backoff,
 * or by giving up (the endpoint is then disabled).
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebhookDispatcher');
  private queue: Queue<WebhookJob> | undefined;
  private worker: Worker<WebhookJob> | undefined;
  private connections: Redis[] = [];
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly events: EventsRepository,
    private readonly stream: EventsService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** How long a claimed attempt (and its BullMQ job lock) lasts: the attempt's timeout and 5 s. */
  private get leaseMs(): number {
    return this.config.events.webhookTimeoutMs + 5000;
  }

  get enabled(): boolean {
    return this.config.events.webhookKey !== undefined;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    const connection = (): Redis => {
      const redis = new Redis(this.config.redisUrl.toString(), { maxRetriesPerRequest: null, connectionName: 'gateway-webhooks' });
      redis.on('error', () => undefined);
      this.connections.push(redis);
      return redis;
    };
    const prefix = `${this.config.redisPrefix}bull`;
    this.queue = new Queue<WebhookJob>(WEBHOOK_QUEUE, { connection: connection(), prefix });
    this.queue.on('error', () => undefined);
    this.worker = new Worker<WebhookJob>(WEBHOOK_QUEUE, (job: Job<WebhookJob>) => this.attempt(job.data), {
      connection: connection(),
      prefix,
      concurrency: this.config.events.webhookConcurrency,
      // A job a killed gateway held is handed out again after this (not BullMQ's default 30 s);
      // the claim in Postgres makes a second run of one attempt do nothing.
      lockDuration: this.leaseMs,
      stalledInterval: this.leaseMs,
    });
    this.worker.on('error', (error) => this.logger.warn(`worker: ${error.message}`));
    this.worker.on('failed', (job, error) => this.logger.warn(`attempt ${job ? webhookJobId(job.data) : '?'} failed before its outcome was recorded (due again after its lease): ${error.message}`));
    this.stream.onNotify(() => this.kick());
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.scanning?.catch(() => undefined);
    await Promise.allSettled([this.worker?.close(), this.queue?.close()]);
    for (const redis of this.connections) redis.disconnect();
  }

  /** Scan now (events arrived, a delivery finished, an endpoint changed). */
  kick(): void {
    if (!this.enabled || this.stopped) return;
    if (this.scanning) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.scanning = this.scan()
        .catch((error: unknown) => this.logger.warn(`scan: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          this.scanning = undefined;
          if (this.stopped) return;
          const again = this.again;
          this.again = false;
          this.schedule(again ? 0 : this.config.events.webhookScanMs);
        });
    }, ms);
  }

  /** Opens the next delivery of each endpoint and enqueues every attempt that is due. */
  async scan(): Promise<void> {
    await this.webhooks.openHeads();
    const due = await this.webhooks.due(0, 1000);
    if (due.length === 0) return;
    await this.queue!.addBulk(
      due.map((d) => {
        const data: WebhookJob = { endpointId: d.endpointId, seq: d.seq.toString(), attempt: d.nextAttempt };
        return { name: 'deliver', data, opts: { jobId: webhookJobId(data), delay: d.delayMs, removeOnComplete: true, removeOnFail: true } };
      }),
    );
  }

  /** One attempt (the BullMQ processor). */
  async attempt(job: WebhookJob): Promise<void> {
    const seq = BigInt(job.seq);
    const claimed = await this.webhooks.claim(job.endpointId, seq, job.attempt, this.leaseMs);
    if (!claimed) return;
    const event = await this.events.one(seq);
    if (!event) throw new Error(`event ${seq} of a delivery is missing`);
    const body = webhookBody(event);
    const id = webhookId(seq);
    const timestamp = Math.floor(Date.now() / 1000);
    const key = this.config.events.webhookKey!;
    const startedAt = new Date();
    const result = await sendWebhook(
      new URL(claimed.url),
      body,
      {
        'content-type': 'application/json',
        'user-agent': 'custody-webhooks/1',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': key.signatureHeader(job.endpointId, id, timestamp, body),
      },
      this.config.events.webhookTimeoutMs,
      { allowLoopback: this.config.events.allowLoopback },
    );
    const succeeded = result.status !== null && result.status >= 200 && result.status < 300;
    let outcome: AttemptOutcome;
    if (succeeded) outcome = { kind: 'succeeded' };
    else {
      const now = claimed.now.getTime() + result.durationMs;
      const next = afterFailure(this.config.events.retry, {
        attempts: job.attempt,
        firstAttemptAt: claimed.firstAttemptAt.getTime(),
        now,
        ...(result.status !== null ? { status: result.status } : {}),
        ...(parseRetryAfter(result.retryAfter, now) !== undefined ? { retryAfterMs: parseRetryAfter(result.retryAfter, now)! } : {}),
        jitter: randomBytes(4).readUInt32BE(0) / 2 ** 32,
      });
      outcome = next.kind === 'retry' ? { kind: 'retry', delayMs: next.delayMs } : { kind: 'give-up', reason: next.reason };
    }
    await this.webhooks.record(job.endpointId, seq, { attempt: job.attempt, startedAt, durationMs: result.durationMs, status: result.status, error: result.error }, outcome);
    if (outcome.kind === 'retry') {
      const data: WebhookJob = { endpointId: job.endpointId, seq: job.seq, attempt: job.attempt + 1 };
      await this.queue!.add('deliver', data, { jobId: webhookJobId(data), delay: outcome.delayMs, removeOnComplete: true, removeOnFail: true });
    } else {
      if (outcome.kind === 'give-up') this.logger.warn(`webhook endpoint ${job.endpointId} disabled: ${outcome.reason}`);
      this.kick();
    }
  }
}
