import { Module } from '@nestjs/common';
import { EvaluationModule } from '../evaluation/evaluation.module';
import { RequestsRepository } from '../evaluation/requests.repository';
import { GovernanceModule } from '../governance/governance.module';
import { ProposalsGrpcController, ProposalsListRepository } from '../governance/proposals.grpc.controller';
import { ApprovalsGrpcController } from './approvals.grpc.controller';
import { ApprovalsRepository } from './approvals.repository';
import { ApprovalsService } from './approvals.service';

/** The approvers' view of requests (pending lists, approval state, decisions with reasons) and the list of proposals. */
@Module({
  imports: [EvaluationModule, GovernanceModule],
  controllers: [ApprovalsGrpcController, ProposalsGrpcController],
  providers: [ApprovalsRepository, RequestsRepository, ApprovalsService, ProposalsListRepository],
})
export class ApprovalsModule {}
