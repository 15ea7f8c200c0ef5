import { config } from './tracing';
import { runService, SERVICE_VERSION } from '@custody/platform';
import { SignerModule } from './signer.module';

void runService({
  config,
  version: SERVICE_VERSION,
  module: (_config, platform) => SignerModule.register(platform),
});
