import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import type { LedgerConfig } from './config';
import { LEDGER_CLOCK, LEDGER_CONFIG, LEDGER_POOL, type Clock } from './ledger.tokens';

/** The ledger's own resources: its config, its Postgres pool for the books, and its clock. */
@Global()
@Module({})
export class LedgerResourcesModule implements OnApplicationShutdown {
  constructor(@Inject(LEDGER_POOL) private readonly pool: Pool) {}

  static register(config: LedgerConfig, clock: Clock = Date.now): DynamicModule {
    return {
      module: LedgerResourcesModule,
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        { provide: LEDGER_CLOCK, useValue: clock },
        {
          provide: LEDGER_POOL,
          useFactory: () => {
            const pool = new Pool({ connectionString: config.databaseUrl.toString(), max: config.poolSize, application_name: config.serviceName, connectionTimeoutMillis: config.acquireTimeoutMs });
            // An idle connection that breaks (a database restart) must not crash the process.
            pool.on('error', () => undefined);
            return pool;
          },
        },
      ],
      exports: [LEDGER_CONFIG, LEDGER_CLOCK, LEDGER_POOL],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
