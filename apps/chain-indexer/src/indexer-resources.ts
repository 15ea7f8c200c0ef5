import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import type { ChainIndexerConfig } from './config';
import { LedgerClient } from './ledger/ledger.client';
import { IndexerRepository } from './store/indexer.repository';

export const CHAIN_INDEXER_CONFIG = Symbol('CHAIN_INDEXER_CONFIG');

/** What the indexer loop and the API share: the Postgres pool, the repository over it, the ledger client (closed by IndexerService once its loop stopped). */
@Injectable()
export class IndexerResources {
  readonly pool: Pool;
  readonly repository: IndexerRepository;
  readonly ledger: LedgerClient;

  constructor(@Inject(CHAIN_INDEXER_CONFIG) readonly config: ChainIndexerConfig) {
    this.pool = new Pool({ connectionString: config.databaseUrl.toString(), max: 6, application_name: config.serviceName });
    this.pool.on('error', () => undefined);
    this.repository = new IndexerRepository(this.pool);
    this.ledger = new LedgerClient(config.ledgerAddress);
  }

  async close(): Promise<void> {
    this.ledger.close();
    await this.pool.end();
  }
}
