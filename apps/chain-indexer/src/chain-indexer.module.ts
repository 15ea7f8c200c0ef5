import { Module, type DynamicModule } from '@nestjs/common';
import { ChainApiService } from './api/chain-api.service';
import { ChainIndexerGrpcController } from './api/chain-indexer.grpc.controller';
import type { ChainIndexerConfig } from './config';
import { CHAIN_INDEXER_CONFIG, IndexerResources } from './indexer-resources';
import { IndexerService } from './indexer/indexer.service';

/**
 * The chain-indexer service: the platform (config, Postgres, Redis, health, metrics), the indexer loop
 * of one chain, and custody.chain.v1.ChainIndexerService (watched addresses, tokens, withdrawal tracking).
 */
@Module({})
export class ChainIndexerModule {
  static register(platform: DynamicModule, config: ChainIndexerConfig): DynamicModule {
    return {
      module: ChainIndexerModule,
      imports: [platform],
      controllers: [ChainIndexerGrpcController],
      providers: [{ provide: CHAIN_INDEXER_CONFIG, useValue: config }, IndexerResources, IndexerService, ChainApiService],
    };
  }
}
