import { Injectable } from '@nestjs/common';
import { status as grpcStatus } from '@grpc/grpc-js';
import { MAX_WITHDRAWAL_HASHES, parseAddress, parseHash, withdrawalFee, type Hash } from '@custody/chain-core';
import { formatAmount, validateIdentifier } from '@custody/ledger-core';
import { IndexerResources } from '../indexer-resources';
import { LedgerCallError } from '../ledger/ledger.client';
import type { WatchedAddressRow } from '../store/indexer.repository';
import type { WithdrawalTrackingRow } from '../store/withdrawal-store';
import { ApiInputError, ApiNotFoundError, ApiPreconditionError } from './api-errors';

type Request = Record<string, unknown>;

const ASSET = /^[A-Za-z0-9]{1,16}$/;
const DECIMAL = /^[0-9]{1,16}$/;
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;
/** Ledger states in which a withdrawal has a transaction on its way (or settled) and may be tracked. */
const TRACKABLE_STATES = ['broadcast', 'confirmed', 'failed'];

/** custody.chain.v1 enum values (proto-loader `enums: Number`). */
const TRACKING_STATUS = { pending: 1, mined: 2, replaced: 3, dropped: 4 } as const;
const RECEIPT_STATUS = { success: 1, reverted: 2 } as const;

function text(r: Request, field: string, camel: string): string {
  const v = r[camel];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new ApiInputError(field, 'must be a string');
  return v;
}

/**
 * The indexer's API: every field checked and named before anything is read or written; writes are
 * idempotent (the same request again answers the stored row). Serves the one chain the process follows.
 */
@Injectable()
export class ChainApiService {
  private nativeDecimals: number | undefined;

  constructor(private readonly resources: IndexerResources) {}

  private get chain(): string {
    return this.resources.config.chain;
  }

  private checkChain(r: Request): string {
    const chain = text(r, 'chain', 'chain');
    if (chain !== this.chain) throw new ApiInputError('chain', `must be ${JSON.stringify(this.chain)}, the chain this indexer follows`);
    return chain;
  }

  async watchAddress(r: Request): Promise<Record<string, unknown>> {
    const chain = this.checkChain(r);
    const address = parseAddress(text(r, 'address', 'address'), 'address');
    const wallet = validateIdentifier(text(r, 'wallet', 'wallet'), 'wallet');
    return addressView(await this.resources.repository.watch(chain, address, wallet));
  }

