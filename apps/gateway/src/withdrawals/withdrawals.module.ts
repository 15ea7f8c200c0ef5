import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { GatewayConfig } from '../config';
import { WithdrawalPipeline } from '../pipeline/withdrawal-pipeline.service';
import { WithdrawalProcessor } from '../pipeline/withdrawal.processor';
import { WithdrawalQueue } from '../pipeline/withdrawal.queue';
import { WithdrawalRepository } from './withdrawal.repository';
import { WithdrawalsController } from './withdrawals.controller';
import { WithdrawalsGrpcController } from './withdrawals.grpc.controller';
import { WithdrawalsService } from './withdrawals.service';

/**
 * Withdrawals: the API (create, get, list, cancel) and, when PIPELINE_CHAINS is set, the pipeline
 * that carries each one through hold, policy, approvals, signing, broadcast, confirmation and
 * settlement on BullMQ (its workers run in this process unless PIPELINE_WORKERS=off).
 */
@Module({})
export class WithdrawalsModule {
  static register(config: GatewayConfig): DynamicModule {
    const pipeline: Provider[] = config.pipeline ? [WithdrawalQueue, WithdrawalPipeline, WithdrawalProcessor] : [];
    return {
      module: WithdrawalsModule,
      controllers: [WithdrawalsController, WithdrawalsGrpcController],
      providers: [WithdrawalRepository, WithdrawalsService, ...pipeline],
    };
  }
}
