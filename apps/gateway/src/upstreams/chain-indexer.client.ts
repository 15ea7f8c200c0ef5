import { GrpcUpstream } from './grpc-upstream';

/** The gateway's client of each chain's indexer (custody.chain.v1.ChainIndexerService, GATEWAY_CHAIN_INDEXERS). */
export class ChainIndexerClients {
  private readonly upstreams = new Map<string, GrpcUpstream>();

  constructor(private readonly addresses: ReadonlyMap<string, string>) {}

  /** Whether deposit addresses of `chain` are watched (an indexer is configured for it). */
  watches(chain: string): boolean {
    return this.addresses.has(chain);
  }

  /** Watches a deposit address of a wallet (idempotent at the indexer). */
  async watchAddress(chain: string, address: string, wallet: string): Promise<void> {
    const at = this.addresses.get(chain);
    if (at === undefined) return;
    let upstream = this.upstreams.get(chain);
    if (!upstream) this.upstreams.set(chain, (upstream = new GrpcUpstream(`chain indexer of ${chain}`, 'chainIndexer', 'custody.chain.v1.ChainIndexerService', at, 10_000)));
    await upstream.call('WatchAddress', { chain, address, wallet });
  }

  close(): void {
    for (const u of this.upstreams.values()) u.close();
  }
}
