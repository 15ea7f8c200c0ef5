import { status } from '@grpc/grpc-js';
import { ApiError } from '../errors/api-error';
import { GrpcUpstream, UpstreamError } from './grpc-upstream';

export interface LedgerAsset {
  readonly chain: string;
  readonly code: string;
  readonly decimals: number;
  readonly contract: string;
  readonly confirmations: number;
}

/** custody.ledger.v1.Balance: amounts as decimal strings in the asset's units. */
export interface LedgerBalance {
  readonly account: string;
  readonly posted: string;
  readonly held: string;
  readonly incoming: string;
  readonly available: string;
}

/** custody.ledger.v1.Deposit. */
export interface LedgerDeposit {
  readonly id: string;
  readonly chain: string;
  readonly txHash: string;
  readonly logIndex: number;
  readonly asset: string;
  readonly wallet: string;
  readonly address: string;
  readonly amount: string;
  readonly confirmations: number;
  readonly state: string;
}

/**
 * How long the gateway reuses the ledger's asset list. Assets are only ever added (CreateAsset; an
 * asset's decimals and depth never change), so a reused list can at most lack one created in the
 * last second; every balance read would otherwise cost a ListAssets call.
 */
export const LEDGER_ASSETS_REUSE_MS = 1000;

/** The gateway's reading client of custody.ledger.v1.LedgerService (LEDGER_GRPC_ADDRESS). */
export class LedgerReader {
  private upstream: GrpcUpstream | undefined;
  private assetList: { readonly fetchedAt: number; readonly assets: Promise<LedgerAsset[]> } | undefined;

  constructor(
    private readonly address: string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  private ledger(): GrpcUpstream {
    if (!this.address) throw new ApiError('unavailable', 'the gateway has no ledger configured (LEDGER_GRPC_ADDRESS)');
    this.upstream ??= new GrpcUpstream('ledger', 'ledger', 'custody.ledger.v1.LedgerService', this.address);
    return this.upstream;
  }

  /** The ledger's assets: one ListAssets call shared by every caller within {@link LEDGER_ASSETS_REUSE_MS}; a failed call is not reused. */
  async assets(): Promise<LedgerAsset[]> {
    const now = this.now();
    let list = this.assetList;
    if (list === undefined || now - list.fetchedAt >= LEDGER_ASSETS_REUSE_MS || now < list.fetchedAt) {
      const assets = this.ledger()
        .call<{ assets: LedgerAsset[] }>('ListAssets', {})
        .then((r) => r.assets);
      list = { fetchedAt: now, assets };
      this.assetList = list;
      assets.catch(() => {
        if (this.assetList === list) this.assetList = undefined;
      });
    }
    return [...(await list.assets)];
  }

  /** The balance of an account, or `undefined` if the ledger never opened it. */
  async balance(account: string): Promise<LedgerBalance | undefined> {
    try {
      return await this.ledger().call<LedgerBalance>('GetBalance', { account });
    } catch (error) {
      // The ledger answers an account it never opened as INVALID_ARGUMENT "invalid account: unknown account …".
      if (error instanceof UpstreamError && (error.code === status.NOT_FOUND || (error.code === status.INVALID_ARGUMENT && /unknown account/.test(error.details)))) return undefined;
      throw error;
    }
  }

  async deposit(id: string): Promise<LedgerDeposit> {
    return this.ledger().call<LedgerDeposit>('GetDeposit', { id });
  }

  async deposits(wallet: string, pageSize: number, pageToken: string): Promise<{ deposits: LedgerDeposit[]; nextPageToken: string }> {
    return this.ledger().call('ListDeposits', { wallet, pageSize, pageToken });
  }

  close(): void {
    this.upstream?.close();
  }
}
