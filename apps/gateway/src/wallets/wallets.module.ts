import { Module } from '@nestjs/common';
import { WalletsController } from './wallets.controller';
import { WalletsGrpcController } from './wallets.grpc.controller';
import { WalletsRepository } from './wallets.repository';
import { WalletsService } from './wallets.service';

/** Wallets and their deposit addresses; other contexts use the service (`wallet()`). */
@Module({ controllers: [WalletsController, WalletsGrpcController], providers: [WalletsRepository, WalletsService], exports: [WalletsService] })
export class WalletsModule {}
