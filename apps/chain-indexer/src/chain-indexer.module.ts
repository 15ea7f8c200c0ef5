import { Module, type DynamicModule } from '@nestjs/common';
import type { ChainIndexerConfig } from './config';
import { CHAIN_INDEXER_CONFIG, IndexerService } from './indexer/indexer.service';

/** The chain-indexer service: the platform (config, Postgres, Redis, health, metrics) and the indexer loop of one chain. */
@Module({})
export class ChainIndexerModule {
  static register(platform: DynamicModule, config: ChainIndexerConfig): DynamicModule {
    return { module: ChainIndexerModule, imports: [platform], providers: [{ provide: CHAIN_INDEXER_CONFIG, useValue: config }, IndexerService] };
  }
}
