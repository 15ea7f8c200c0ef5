import { Module } from '@nestjs/common';
import { WalletsModule } from '../wallets/wallets.module';
import { BalancesController } from './balances.controller';
import { BalancesGrpcController } from './balances.grpc.controller';
import { BalancesService } from './balances.service';

/** Balances and deposits: reads of the ledger for a wallet of the gateway. */
@Module({ imports: [WalletsModule], controllers: [BalancesController, BalancesGrpcController], providers: [BalancesService] })
export class BalancesModule {}
