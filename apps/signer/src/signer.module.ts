import { Module, type DynamicModule } from '@nestjs/common';

/**
 * The signer service. For now it carries only the platform (config, Postgres, Redis, health,
 * metrics, gRPC health); its bounded contexts arrive with the issues that build them.
 */
@Module({})
export class SignerModule {
  static register(platform: DynamicModule): DynamicModule {
    return { module: SignerModule, imports: [platform] };
  }
}
