import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { ServiceConfig } from '@custody/config';
import type { ServiceMetrics } from '@custody/observability';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { HealthController } from './health.controller';
import { HealthGrpcController } from './health.grpc.controller';
import { ReadinessService } from './readiness.service';
import { GRPC_SERVICE_NAMES, POSTGRES, REDIS, SERVICE_CONFIG, SERVICE_METRICS } from './tokens';

export interface PlatformResources {
  readonly config: ServiceConfig;
  readonly postgres: DataSource;
  readonly redis: Redis;
  readonly metrics: ServiceMetrics;
  /** Full names of the app's own gRPC services, known to the health service. */
  readonly grpcServiceNames: readonly string[];
}

/**
 * What every service has: its parsed config, its open Postgres and Redis connections (opened and
 * checked before Nest starts), readiness, `/healthz` and the gRPC health service (`/metrics` has a
 * server of its own on METRICS_PORT, started by runService).
 * It closes the connections when the application shuts down.
 */
@Global()
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  constructor(
    @Inject(POSTGRES) private readonly postgres: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  static forRoot(resources: PlatformResources): DynamicModule {
    return {
      module: PlatformModule,
      controllers: [HealthController, HealthGrpcController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: resources.config },
        { provide: POSTGRES, useValue: resources.postgres },
        { provide: REDIS, useValue: resources.redis },
        { provide: SERVICE_METRICS, useValue: resources.metrics },
        { provide: GRPC_SERVICE_NAMES, useValue: resources.grpcServiceNames },
        ReadinessService,
      ],
      exports: [SERVICE_CONFIG, POSTGRES, REDIS, SERVICE_METRICS, ReadinessService],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.postgres.destroy(), this.redis.quit()]);
  }
}
