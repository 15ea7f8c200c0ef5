import { Inject, Injectable } from '@nestjs/common';
import { applyChange, IdempotencyConflictError, InsufficientFundsError, UnknownAccountError, type AccountBalance, type AccountKey, type Effects } from '@custody/ledger-core';
import type { Pool } from 'pg';
import type { LedgerConfig } from '../config';
import { LEDGER_CONFIG, LEDGER_POOL } from '../ledger.tokens';
import { LockTimeoutError, StoredRefusal, type StoredRefusalKind } from './books.errors';
import { BooksRepository } from './books.repository';
import { inTransaction, sqlState } from './sql';

/** One transfer waiting to be booked: its key, request hash, planned change, and how to answer it. */
export interface CombinedWrite<T> {
  readonly key: string;
  readonly method: string;
  readonly hash: Buffer;
  readonly effects: Effects;
  /** API field names of the accounts, for an unknown account. */
  readonly fields: Readonly<Record<AccountKey, string>>;
  /** The response, given the change's sequence number. */
  readonly respond: (sequence: bigint) => T;
}

type Stored<T> = { readonly ok: T } | { readonly refused: { readonly kind: StoredRefusalKind; readonly message: string } };

interface Waiting {
  readonly write: CombinedWrite<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Most writes in one combined transaction. */
export const MAX_COMBINED = 512;
/** Most journal entries in one combined transaction (a write larger than this still goes alone). */
export const MAX_COMBINED_ENTRIES = 4000;

/**
 * Group commit for plain transfers (CreateTransfer, and CreateTransfers whose legs are one linked change:
 * entries without holds). Every change takes its sequence numbers
 * from the one counter row, which stays locked until COMMIT, so changes in separate transactions are
 * booked one commit at a time. The combiner books the transfers that arrive while a transaction is
 * committing together in the next one, with the same rules as one at a time:
 *
 * 1. the idempotency keys are inserted in one statement; keys that exist are answered from what they
 *    store (or refused as a conflict), exactly as `IdempotentWriter` does;
 * 2. the balance rows of every account of the batch are locked in one statement, in id order;
 * 3. the core's `applyChange` runs on each transfer in arrival order on the running balances: one
 *    that would overdraw a flagged account is refused (and the refusal stored with its key) without
 *    touching the others;
 * 4. entries, postings, balances, events (each change its own sequence numbers, in order) and the
 *    stored responses are written in one statement, and one COMMIT acknowledges them all.
 *
 * Only one combined transaction runs at a time in a process (the counter row would serialize them
 * anyway). If the transaction fails, every write of it fails with that error and nothing is booked.
 */
@Injectable()
export class TransferCombiner {
  private queue: Waiting[] = [];
  private running = false;

  constructor(
    @Inject(LEDGER_POOL) private readonly pool: Pool,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly repository: BooksRepository,
  ) {}

