import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  customerAccount,
  LedgerInputError,
  parseAmount,
  requestWithdrawal,
  SWEPT_WITHDRAWAL_STATES,
  transitionWithdrawal,
  validateIdentifier,
  WITHDRAWAL_EVENTS,
  type Withdrawal,
  type WithdrawalEvent,
  type WithdrawalEventType,
} from '@custody/ledger-core';
import { withdrawalView, type WithdrawalView } from '../api/views';
import { BooksService, MAX_DEADLINE_MS, parseUint64 } from '../books/books.service';
import { ConflictError, NotFoundError } from '../books/books.errors';
import type { StoredAsset } from '../books/books.repository';
import { fromDocument, toDocument } from '../books/document';
import { inTransaction, type Tx } from '../books/sql';
import type { LedgerConfig } from '../config';
import { LEDGER_CLOCK, LEDGER_CONFIG, LEDGER_POOL, type Clock } from '../ledger.tokens';
import type { Pool } from 'pg';

/** Withdrawals expired per sweep at most (the rest wait for the next one). */
export const WITHDRAWAL_SWEEP_BATCH = 500;

const ADDRESS_PATTERN = /^[A-Za-z0-9]{1,128}$/;
const REASON_MAX = 256;

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20 || text.charCodeAt(i) === 0x7f) return true;
  return false;
}

interface WithdrawalRow {
  withdrawal: Withdrawal;
  sourceAddress: string | null;
}

/**
 * Withdrawals: requested (amount + fee estimate held on the wallet's account) → approved → signed →
 * broadcast → confirmed (hold posted, actual fee booked, the difference released), or failed /
 * rejected / expired / cancelled (hold voided). Every transition is the core's; an illegal one is
 * refused (FAILED_PRECONDITION) and changes nothing; the refusal is stored with its idempotency key.
 *
 * The deadline sweeper (every LEDGER_WITHDRAWAL_SWEEP_MS, and `expireDue`) expires every requested or
 * approved withdrawal whose deadline has passed, through the core's own `expire` transition: state
 * `expired`, its holds released as expired, one `withdrawal.state_changed` event. A signed withdrawal
 * is left to its caller: its transaction exists and may still land, so only the caller can tell
 * whether to expire or broadcast it (the core refuses a broadcast after the deadline).
 */
