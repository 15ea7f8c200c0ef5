import { config } from './tracing';
import { runService, SERVICE_VERSION } from '@custody/platform';
import { protoPath } from '@custody/proto';
import { ChainIndexerModule } from './chain-indexer.module';

void runService({
  config,
  version: SERVICE_VERSION,
  module: (indexerConfig, platform) => ChainIndexerModule.register(platform, indexerConfig),
  grpcServices: [{ package: 'custody.chain.v1', protoPath: protoPath('chainIndexer'), services: ['custody.chain.v1.ChainIndexerService'] }],
});
