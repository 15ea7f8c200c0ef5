import { config } from './tracing';
import { runService, SERVICE_VERSION } from '@custody/platform';
import { protoPath } from '@custody/proto';
import { refuseUndecodable } from './api/request-decoding';
import { PolicyEngineModule } from './policy-engine.module';
import { policyStartupChecks } from './storage/startup-checks';

void runService({
  config,
  version: SERVICE_VERSION,
  module: (engineConfig, platform) => PolicyEngineModule.register(platform, engineConfig),
  startupChecks: policyStartupChecks,
  grpcServer: {
    maxReceiveMessageLength: 4 * 1024 * 1024,
    onLoadPackageDefinition: (definition) => refuseUndecodable(definition, 'custody.policy.v1.PolicyService'),
  },
  grpcServices: [{ package: 'custody.policy.v1', protoPath: protoPath('custodyPolicy'), services: ['custody.policy.v1.PolicyService'] }],
});
