import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import Redis from 'ioredis';
import type { GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';
import { bullPrefix, MESSAGE_SIGNING_ATTEMPTS, MESSAGE_SIGNING_QUEUE, messageSigningBackoffMs, messageSigningJobId, type MessageSigningJob } from '@custody/messaging';

/**
 * The BullMQ queue of messages waiting for approvals (Redis, under GATEWAY_REDIS_PREFIX). The queue
 * carries intent only: the message's state is in Postgres, and the start-up re-drives it from there.
 */
@Injectable()
export class MessageSigningQueue implements OnApplicationShutdown {
  private readonly logger = new Logger('MessageSigningQueue');
  private queue: Queue<MessageSigningJob> | undefined;
  private worker: Worker<MessageSigningJob> | undefined;
  private readonly connections: Redis[] = [];

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  private connection(): Redis {
    const redis = new Redis(this.config.redisUrl.toString(), { maxRetriesPerRequest: null, connectionName: 'gateway-bullmq' });
    redis.on('error', () => undefined);
    this.connections.push(redis);
    return redis;
  }

  private get jobs(): Queue<MessageSigningJob> {
    this.queue ??= new Queue<MessageSigningJob>(MESSAGE_SIGNING_QUEUE, { connection: this.connection(), prefix: bullPrefix(this.config.redisPrefix) });
    return this.queue;
  }

  /** Adds the message's job unless it is queued already (its id is the message's). */
  async enqueue(messageId: string): Promise<void> {
    await this.jobs.add(
      'step',
      { messageId },
      { jobId: messageSigningJobId(messageId), attempts: MESSAGE_SIGNING_ATTEMPTS, backoff: { type: 'custom' }, removeOnComplete: true, removeOnFail: 1000 },
    );
  }

  /** Runs `step` for each job; a job whose message still waits is retried with backoff. */
  start(step: (messageId: string) => Promise<'done' | 'waiting'>): void {
    this.worker = new Worker<MessageSigningJob>(
      MESSAGE_SIGNING_QUEUE,
      async (job: Job<MessageSigningJob>) => {
        if ((await step(job.data.messageId)) === 'waiting') throw new Error('still waiting for approvals');
      },
      { connection: this.connection(), prefix: bullPrefix(this.config.redisPrefix), concurrency: 4, settings: { backoffStrategy: (attemptsMade: number) => messageSigningBackoffMs(attemptsMade) } },
    );
    this.worker.on('error', (error) => this.logger.warn({ err: { message: error.message.slice(0, 300) } }, 'queue worker error'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    for (const c of this.connections) c.disconnect();
  }
}
