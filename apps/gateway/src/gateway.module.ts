import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { notImplementedControllers } from './api/not-implemented.controller';
import { ApiClientRepository } from './auth/api-client.repository';
import { AuditCheckpointService } from './audit/audit-checkpoint.service';
import { AuthGuard } from './auth/auth.guard';
import { BootstrapAdmin } from './auth/bootstrap';
import { NonceStore } from './auth/nonce-store';
import { ClientsController } from './clients/clients.controller';
import { ClientsGrpcController } from './clients/clients.grpc.controller';
import { ClientsService } from './clients/clients.service';
import type { GatewayConfig } from './config';
import { ErrorFilter } from './errors/error.filter';
import { EventsModule } from './events/events.module';
import { BodyMiddleware } from './http/body.middleware';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyRepository } from './idempotency/idempotency.repository';
import { POLICY_API_CONTROLLERS, POLICY_API_PROVIDERS } from './policy-api';
import { RateLimiter } from './rate-limit/rate-limiter';
import { SystemModule } from './system/system.module';
import { GATEWAY_CONFIG } from './tokens';
import { UpstreamsModule } from './upstreams/upstreams.module';
import { WalletsModule } from './wallets/wallets.module';
import { BalancesModule } from './balances/balances.module';
import { MessagesModule } from './messages/messages.module';
import { WithdrawalsModule } from './withdrawals/withdrawals.module';

/**
 * The public gateway: REST and gRPC (`custody.v1`). One guard authenticates, rate-limits and
 * checks roles on both transports; one interceptor makes writes idempotent; one filter renders
 * every error. Its API grows with the issues that follow.
 */
@Module({})
export class GatewayModule implements NestModule {
  static register(config: GatewayConfig, platform: DynamicModule): DynamicModule {
    return {
      module: GatewayModule,
      global: true,
      imports: [platform, SystemModule, EventsModule, UpstreamsModule, WalletsModule, BalancesModule, MessagesModule, WithdrawalsModule.register(config)],
      controllers: [ClientsController, ClientsGrpcController, ...POLICY_API_CONTROLLERS, ...notImplementedControllers()],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        ApiClientRepository,
        NonceStore,
        RateLimiter,
        IdempotencyRepository,
        ClientsService,
        BootstrapAdmin,
        AuditCheckpointService,
        ...POLICY_API_PROVIDERS,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
      exports: [GATEWAY_CONFIG, ApiClientRepository, AuditCheckpointService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(BodyMiddleware).forRoutes('*');
  }
}
