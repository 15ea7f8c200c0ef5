import { config } from './tracing';
import { runService, SERVICE_VERSION } from '@custody/platform';
import { LedgerModule } from './ledger.module';

void runService({
  config,
  version: SERVICE_VERSION,
  module: (_config, platform) => LedgerModule.register(platform),
});
