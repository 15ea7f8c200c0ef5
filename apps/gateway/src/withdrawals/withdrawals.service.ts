import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { getAddress } from 'viem';
import type { GatewayConfig } from '../config';
import { ApiError, preview } from '../errors/api-error';
import { checkPageSize, decodePageToken, pageOf, parseName } from '../api/resource-paging';
import { WithdrawalProcessor } from '../pipeline/withdrawal.processor';
import { GATEWAY_CONFIG } from '../tokens';
import type { Withdrawal } from './withdrawal';
import { WithdrawalRepository } from './withdrawal.repository';

export interface CreateWithdrawalInput {
  wallet: string;
  chain: string;
  asset: string;
  amount: string;
  destination: string;
}

/** REST JSON and gRPC `custody.v1.Withdrawal`. */
export interface WithdrawalView {
  name: string;
  /** `withdrawal`, or `sweep` (a deposit address's coins moved to the wallet's sending address). */
  kind: string;
  wallet: string;
  chain: string;
  asset: string;
  amount: string;
  destination: string;
  state: string;
  reason: string;
  txHash: string;
  feeEstimate: string;
  feeActual: string;
  nonce: number;
  sourceAddress: string;
  attempts: number;
  createTime: string;
  updateTime: string;
}

export interface WithdrawalPage {
  withdrawals: WithdrawalView[];
  nextPageToken: string;
}

export function toView(w: Withdrawal): WithdrawalView {
  return {
    name: `withdrawals/${w.id}`,
    kind: w.kind,
    wallet: `wallets/${w.walletId}`,
    chain: w.chain,
    asset: w.asset,
    amount: w.amount.toString(),
    destination: w.destination,
    state: w.state,
    reason: w.reason,
    txHash: w.txHash ?? '',
    feeEstimate: w.feeEstimate?.toString() ?? '',
    feeActual: w.feeActual?.toString() ?? '',
    nonce: w.nonce ?? -1,
    sourceAddress: w.sourceAddress ?? '',
    attempts: w.attempt,
    createTime: w.createdAt.toISOString(),
    updateTime: w.updatedAt.toISOString(),
  };
}

const ASSET = /^[A-Za-z0-9]{1,16}$/;
const AMOUNT = /^[1-9][0-9]{0,77}$/;
const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

/**
 * Withdrawals of the public API: create (the row in Postgres, then the pipeline's first job), get,
 * list, cancel while nothing is signed. The pipeline (pipeline/) does everything else.
 */
@Injectable()
export class WithdrawalsService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly repository: WithdrawalRepository,
    @Optional() private readonly processor?: WithdrawalProcessor,
  ) {}

  private pipeline(): NonNullable<GatewayConfig['pipeline']> {
    if (!this.config.pipeline || !this.processor) throw new ApiError('unavailable', 'the gateway has no withdrawal pipeline configured (PIPELINE_CHAINS)');
    return this.config.pipeline;
  }

  async create(input: CreateWithdrawalInput, clientId: string): Promise<WithdrawalView> {
    const pipeline = this.pipeline();
    const [walletId] = parseName(input.wallet, ['wallets'], 'wallet');
    if (!pipeline.chains.has(input.chain)) throw new ApiError('invalid-argument', `chain ${preview(input.chain)} is not one the pipeline sends on (${[...pipeline.chains.keys()].join(', ')})`);
    if (!ASSET.test(input.asset)) throw new ApiError('invalid-argument', `asset ${preview(input.asset)} must be 1..16 of [A-Za-z0-9]`);
    if (!AMOUNT.test(input.amount)) throw new ApiError('invalid-argument', `amount ${preview(input.amount)} must be a positive integer of the asset's smallest unit (decimal, at most 78 digits)`);
    if (BigInt(input.amount) >= 1n << 256n) throw new ApiError('invalid-argument', 'amount must be below 2^256');
    if (!/^0x[0-9A-Fa-f]{40}$/.test(input.destination)) throw new ApiError('invalid-argument', `destination ${preview(input.destination)} must be a 0x-prefixed 20-byte address`);
    let destination: string;
    try {
      destination = getAddress(input.destination);
    } catch {
      throw new ApiError('invalid-argument', 'destination has a wrong EIP-55 checksum');
    }
    if (destination === ZERO_ADDRESS) throw new ApiError('invalid-argument', 'destination must not be the zero address');
    const wallet = await this.repository.wallet(walletId!);
    if (!wallet) throw new ApiError('not-found', `no wallet ${preview(walletId)} with a secp256k1 key`);
    const w = await this.repository.insert({
      id: `wd_${randomBytes(12).toString('hex')}`,
      createdBy: clientId,
      walletId: walletId!,
      chain: input.chain,
      asset: input.asset,
      amount: BigInt(input.amount),
      destination,
      expiresAt: new Date(Date.now() + pipeline.withdrawalTtlMs),
    });
    // If this enqueue is lost (Redis away, a crash), the processor's re-drive finds the row.
    await this.processor!.advance(w).catch(() => undefined);
    return toView(w);
  }

  async get(withdrawalId: string, field = 'withdrawalId'): Promise<WithdrawalView> {
    const [id] = parseName(`withdrawals/${withdrawalId}`, ['withdrawals'], field);
    const w = await this.repository.find(id!);
    if (!w) throw new ApiError('not-found', `no withdrawal ${preview(withdrawalId)}`);
    return toView(w);
  }

  async list(wallet: string, pageSize: number, pageToken: string): Promise<WithdrawalPage> {
    const walletId = wallet === '' ? undefined : parseName(wallet, ['wallets'], 'wallet')[0];
    const size = checkPageSize(pageSize);
    const rows = await this.repository.list(walletId, decodePageToken(pageToken), size + 1);
    const { page, nextPageToken } = pageOf(rows, size);
    return { withdrawals: page.map(toView), nextPageToken };
  }

  /** Cancels a withdrawal nothing was signed for; its hold is released by the pipeline's release step. */
  async cancel(withdrawalId: string, clientId: string, field = 'withdrawalId'): Promise<WithdrawalView> {
    const [id] = parseName(`withdrawals/${withdrawalId}`, ['withdrawals'], field);
    const cancelled = await this.repository.cancel(id!, `cancelled by ${clientId}`);
    if (cancelled) {
      await this.processor?.advance(cancelled).catch(() => undefined);
      return toView(cancelled);
    }
    const w = await this.repository.find(id!);
    if (!w) throw new ApiError('not-found', `no withdrawal ${preview(withdrawalId)}`);
    if (w.state === 'cancelled') return toView(w);
    throw new ApiError('failed-precondition', `withdrawal ${w.id} is ${w.state}${w.attempt > 1 || ['signing', 'signed', 'broadcast'].includes(w.state) ? ': a transaction is signed' : ''}; only a withdrawal nothing was signed for can be cancelled`);
  }
}
