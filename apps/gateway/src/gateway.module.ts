import { Module, type DynamicModule } from '@nestjs/common';
import { SystemModule } from './system/system.module';

/** The public gateway: REST and gRPC (`custody.v1`). Its API grows with the issues that follow. */
@Module({})
export class GatewayModule {
  static register(platform: DynamicModule): DynamicModule {
    return { module: GatewayModule, imports: [platform, SystemModule] };
  }
}
