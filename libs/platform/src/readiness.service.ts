import { Inject, Injectable } from '@nestjs/common';
import type { ServiceMetrics } from '@custody/observability';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { POSTGRES, REDIS, SERVICE_METRICS } from './tokens';

export type DependencyStatus = 'ok' | 'unavailable';

export interface Readiness {
  readonly ready: boolean;
  readonly checks: { readonly postgres: DependencyStatus; readonly redis: DependencyStatus };
}

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Really asks Postgres and Redis, each bounded in time; /healthz and the gRPC Health service use it. */
@Injectable()
export class ReadinessService {
  constructor(
    @Inject(POSTGRES) private readonly postgres: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_METRICS) private readonly metrics: ServiceMetrics,
  ) {}

  async check(): Promise<Readiness> {
    const [postgres, redis] = await Promise.all([
      this.probe('postgres', () => this.postgres.query('SELECT 1')),
      this.probe('redis', () => this.redis.ping()),
    ]);
    const ready = postgres === 'ok' && redis === 'ok';
    this.metrics.up.set(ready ? 1 : 0);
    return { ready, checks: { postgres, redis } };
  }

  private async probe(dependency: string, work: () => Promise<unknown>): Promise<DependencyStatus> {
    try {
      await withTimeout(work());
      this.metrics.readinessChecks.inc({ dependency, outcome: 'ok' });
      return 'ok';
    } catch {
      this.metrics.readinessChecks.inc({ dependency, outcome: 'unavailable' });
      return 'unavailable';
    }
  }
}
