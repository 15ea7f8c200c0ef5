import { config } from './tracing';
import { runService, SERVICE_VERSION } from '@custody/platform';
import { ChainIndexerModule } from './chain-indexer.module';

void runService({
  config,
  version: SERVICE_VERSION,
  module: (indexerConfig, platform) => ChainIndexerModule.register(platform, indexerConfig),
});
