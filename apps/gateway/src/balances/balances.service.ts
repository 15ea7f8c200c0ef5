import { Injectable } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { parseAmount } from '@custody/ledger-core';
import { checkId, checkPageSize, decodePageToken, encodePageToken, parseName } from '../api/resource-paging';
import { ApiError, preview } from '../errors/api-error';
import { LedgerReader, type LedgerAsset, type LedgerDeposit } from '../upstreams/ledger.client';
import { publicError, UpstreamError } from '../upstreams/grpc-upstream';
import { WalletsService } from '../wallets/wallets.service';

/** A wallet's balance of one asset, in the asset's smallest unit (decimal strings). */
export interface BalanceView {
  asset: string;
  chain: string;
  /** posted − held. */
  available: string;
  /** Reserved by withdrawals in flight. */
  held: string;
  /** Credited (posted). */
  total: string;
  posted: string;
  /** Deposits seen on chain, not credited yet. */
  pending: string;
}

export interface DepositView {
  name: string;
  wallet: string;
  asset: string;
  amount: string;
  txHash: string;
  state: string;
  confirmations: number;
  chain: string;
  address: string;
  logIndex: number;
}

/** The ledger's amount (asset units, "1.5") in the smallest unit ("1500000000000000000"). */
function baseUnits(amount: string, decimals: number): string {
  return parseAmount(amount === '' ? '0' : amount, decimals, 'amount').toString();
}

/** `deposits/{chain}:{tx_hash}:{log_index}` ↔ the ledger's `deposit/{chain}/{tx_hash}/{log_index}`. */
export function publicDepositId(ledgerId: string): string {
  return ledgerId.replace(/^deposit\//, '').split('/').join(':');
}

export function ledgerDepositId(publicId: string, field: string): string {
  const match = /^([A-Za-z0-9._:-]{1,128}):([A-Za-z0-9]{1,128}):(\d{1,10})$/.exec(publicId);
  if (!match) throw new ApiError('invalid-argument', `${field} ${preview(publicId)} must be {chain}:{tx_hash}:{log_index}`);
  return `deposit/${match[1]}/${match[2]}/${match[3]}`;
}

/** Balances per wallet and asset, and deposits, read from the ledger. */
@Injectable()
export class BalancesService {
  constructor(
    private readonly ledger: LedgerReader,
    private readonly wallets: WalletsService,
  ) {}

  private async assets(): Promise<LedgerAsset[]> {
    try {
      return (await this.ledger.assets()).sort((a, b) => (a.chain === b.chain ? (a.code < b.code ? -1 : 1) : a.chain < b.chain ? -1 : 1));
    } catch (error) {
      throw publicError(error);
    }
  }

  async list(walletId: string, pageSize: number, pageToken: string, field = 'walletId'): Promise<{ balances: BalanceView[]; nextPageToken: string }> {
    const size = checkPageSize(pageSize);
    const after = Number(decodePageToken(pageToken) ?? 0);
    const wallet = await this.wallets.wallet(walletId, field);
    const assets = await this.assets();
    const page = assets.slice(after, after + size);
    const balances = await Promise.all(
      page.map(async (asset): Promise<BalanceView> => {
        let b;
        try {
          b = await this.ledger.balance(`customer/${wallet.walletId}/${asset.chain}/${asset.code}`);
        } catch (error) {
          throw publicError(error);
        }
        const posted = baseUnits(b?.posted ?? '0', asset.decimals);
        return {
          asset: asset.code,
          chain: asset.chain,
          available: baseUnits(b?.available ?? '0', asset.decimals),
          held: baseUnits(b?.held ?? '0', asset.decimals),
          total: posted,
          posted,
          pending: baseUnits(b?.incoming ?? '0', asset.decimals),
        };
      }),
    );
    return { balances, nextPageToken: after + size < assets.length ? encodePageToken(after + size) : '' };
  }

  private async view(d: LedgerDeposit, assets?: LedgerAsset[]): Promise<DepositView> {
    const asset = (assets ?? (await this.assets())).find((a) => a.chain === d.chain && a.code === d.asset);
    if (!asset) throw new ApiError('internal', 'a deposit names an asset the ledger does not list');
    return {
      name: `deposits/${publicDepositId(d.id)}`,
      wallet: `wallets/${d.wallet}`,
      asset: d.asset,
      amount: baseUnits(d.amount, asset.decimals),
      txHash: d.txHash,
      state: d.state,
      confirmations: d.confirmations,
      chain: d.chain,
      address: d.address,
      logIndex: d.logIndex,
    };
  }

  async deposit(publicId: string, field = 'depositId'): Promise<DepositView> {
    const id = ledgerDepositId(publicId, field);
    let d: LedgerDeposit;
    try {
      d = await this.ledger.deposit(id);
    } catch (error) {
      if (error instanceof UpstreamError && error.code === status.NOT_FOUND) throw new ApiError('not-found', `no deposit ${preview(publicId)}`);
      throw publicError(error);
    }
    return this.view(d);
  }

  async deposits(walletName: unknown, pageSize: number, pageToken: string): Promise<{ deposits: DepositView[]; nextPageToken: string }> {
    const [walletId] = parseName(walletName, ['wallets'], 'wallet');
    const wallet = await this.wallets.wallet(checkId(walletId, 'wallet'), 'wallet');
    const size = checkPageSize(pageSize);
    if (pageToken !== '' && !/^[A-Za-z0-9_-]{1,400}$/.test(pageToken)) throw new ApiError('invalid-argument', 'page_token is not a token this API issued');
    let page;
    try {
      page = await this.ledger.deposits(wallet.walletId, size, pageToken);
    } catch (error) {
      if (error instanceof UpstreamError && error.code === status.INVALID_ARGUMENT) throw new ApiError('invalid-argument', 'page_token is not a token this API issued');
      throw publicError(error);
    }
    const assets = await this.assets();
    return { deposits: await Promise.all(page.deposits.map((d) => this.view(d, assets))), nextPageToken: page.nextPageToken };
  }
}