  async listWatchedAddresses(r: Request): Promise<Record<string, unknown>> {
    const chain = this.checkChain(r);
    const walletText = text(r, 'wallet', 'wallet');
    const wallet = walletText === '' ? undefined : validateIdentifier(walletText, 'wallet');
    const size = r.pageSize === undefined || r.pageSize === null || r.pageSize === 0 ? DEFAULT_PAGE : r.pageSize;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_PAGE) throw new ApiInputError('page_size', `must be 1..${MAX_PAGE} (0: ${DEFAULT_PAGE})`);
    const token = text(r, 'page_token', 'pageToken');
    const after = token === '' ? undefined : parseAddress(token, 'page_token');
    const rows = await this.resources.repository.watchedAddresses(chain, { ...(wallet !== undefined ? { wallet } : {}), ...(after !== undefined ? { after } : {}), limit: size + 1 });
    const page = rows.slice(0, size);
    return { addresses: page.map(addressView), nextPageToken: rows.length > size ? page[page.length - 1]!.address : '' };
  }

  async registerToken(r: Request): Promise<Record<string, unknown>> {
    const chain = this.checkChain(r);
    const contract = parseAddress(text(r, 'contract', 'contract'), 'contract');
    const asset = text(r, 'asset', 'asset');
    if (!ASSET.test(asset)) throw new ApiInputError('asset', 'must be 1..16 characters of [A-Za-z0-9]');
    const known = (await this.resources.ledger.assets()).find((a) => a.chain === chain && a.code === asset);
    if (!known) throw new ApiPreconditionError(`the ledger has no asset ${asset} on chain ${chain}; create it there first`);
    if (known.contract.toLowerCase() !== contract.toLowerCase()) throw new ApiPreconditionError(`the ledger's asset ${asset} is contract ${known.contract || '(none: the native coin)'}, not ${contract}`);
    await this.resources.repository.registerToken(chain, contract, asset);
    return { chain, contract, asset };
  }

  async trackWithdrawal(r: Request): Promise<Record<string, unknown>> {
    const id = validateIdentifier(text(r, 'withdrawal_id', 'withdrawalId'), 'withdrawal_id');
    const chain = this.checkChain(r);
    const sender = parseAddress(text(r, 'sender', 'sender'), 'sender');
    const nonceText = typeof r.nonce === 'number' ? String(r.nonce) : text(r, 'nonce', 'nonce');
    if (!DECIMAL.test(nonceText) || Number(nonceText) > Number.MAX_SAFE_INTEGER) throw new ApiInputError('nonce', 'must be an integer in 0..2^53-1');
    const nonce = Number(nonceText);
    const hashes = r.txHashes;
    if (!Array.isArray(hashes) || hashes.length < 1 || hashes.length > MAX_WITHDRAWAL_HASHES) throw new ApiInputError('tx_hashes', `must list 1..${MAX_WITHDRAWAL_HASHES} transaction hashes`);
    const txHashes: Hash[] = hashes.map((h, i) => parseHash(h, `tx_hashes[${i}]`));
    let ledgerWithdrawal: { chain: string; state: string };
    try {
      ledgerWithdrawal = await this.resources.ledger.call<{ chain: string; state: string }>('GetWithdrawal', { id });
    } catch (error) {
      if (error instanceof LedgerCallError && error.code === grpcStatus.NOT_FOUND) throw new ApiPreconditionError(`the ledger has no withdrawal ${id}`);
      throw error;
    }
    if (ledgerWithdrawal.chain !== chain) throw new ApiInputError('chain', `withdrawal ${id} is on chain ${ledgerWithdrawal.chain} in the ledger`);
    if (!TRACKABLE_STATES.includes(ledgerWithdrawal.state)) throw new ApiPreconditionError(`withdrawal ${id} is ${ledgerWithdrawal.state} in the ledger; track it once it is broadcast`);
    const row = await this.resources.repository.withdrawals.track({ id, chain, sender, nonce, txHashes }, MAX_WITHDRAWAL_HASHES);
    return this.trackingView(row);
  }

  async getWithdrawalTracking(r: Request): Promise<Record<string, unknown>> {
    const id = validateIdentifier(text(r, 'withdrawal_id', 'withdrawalId'), 'withdrawal_id');
    const row = await this.resources.repository.withdrawals.get(id);
    if (!row) throw new ApiNotFoundError(`withdrawal ${id} is not tracked`);
    return this.trackingView(row);
  }

  private async decimals(): Promise<number> {
    if (this.nativeDecimals === undefined) {
      const native = (await this.resources.ledger.assets()).find((a) => a.chain === this.chain && a.code === this.resources.config.nativeAsset);
      if (!native) throw new ApiPreconditionError(`the ledger has no asset ${this.resources.config.nativeAsset} on chain ${this.chain}`);
      this.nativeDecimals = Number(native.decimals);
    }
    return this.nativeDecimals;
  }

  private async trackingView(row: WithdrawalTrackingRow): Promise<Record<string, unknown>> {
    let mined: Record<string, unknown> | null = null;
    if (row.status === 'mined') {
      const fee = withdrawalFee({ gasUsed: row.gasUsed!, effectiveGasPrice: row.effectiveGasPrice! });
      const tip = await this.resources.repository.tip(row.chain);
      mined = {
        txHash: row.txHash,
        blockNumber: String(row.blockNumber),
        blockHash: row.blockHash,
        status: row.success ? RECEIPT_STATUS.success : RECEIPT_STATUS.reverted,
        gasUsed: row.gasUsed!.toString(),
        effectiveGasPrice: row.effectiveGasPrice!.toString(),
        feeWei: fee.toString(),
        fee: formatAmount(fee, await this.decimals()),
        confirmations: tip && tip.number >= row.blockNumber! ? tip.number - row.blockNumber! + 1 : 0,
      };
    }
    return {
      withdrawalId: row.id,
      chain: row.chain,
      sender: row.sender,
      nonce: String(row.nonce),
      txHashes: row.txHashes,
      status: TRACKING_STATUS[row.status],
      mined,
      replacedBy: row.status === 'replaced' ? (row.replacedBy ?? '') : '',
      ledgerOutcome: row.ledgerOutcome,
      updatedAtMs: String(row.updatedAt.getTime()),
      ledgerRefusal: row.ledgerRefusal ?? '',
    };
  }
}

function addressView(row: WatchedAddressRow): Record<string, unknown> {
  return { chain: row.chain, address: row.address, wallet: row.wallet, createdAtMs: String(row.createdAt.getTime()) };
}
