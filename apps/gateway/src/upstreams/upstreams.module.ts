import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';
import { ChainIndexerClients } from './chain-indexer.client';
import { LedgerReader } from './ledger.client';
import { PolicyEngineClient } from './policy-engine.client';
import { SignerPool } from './signer-pool';

/** The gateway's clients of the services behind it: signers, policy engine, ledger, chain indexers. */
@Global()
@Module({
  providers: [
    { provide: SignerPool, inject: [GATEWAY_CONFIG], useFactory: (config: GatewayConfig) => new SignerPool(config.upstreams) },
    { provide: PolicyEngineClient, inject: [GATEWAY_CONFIG], useFactory: (config: GatewayConfig) => new PolicyEngineClient(config.upstreams.policyEngine) },
    { provide: LedgerReader, inject: [GATEWAY_CONFIG], useFactory: (config: GatewayConfig) => new LedgerReader(config.upstreams.ledger) },
    { provide: ChainIndexerClients, inject: [GATEWAY_CONFIG], useFactory: (config: GatewayConfig) => new ChainIndexerClients(config.upstreams.chainIndexers) },
  ],
  exports: [SignerPool, PolicyEngineClient, LedgerReader, ChainIndexerClients],
})
export class UpstreamsModule implements OnApplicationShutdown {
  constructor(
    @Inject(SignerPool) private readonly signers: SignerPool,
    @Inject(PolicyEngineClient) private readonly policy: PolicyEngineClient,
    @Inject(LedgerReader) private readonly ledger: LedgerReader,
    @Inject(ChainIndexerClients) private readonly indexers: ChainIndexerClients,
  ) {}

  onApplicationShutdown(): void {
    this.signers.close();
    this.policy.close();
    this.ledger.close();
    this.indexers.close();
  }
}
