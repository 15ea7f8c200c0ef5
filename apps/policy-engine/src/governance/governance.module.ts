import { Module, type OnModuleInit } from '@nestjs/common';
import { CompiledPolicies } from './compiled-policies.service';
import { GovernanceRepository } from './governance.repository';
import { GovernanceService } from './governance.service';

/** Governance: bootstrap, policy versions (immutable), proposals and the admin quorum. */
@Module({
  providers: [GovernanceRepository, GovernanceService, CompiledPolicies],
  exports: [GovernanceRepository, GovernanceService, CompiledPolicies],
})
export class GovernanceModule implements OnModuleInit {
  constructor(private readonly governance: GovernanceService) {}

  async onModuleInit(): Promise<void> {
    await this.governance.bootstrapIfNeeded();
  }
}
