import { Module, type DynamicModule } from '@nestjs/common';

/**
 * The ledger service. For now it carries only the platform (config, Postgres, Redis, health,
 * metrics, gRPC health); its bounded contexts arrive with the issues that build them.
 */
@Module({})
export class LedgerModule {
  static register(platform: DynamicModule): DynamicModule {
    return { module: LedgerModule, imports: [platform] };
  }
}
