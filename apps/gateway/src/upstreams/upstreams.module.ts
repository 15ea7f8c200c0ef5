import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';
import { LedgerReader } from './ledger.client';
import { PolicyEngineClient } from './policy-engine.client';
import { SignerPool } from './signer-pool';

/** The gateway's clients of the services behind it: signers, policy engine, ledger (one each). */
@Global()
@Module({
  providers: [
    { provide: SignerPool, inject: [GATEWAY_CONFIG], useFactory: (config: GatewayConfig) => new SignerPool(config.upstreams) },
    { provide: PolicyEngineClient, inject: [GATEWAY_CONFIG], useFactory: (config: GatewayConfig) => new PolicyEngineClient(config.upstreams.policyEngine) },
    { provide: LedgerReader, inject: [GATEWAY_CONFIG], useFactory: (config: GatewayConfig) => new LedgerReader(config.upstreams.ledger) },
  ],
  exports: [SignerPool, PolicyEngineClient, LedgerReader],
})
export class UpstreamsModule implements OnApplicationShutdown {
  constructor(
    @Inject(SignerPool) private readonly signers: SignerPool,
    @Inject(PolicyEngineClient) private readonly policy: PolicyEngineClient,
    @Inject(LedgerReader) private readonly ledger: LedgerReader,
  ) {}

  onApplicationShutdown(): void {
    this.signers.close();
    this.policy.close();
    this.ledger.close();
  }
}
