import { Module, type DynamicModule } from '@nestjs/common';

/**
 * The policy-engine service. For now it carries only the platform (config, Postgres, Redis, health,
 * metrics, gRPC health); its bounded contexts arrive with the issues that build them.
 */
@Module({})
export class PolicyEngineModule {
  static register(platform: DynamicModule): DynamicModule {
    return { module: PolicyEngineModule, imports: [platform] };
  }
}
