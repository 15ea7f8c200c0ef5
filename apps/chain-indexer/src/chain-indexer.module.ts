import { Module, type DynamicModule } from '@nestjs/common';

/**
 * The chain-indexer service. For now it carries only the platform (config, Postgres, Redis, health,
 * metrics, gRPC health); its bounded contexts arrive with the issues that build them.
 */
@Module({})
export class ChainIndexerModule {
  static register(platform: DynamicModule): DynamicModule {
    return { module: ChainIndexerModule, imports: [platform] };
  }
}
