import { config } from './tracing';
import { runService, SERVICE_VERSION } from '@custody/platform';
import { protoPath } from '@custody/proto';
import { GatewayModule } from './gateway.module';

void runService({
  config,
  version: SERVICE_VERSION,
  module: (_config, platform) => GatewayModule.register(platform),
  grpcServices: [{ package: 'custody.v1', protoPath: protoPath('custodySystem'), services: ['custody.v1.SystemService'] }],
});
