import { config } from './tracing';
import { runService, SERVICE_VERSION } from '@custody/platform';
import { PolicyEngineModule } from './policy-engine.module';

void runService({
  config,
  version: SERVICE_VERSION,
  module: (_config, platform) => PolicyEngineModule.register(platform),
});
