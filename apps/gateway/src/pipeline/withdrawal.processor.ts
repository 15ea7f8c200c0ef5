import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { WithdrawalJob, WithdrawalStep } from '@custody/messaging';
import type { GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';
import type { Withdrawal } from '../withdrawals/withdrawal';
import { WithdrawalRepository } from '../withdrawals/withdrawal.repository';
import { stepFor, WithdrawalPipeline } from './withdrawal-pipeline.service';
import { WithdrawalQueue, type JobAnswer } from './withdrawal.queue';

/**
 * Thin: runs the pipeline's step for each job, enqueues the next step when the row moved on, and
 * re-drives every open withdrawal from Postgres at start-up and every PIPELINE_REDRIVE_MS (so a crash
 * between a commit and its enqueue, a lost Redis, or a job that ran out of retries loses nothing), and
 * every PIPELINE_SWEEP_MS creates the deposit sweeps due.
 */
@Injectable()
export class WithdrawalProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WithdrawalProcessor');
  private timer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private redriving = false;
  private sweeping = false;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly queue: WithdrawalQueue,
    private readonly pipeline: WithdrawalPipeline,
    private readonly repository: WithdrawalRepository,
  ) {}

  /** Enqueues the step `w` now needs (none for a settled or released one). */
  async advance(w: Withdrawal): Promise<void> {
    const step = stepFor(w);
    if (step) await this.queue.enqueue(step, w.id, w.version);
  }

  private async handle(step: WithdrawalStep, job: WithdrawalJob, lastAttempt: boolean): Promise<JobAnswer> {
    const w = await this.repository.find(job.withdrawalId);
    if (!w || w.version !== job.version || stepFor(w) !== step) return {};
    try {
      const outcome = await this.pipeline.run(step, w);
      if ('waitMs' in outcome) return { waitMs: outcome.waitMs };
      if ('next' in outcome) await this.advance(outcome.next);
      return {};
    } catch (error) {
      this.logger.warn({ withdrawal: w.id, step, err: { message: (error as Error).message.slice(0, 300) } }, lastAttempt ? 'step failed; the re-drive will try again' : 'step failed; retrying');
      throw error;
    }
  }

  private async redrive(): Promise<void> {
    if (this.redriving) return;
    this.redriving = true;
    try {
      for (const w of await this.repository.open(1000)) await this.advance(w);
      for (const w of await this.pipeline.reopenUnconfirmed()) await this.advance(w);
    } catch (error) {
      this.logger.warn({ err: { message: (error as Error).message.slice(0, 300) } }, 're-drive failed');
    } finally {
      this.redriving = false;
    }
  }

  /** Creates the sweeps due (deposit addresses → their wallet's sending address) and enqueues them. */
  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      for (const w of await this.pipeline.createSweeps()) await this.advance(w);
    } catch (error) {
      this.logger.warn({ err: { message: (error as Error).message.slice(0, 300) } }, 'sweep failed; trying again at the next interval');
    } finally {
      this.sweeping = false;
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    const pipeline = this.config.pipeline;
    if (!pipeline?.workers) return;
    this.queue.start((step, job, last) => this.handle(step, job, last), pipeline.concurrency);
    await this.redrive();
    this.timer = setInterval(() => void this.redrive(), pipeline.redriveMs);
    this.timer.unref();
    if (pipeline.sweepMs > 0) {
      this.sweepTimer = setInterval(() => void this.sweep(), pipeline.sweepMs);
      this.sweepTimer.unref();
    }
    this.logger.log('withdrawal pipeline worker started');
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }
}
