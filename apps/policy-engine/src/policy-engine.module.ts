import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AddressBookModule } from './address-book/address-book.module';
import { PolicyGrpcController } from './api/policy.grpc.controller';
import { ApprovalsModule } from './approvals/approvals.module';
import type { PolicyEngineConfig } from './config';
import { EvaluationModule } from './evaluation/evaluation.module';
import { GovernanceModule } from './governance/governance.module';
import { POLICY_ENGINE_CONFIG } from './tokens';

@Global()
@Module({})
class PolicyEngineConfigModule {
  static register(config: PolicyEngineConfig): DynamicModule {
    return { module: PolicyEngineConfigModule, providers: [{ provide: POLICY_ENGINE_CONFIG, useValue: config }], exports: [POLICY_ENGINE_CONFIG] };
  }
}

/**
 * The policy-engine service: governance (bootstrap, versions, proposals), evaluation (requests,
 * velocity, approvals, grants, hook, replay) and the address book, behind custody.policy.v1.
 */
@Module({})
export class PolicyEngineModule {
  static register(platform: DynamicModule, config: PolicyEngineConfig): DynamicModule {
    return {
      module: PolicyEngineModule,
      imports: [platform, PolicyEngineConfigModule.register(config), GovernanceModule, EvaluationModule, AddressBookModule, ApprovalsModule],
      controllers: [PolicyGrpcController],
    };
  }
}
