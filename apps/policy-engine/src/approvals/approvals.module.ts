import { Module } from '@nestjs/common';
import { EvaluationModule } from '../evaluation/evaluation.module';
import { RequestsRepository } from '../evaluation/requests.repository';
import { ApprovalsGrpcController } from './approvals.grpc.controller';
import { ApprovalsRepository } from './approvals.repository';
import { ApprovalsService } from './approvals.service';

/** The approvers' view of requests (pending lists, approval state, decisions with reasons). */
@Module({
  imports: [EvaluationModule],
  controllers: [ApprovalsGrpcController],
  providers: [ApprovalsRepository, RequestsRepository, ApprovalsService],
})
export class ApprovalsModule {}
