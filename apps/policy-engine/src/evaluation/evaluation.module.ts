import { Module } from '@nestjs/common';
import { AddressBookRepository } from '../address-book/address-book.repository';
import { GovernanceModule } from '../governance/governance.module';
import { EvaluationService } from './evaluation.service';
import { HookClient } from './hook.client';
import { PolicyChangeRules } from './policy-change.service';
import { ReplayService } from './replay.service';
import { RequestsRepository } from './requests.repository';

/** Evaluation: requests, velocity reservations, approvals, grants, the external hook, replay. */
@Module({
  imports: [GovernanceModule],
  providers: [RequestsRepository, AddressBookRepository, HookClient, EvaluationService, ReplayService, PolicyChangeRules],
  exports: [EvaluationService, ReplayService, AddressBookRepository],
})
export class EvaluationModule {}