  submit<T>(write: CombinedWrite<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        // A key appears at most once per batch; a repeat waits for the next one (and is answered from the stored response).
        const batch: Waiting[] = [];
        const keys = new Set<string>();
        const rest: Waiting[] = [];
        let entries = 0;
        for (const w of this.queue) {
          const size = w.write.effects.entries.length;
          if (batch.length < MAX_COMBINED && !keys.has(w.write.key) && (batch.length === 0 || entries + size <= MAX_COMBINED_ENTRIES)) {
            batch.push(w);
            keys.add(w.write.key);
            entries += size;
          } else rest.push(w);
        }
        this.queue = rest;
        try {
          const outcomes = await this.book(batch);
          batch.forEach((w, i) => {
            const o = outcomes[i]!;
            if ('error' in o) w.reject(o.error);
            else if ('ok' in o.stored) w.resolve(o.stored.ok);
            else w.reject(new StoredRefusal(o.stored.refused.kind, o.stored.refused.message));
          });
        } catch (error) {
          const mapped = sqlState(error) === '55P03' ? new LockTimeoutError('timed out waiting for a concurrent request with the same idempotency key or on the same account; retry') : error;
          for (const w of batch) w.reject(mapped);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async book(batch: readonly Waiting[]): Promise<Array<{ stored: Stored<unknown> } | { error: unknown }>> {
    return inTransaction(
      this.pool,
      async (tx) => {
        const inserted = await tx.query<{ idempotency_key: string }>(
          `INSERT INTO ledger.idempotency_keys (idempotency_key, method, request_hash)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[]) ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key`,
          [batch.map((w) => w.write.key), batch.map((w) => w.write.method), batch.map((w) => w.write.hash)],
        );
        const fresh = new Set(inserted.map((r) => r.idempotency_key));
        const outcomes: Array<{ stored: Stored<unknown> } | { error: unknown } | undefined> = batch.map(() => undefined);

        const old = batch.filter((w) => !fresh.has(w.write.key));
        if (old.length > 0) {
          const rows = await tx.query<{ idempotency_key: string; method: string; request_hash: Buffer; response: Buffer | null }>(
            'SELECT idempotency_key, method, request_hash, response FROM ledger.idempotency_keys WHERE idempotency_key = ANY($1::text[])',
            [old.map((w) => w.write.key)],
          );
          const byKey = new Map(rows.map((r) => [r.idempotency_key, r]));
          batch.forEach((w, i) => {
            if (fresh.has(w.write.key)) return;
            const row = byKey.get(w.write.key);
            if (!row || row.response === null) outcomes[i] = { error: new Error('an idempotency key was committed without its response') };
            else if (row.method !== w.write.method || !row.request_hash.equals(w.write.hash)) outcomes[i] = { error: new IdempotencyConflictError(w.write.key) };
            else outcomes[i] = { stored: JSON.parse(row.response.toString('utf8')) as Stored<unknown> };
          });
        }

        const accounts: AccountKey[] = [];
        for (const w of batch) if (fresh.has(w.write.key)) for (const e of w.write.effects.entries) for (const p of e.postings) accounts.push(p.account);
        const locked = await this.repository.lockBalances(tx, accounts);
        const before = new Map<AccountKey, AccountBalance>();
        for (const [key, row] of locked) before.set(key, row.balance);

        let balances: Map<AccountKey, AccountBalance> = before;
        const accepted: number[] = [];
        const unstored: string[] = [];
        batch.forEach((w, i) => {
          if (!fresh.has(w.write.key)) return;
          try {
            balances = applyChange(balances, w.write.effects);
            accepted.push(i);
          } catch (error) {
            if (error instanceof InsufficientFundsError) outcomes[i] = { stored: { refused: { kind: 'insufficient-funds', message: error.message } } };
            else {
              // not a final answer: the key is removed so that a corrected retry can use it
              outcomes[i] = { error: error instanceof UnknownAccountError ? new UnknownAccountError(error.account, w.write.fields[error.account] ?? error.field) : error };
              unstored.push(w.write.key);
            }
          }
        });

        const eventCount = accepted.reduce((n, i) => n + batch[i]!.write.effects.events.length, 0);
        const entries: Array<{ entry: Effects['entries'][number]; sequence: bigint }> = [];
        const events: Array<{ event: Effects['events'][number]; sequence: bigint }> = [];
        if (eventCount > 0) {
          const last = await this.repository.allocateSequences(tx, eventCount);
          let next = last - BigInt(eventCount) + 1n;
          for (const i of accepted) {
            const effects = batch[i]!.write.effects;
            const seqs = effects.events.map(() => next++);
            const changeSequence = seqs[seqs.length - 1]!;
            for (const entry of effects.entries) entries.push({ entry, sequence: changeSequence });
            effects.events.forEach((event, k) => events.push({ event, sequence: seqs[k]! }));
            outcomes[i] = { stored: { ok: batch[i]!.write.respond(changeSequence) } };
          }
        }
        const responses: Array<{ key: string; response: Buffer }> = [];
        batch.forEach((w, i) => {
          const o = outcomes[i];
          if (fresh.has(w.write.key) && o !== undefined && 'stored' in o) responses.push({ key: w.write.key, response: Buffer.from(JSON.stringify(o.stored), 'utf8') });
        });
        if (entries.length > 0 || responses.length > 0) await this.repository.writeBatch(tx, { entries, before, after: balances, locked, events, responses });
        if (unstored.length > 0) await tx.query('DELETE FROM ledger.idempotency_keys WHERE idempotency_key = ANY($1::text[])', [unstored]);
        return outcomes.map((o) => o ?? { error: new Error('a combined write got no outcome') });
      },
      this.config.idempotencyWaitMs,
    );
  }
}