@Injectable()
export class WithdrawalsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WithdrawalSweeper');
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;

  constructor(
    private readonly books: BooksService,
    @Inject(LEDGER_CLOCK) private readonly clock: Clock,
    @Inject(LEDGER_POOL) private readonly pool: Pool,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.withdrawalSweepMs === 0) return;
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.expireDue()
        .catch((error: unknown) => this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'withdrawal sweep failed'))
        .finally(() => (this.sweeping = undefined));
    }, this.config.withdrawalSweepMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }

  /** Expires every requested or approved withdrawal past its deadline, each in its own transaction; returns their ids. */
  async expireDue(): Promise<{ expired: string[] }> {
    const now = this.clock();
    const expired: string[] = [];
    for (const coreId of await this.books.repository.dueWithdrawals(now, WITHDRAWAL_SWEEP_BATCH)) {
      if (await this.expireOne(coreId, now)) expired.push(coreId.slice('withdrawal/'.length));
    }
    return { expired };
  }

  /** Expires one withdrawal if it is still requested or approved and past its deadline at `now`; false if not (moved on meanwhile). */
  async expireOne(coreId: string, now: number): Promise<boolean> {
    return inTransaction(
      this.pool,
      async (tx) => {
        const row = await this.lock(tx, coreId);
        if (!row || !SWEPT_WITHDRAWAL_STATES.includes(row.withdrawal.state) || now < row.withdrawal.expiresAt) return false;
        const t = transitionWithdrawal(row.withdrawal, { type: 'expire' }, now);
        await this.books.commit(tx, t.effects);
        await this.store(tx, t.withdrawal, t.withdrawal.reason);
        return true;
      },
      this.config.idempotencyWaitMs,
    );
  }

  async request(request: {
    idempotencyKey?: unknown;
    id?: unknown;
    wallet?: unknown;
    chain?: unknown;
    asset?: unknown;
    amount?: unknown;
    feeEstimate?: unknown;
    destination?: unknown;
    sourceAddress?: unknown;
    expiresAtMs?: unknown;
    feeAsset?: unknown;
  }): Promise<WithdrawalView> {
    const id = validateIdentifier(request.id, 'id');
    const wallet = validateIdentifier(request.wallet, 'wallet');
    const stored = this.books.rememberAsset(await this.books.asset(request.chain, request.asset, { chain: 'chain', code: 'asset' }));
    const fee = request.feeAsset === undefined || request.feeAsset === '' ? stored : this.books.rememberAsset(await this.books.asset(request.chain, request.feeAsset, { chain: 'chain', code: 'fee_asset' }));
    const amount = parseAmount(request.amount, stored.asset.decimals, 'amount', { positive: true });
    const feeEstimate = parseAmount(request.feeEstimate === '' || request.feeEstimate === undefined ? '0' : request.feeEstimate, fee.asset.decimals, 'fee_estimate');
    if (typeof request.destination !== 'string' || !/^[A-Za-z0-9._:-]{1,256}$/.test(request.destination)) throw new LedgerInputError('destination', 'must be 1..256 characters of [A-Za-z0-9._:-]');
    const destination = request.destination;
    let sourceAddress: string | null = null;
    if (request.sourceAddress !== undefined && request.sourceAddress !== '') {
      if (typeof request.sourceAddress !== 'string' || !ADDRESS_PATTERN.test(request.sourceAddress)) throw new LedgerInputError('source_address', 'must be 1..128 characters of [A-Za-z0-9]');
      sourceAddress = request.sourceAddress;
    }
    const deadline = parseUint64(request.expiresAtMs, 'expires_at_ms');
    if (deadline === 0n) throw new LedgerInputError('expires_at_ms', 'is required');
    if (deadline > MAX_DEADLINE_MS) throw new LedgerInputError('expires_at_ms', 'must be before the year 10000');
    return this.books.writer.write('RequestWithdrawal', request.idempotencyKey, request, async (tx) => {
      const now = this.clock();
      if (Number(deadline) <= now) throw new LedgerInputError('expires_at_ms', 'must be in the future');
      const coreId = `withdrawal/${id}`;
      if (await this.lock(tx, coreId)) throw new ConflictError(`withdrawal ${id} exists`);
      const t = requestWithdrawal({ id, wallet, asset: stored.asset, feeAsset: fee.asset, amount, feeEstimate, destination, expiresAt: Number(deadline) }, now);
      const fields: Record<string, string> = { [customerAccount(wallet, stored.asset).key]: 'wallet', [customerAccount(wallet, fee.asset).key]: 'wallet' };
      await this.books.commit(tx, t.effects, fields);
      const w = t.withdrawal;
      await tx.query(
        `INSERT INTO ledger.withdrawals (withdrawal_id, asset_id, wallet, source_address, destination, amount, fee_estimate, state, document, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [w.id, stored.id, wallet, sourceAddress, destination, amount.toString(), feeEstimate.toString(), w.state, toDocument(w), new Date(w.expiresAt)],
      );
      return withdrawalView(w, sourceAddress, stored.asset.decimals, fee.asset.decimals);
    });
  }

  async transition(request: { idempotencyKey?: unknown; id?: unknown; event?: unknown; txHash?: unknown; feeActual?: unknown; reason?: unknown }): Promise<WithdrawalView> {
    const id = validateIdentifier(request.id, 'id');
    const coreId = `withdrawal/${id}`;
    if (typeof request.event !== 'string' || !WITHDRAWAL_EVENTS.includes(request.event as WithdrawalEventType)) throw new LedgerInputError('event', `must be one of ${WITHDRAWAL_EVENTS.join(', ')}`);
    const type = request.event as WithdrawalEventType;
    const existing = await this.get(coreId);
    const [main, fee] = await this.assets(existing.withdrawal);
    let reason: string | undefined;
    if (request.reason !== undefined && request.reason !== '') {
      if (typeof request.reason !== 'string' || request.reason.length > REASON_MAX || hasControlCharacter(request.reason)) throw new LedgerInputError('reason', `must be at most ${REASON_MAX} printable characters`);
      reason = request.reason;
    }
    let event: WithdrawalEvent;
    switch (type) {
      case 'broadcast':
        if (typeof request.txHash !== 'string' || !/^[A-Za-z0-9]{1,128}$/.test(request.txHash)) throw new LedgerInputError('tx_hash', 'must be 1..128 characters of [A-Za-z0-9]');
        event = { type, txHash: request.txHash };
        break;
      case 'confirm':
        event = { type, fee: parseAmount(request.feeActual, fee.asset.decimals, 'fee_actual') };
        break;
      case 'reject':
      case 'fail':
        event = reason === undefined ? { type } : { type, reason };
        break;
      default:
        event = { type };
    }
    return this.books.writer.write('TransitionWithdrawal', request.idempotencyKey, request, async (tx) => {
      const row = await this.lock(tx, coreId);
      if (!row) throw new NotFoundError('withdrawal', id);
      const t = transitionWithdrawal(row.withdrawal, event, this.clock());
      await this.books.commit(tx, t.effects);
      const w = t.withdrawal;
      await this.store(tx, w, reason ?? w.reason);
      return withdrawalView(w, row.sourceAddress, main.asset.decimals, fee.asset.decimals);
    });
  }

  async find(request: { id?: unknown }): Promise<WithdrawalView> {
    const id = validateIdentifier(request.id, 'id');
    const row = await this.get(`withdrawal/${id}`);
    const [main, fee] = await this.assets(row.withdrawal);
    return withdrawalView(row.withdrawal, row.sourceAddress, main.asset.decimals, fee.asset.decimals);
  }

  private async assets(w: Withdrawal): Promise<[StoredAsset, StoredAsset]> {
    const [chain, code] = w.asset.split('/') as [string, string];
    const [, feeCode] = w.feeAsset.split('/') as [string, string];
    return [
      this.books.rememberAsset(await this.books.repository.requireAsset(undefined, chain, code, 'asset')),
      this.books.rememberAsset(await this.books.repository.requireAsset(undefined, chain, feeCode, 'fee_asset')),
    ];
  }

  private async get(coreId: string): Promise<WithdrawalRow> {
    const rows = await this.books.repository.withdrawal(coreId);
    if (!rows) throw new NotFoundError('withdrawal', coreId.slice('withdrawal/'.length));
    return { withdrawal: fromDocument<Withdrawal>(rows.document), sourceAddress: rows.sourceAddress };
  }

  private async store(tx: Tx, w: Withdrawal, reason: string | null): Promise<void> {
    await tx.query('UPDATE ledger.withdrawals SET state = $2, reason = $3, tx_hash = $4, fee_actual = $5, document = $6, updated_at = now() WHERE withdrawal_id = $1', [
      w.id,
      w.state,
      reason,
      w.txHash,
      w.actualFee === null ? null : w.actualFee.toString(),
      toDocument(w),
    ]);
  }

  private async lock(tx: Tx, coreId: string): Promise<WithdrawalRow | null> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [coreId]);
    const rows = await tx.query<{ document: unknown; source_address: string | null }>('SELECT document, source_address FROM ledger.withdrawals WHERE withdrawal_id = $1 FOR UPDATE', [coreId]);
    return rows.length ? { withdrawal: fromDocument<Withdrawal>(rows[0]!.document), sourceAddress: rows[0]!.source_address } : null;
  }
}
