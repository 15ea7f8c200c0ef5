import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import Redis from 'ioredis';
import { bullPrefix, WITHDRAWAL_QUEUE, withdrawalJobId, type WithdrawalJob, type WithdrawalStep } from '@custody/messaging';
import type { GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';

/** Retries of a step that failed transiently (a service away, a node timing out): 0.5 s, 1 s, 2 s … */
export const STEP_ATTEMPTS = 12;
export const STEP_BACKOFF_MS = 500;

/** What a job handler answers: done (the row moved on, or the job was stale), or poll again after `waitMs`. */
export type JobAnswer = { readonly waitMs?: number };

/**
 * The withdrawal pipeline's BullMQ queue (Redis, under GATEWAY_REDIS_PREFIX). Jobs carry only
 * (withdrawal, version); their ids are derived from both (libs/messaging), so the same intent is
 * queued once however often it is enqueued.
 */
@Injectable()
export class WithdrawalQueue implements OnApplicationShutdown {
  private readonly logger = new Logger('WithdrawalQueue');
  private queue: Queue<WithdrawalJob> | undefined;
  private worker: Worker<WithdrawalJob> | undefined;
  private readonly connections: Redis[] = [];

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  private connection(): Redis {
    const redis = new Redis(this.config.redisUrl.toString(), { maxRetriesPerRequest: null, connectionName: 'gateway-withdrawals' });
    redis.on('error', () => undefined);
    this.connections.push(redis);
    return redis;
  }

  private get jobs(): Queue<WithdrawalJob> {
    this.queue ??= new Queue<WithdrawalJob>(WITHDRAWAL_QUEUE, { connection: this.connection(), prefix: bullPrefix(this.config.redisPrefix) });
    return this.queue;
  }

  async enqueue(step: WithdrawalStep, withdrawalId: string, version: number): Promise<void> {
    await this.jobs.add(step, { withdrawalId, version }, { jobId: withdrawalJobId(step, withdrawalId, version), attempts: STEP_ATTEMPTS, backoff: { type: 'exponential', delay: STEP_BACKOFF_MS }, removeOnComplete: true, removeOnFail: true });
  }

  /** Runs `handle` for each job; a `waitMs` answer puts the same job back, delayed (the poll count doubles the wait up to 8×). */
  start(handle: (step: WithdrawalStep, job: WithdrawalJob, lastAttempt: boolean) => Promise<JobAnswer>, concurrency: number): void {
    this.worker = new Worker<WithdrawalJob>(
      WITHDRAWAL_QUEUE,
      async (job: Job<WithdrawalJob>, token?: string) => {
        const answer = await handle(job.name as WithdrawalStep, job.data, job.attemptsMade + 1 >= STEP_ATTEMPTS);
        if (answer.waitMs !== undefined) {
          const polls = ((job.data as WithdrawalJob & { polls?: number }).polls ?? 0) + 1;
          await job.updateData({ ...job.data, polls } as WithdrawalJob);
          await job.moveToDelayed(Date.now() + answer.waitMs * Math.min(8, 2 ** Math.floor(polls / 4)), token);
          throw new DelayedError();
        }
      },
      { connection: this.connection(), prefix: bullPrefix(this.config.redisPrefix), concurrency, lockDuration: 15_000, stalledInterval: 5_000, maxStalledCount: 10 },
    );
    this.worker.on('error', (error) => this.logger.warn({ err: { message: error.message.slice(0, 300) } }, 'withdrawal worker error'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    for (const c of this.connections) c.disconnect();
  }
}
