import { GrpcUpstream } from './grpc-upstream';

/** What the chain indexer knows of a tracked withdrawal (custody.chain.v1.WithdrawalTracking, longs and enums as strings). */
export interface WithdrawalTracking {
  readonly withdrawalId: string;
  /** TRACKING_STATUS_PENDING, _MINED, _REPLACED or _DROPPED. */
  readonly status: string;
  readonly mined: { readonly txHash: string; readonly feeWei: string; readonly confirmations: number; readonly status: string } | null;
  readonly replacedBy: string;
  /** What the indexer sent to the ledger last: "", "confirm", "fail" or "unconfirm". */
  readonly ledgerOutcome: string;
}

/** The gateway's client of each chain's indexer (custody.chain.v1.ChainIndexerService, GATEWAY_CHAIN_INDEXERS). */
export class ChainIndexerClients {
  private readonly upstreams = new Map<string, GrpcUpstream>();

  constructor(private readonly addresses: ReadonlyMap<string, string>) {}

  /** Whether `chain` has an indexer: its deposit addresses are watched and its withdrawals settled by it. */
  watches(chain: string): boolean {
    return this.addresses.has(chain);
  }

  private upstream(chain: string): GrpcUpstream | undefined {
    const at = this.addresses.get(chain);
    if (at === undefined) return undefined;
    let upstream = this.upstreams.get(chain);
    if (!upstream) this.upstreams.set(chain, (upstream = new GrpcUpstream(`chain indexer of ${chain}`, 'chainIndexer', 'custody.chain.v1.ChainIndexerService', at, 10_000)));
    return upstream;
  }

  /** Watches a deposit address of a wallet (idempotent at the indexer). */
  async watchAddress(chain: string, address: string, wallet: string): Promise<void> {
    await this.upstream(chain)?.call('WatchAddress', { chain, address, wallet });
  }

  /**
   * Hands a broadcast withdrawal to the indexer, which settles it in the ledger when one of its
   * transactions is mined at the depth (and undoes that when a reorg orphans the block). Idempotent;
   * called again with more hashes after a fee bump of the same nonce.
   */
  async trackWithdrawal(chain: string, t: { withdrawalId: string; sender: string; nonce: number; txHashes: readonly string[] }): Promise<WithdrawalTracking> {
    const upstream = this.upstream(chain);
    if (!upstream) throw new Error(`no chain indexer for ${chain}`);
    return upstream.call<WithdrawalTracking>('TrackWithdrawal', { withdrawalId: t.withdrawalId, chain, sender: t.sender, nonce: String(t.nonce), txHashes: [...t.txHashes] });
  }

  async withdrawalTracking(chain: string, withdrawalId: string): Promise<WithdrawalTracking> {
    const upstream = this.upstream(chain);
    if (!upstream) throw new Error(`no chain indexer for ${chain}`);
    return upstream.call<WithdrawalTracking>('GetWithdrawalTracking', { withdrawalId });
  }

  close(): void {
    for (const u of this.upstreams.values()) u.close();
  }
}
