import { Module, type DynamicModule } from '@nestjs/common';
import { LedgerGrpcController } from './api/ledger.grpc.controller';
import { BooksModule } from './books/books.module';
import type { LedgerConfig } from './config';
import { DepositsModule } from './deposits/deposits.module';
import { DepositReadsGrpcController } from './deposits/deposit-reads.grpc.controller';
import { DepositReadsRepository } from './deposits/deposit-reads.repository';
import { HoldsModule } from './holds/holds.module';
import { LedgerResourcesModule } from './ledger-resources.module';
import { WithdrawalsModule } from './withdrawals/withdrawals.module';

/**
 * The ledger service: the books (assets, accounts, journal, balances, outbox, idempotency), holds,
 * deposits and withdrawals, one module each, and the internal gRPC API over them.
 */
@Module({})
export class LedgerModule {
  static register(platform: DynamicModule, config: LedgerConfig): DynamicModule {
    return {
      module: LedgerModule,
      imports: [platform, LedgerResourcesModule.register(config), BooksModule, HoldsModule, DepositsModule, WithdrawalsModule],
      controllers: [LedgerGrpcController, DepositReadsGrpcController],
      providers: [DepositReadsRepository],
    };
  }
}
