import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createHold, isHoldDue, LedgerInputError, parseAccountKey, parseAmount, transitionHold, validateIdentifier, type Hold, type HoldEvent } from '@custody/ledger-core';
import type { Pool } from 'pg';
import { holdView, type HoldView } from '../api/views';
import { BooksService, MAX_DEADLINE_MS, parseUint64 } from '../books/books.service';
import { ConflictError, NotFoundError } from '../books/books.errors';
import { inTransaction } from '../books/sql';
import type { LedgerConfig } from '../config';
import { LEDGER_CLOCK, LEDGER_CONFIG, LEDGER_POOL, type Clock } from '../ledger.tokens';

/**
 * API holds are stored as `hold/<id>` (as the core's model keeps them): the '/' keeps their ids, and
 * the ids of their post entries (`hold/<id>:post`), apart from transfer entries and from the holds of
 * deposits and withdrawals.
 */
export const HOLD_PREFIX = 'hold/';

export function holdKey(id: string): string {
  return `${HOLD_PREFIX}${id}`;
}

/** Holds expired per sweep at most (the rest wait for the next one). */
export const SWEEP_BATCH = 500;

/**
 * Two-phase transfers (holds) on the API: create, post (in full or in part), void, and expiry at
 * the deadline, by `ExpireDueHolds` or by the periodic sweeper (LEDGER_HOLD_SWEEP_MS). The clock is
 * read here, in the adapter; the core's transitions take `now` as an argument. Hold ids given on the
 * API are identifiers (no '/'), stored as `hold/<id>`.
 */
@Injectable()
export class HoldsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HoldSweeper');
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;

  constructor(
    private readonly books: BooksService,
    @Inject(LEDGER_POOL) private readonly pool: Pool,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(LEDGER_CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.holdSweepMs === 0) return;
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.expireDue()
        .catch((error: unknown) => this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'hold sweep failed'))
        .finally(() => (this.sweeping = undefined));
    }, this.config.holdSweepMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }

  async create(request: { idempotencyKey?: unknown; id?: unknown; debitAccount?: unknown; creditAccount?: unknown; amount?: unknown; expiresAtMs?: unknown }): Promise<HoldView> {
    const id = validateIdentifier(request.id, 'id');
    const debit = parseAccountKey(request.debitAccount, 'debit_account');
    const credit = parseAccountKey(request.creditAccount, 'credit_account');
    if (debit.kind !== 'customer') throw new LedgerInputError('debit_account', 'must be a customer account (system accounts move only by deposits, withdrawals and holds of their own)');
    if (debit.key === credit.key) throw new LedgerInputError('credit_account', 'must differ from debit_account');
    if (debit.asset !== credit.asset) throw new LedgerInputError('credit_account', 'must be an account of the same asset as debit_account');
    const stored = this.books.rememberAsset(await this.books.assetOfAccount(debit.key, 'debit_account'));
    const amount = parseAmount(request.amount, stored.asset.decimals, 'amount', { positive: true });
    const deadline = parseUint64(request.expiresAtMs, 'expires_at_ms');
    if (deadline > MAX_DEADLINE_MS) throw new LedgerInputError('expires_at_ms', 'must be before the year 10000');
    return this.books.writer.write('CreateHold', request.idempotencyKey, request, async (tx) => {
      const now = this.clock();
      if (deadline !== 0n && Number(deadline) <= now) throw new LedgerInputError('expires_at_ms', 'must be in the future');
      // two first creations of one id (under different keys) run one after the other
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [holdKey(id)]);
      if (await this.books.repository.lockHold(tx, holdKey(id))) throw new ConflictError(`hold ${id} exists`);
      const opened = createHold({ id: holdKey(id), debitAccount: debit.key, creditAccount: credit.key, amount, expiresAt: deadline === 0n ? null : Number(deadline) }, now);
      await this.books.commit(tx, opened.effects, { [debit.key]: 'debit_account', [credit.key]: 'credit_account' });
      return holdView(opened.hold, stored.asset.decimals);
    });
  }

  async post(request: { idempotencyKey?: unknown; id?: unknown; amount?: unknown }): Promise<HoldView> {
    const id = validateIdentifier(request.id, 'id');
    return this.transition('PostHold', request, id, (hold, decimals) => {
      const amount = request.amount === undefined || request.amount === '' ? undefined : parseAmount(request.amount, decimals, 'amount', { positive: true });
      if (amount !== undefined && amount > hold.amount) throw new LedgerInputError('amount', 'must not exceed the held amount');
      return { type: 'post', amount };
    });
  }

  async void(request: { idempotencyKey?: unknown; id?: unknown }): Promise<HoldView> {
    const id = validateIdentifier(request.id, 'id');
    return this.transition('VoidHold', request, id, () => ({ type: 'void' }));
  }

  private async transition(method: string, request: { idempotencyKey?: unknown }, id: string, event: (hold: Hold, decimals: number) => HoldEvent): Promise<HoldView> {
    const existing = await this.books.repository.getHold(holdKey(id));
    if (!existing) throw new NotFoundError('hold', id);
    const stored = this.books.rememberAsset(await this.books.assetOfAccount(existing.debitAccount, 'id'));
    const ev = event(existing, stored.asset.decimals);
    return this.books.writer.write(method, request.idempotencyKey, request, async (tx) => {
      const hold = await this.books.repository.lockHold(tx, holdKey(id));
      if (!hold) throw new NotFoundError('hold', id);
      const next = transitionHold(hold, ev, this.clock());
      await this.books.commit(tx, next.effects);
      return holdView(next.hold, stored.asset.decimals);
    });
  }

  /** Expires every pending hold whose deadline has passed, each in its own transaction; returns their ids. */
  async expireDue(): Promise<{ expired: string[] }> {
    const now = this.clock();
    const expired: string[] = [];
    for (const key of await this.books.repository.dueHolds(now, SWEEP_BATCH)) if (await this.expireOne(key, now)) expired.push(key.startsWith(HOLD_PREFIX) ? key.slice(HOLD_PREFIX.length) : key);
    return { expired };
  }

  /** Expires one hold (by its stored key, `hold/<id>`) if it is still pending and due at `now`; false if it is not (resolved meanwhile, or not due). */
  async expireOne(id: string, now: number): Promise<boolean> {
    return inTransaction(this.pool, async (tx) => {
      const hold = await this.books.repository.lockHold(tx, id);
      if (!hold || !isHoldDue(hold, now)) return false;
      const next = transitionHold(hold, { type: 'expire' }, now);
      await this.books.commit(tx, next.effects);
      return true;
    });
  }
}
