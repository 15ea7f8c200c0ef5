import { Inject, Injectable } from '@nestjs/common';
import { applyChange, IdempotencyConflictError, InsufficientFundsError, UnknownAccountError, type AccountBalance, type AccountKey, type Effects } from '@custody/ledger-core';
import type { Pool } from 'pg';
import type { LedgerConfig } from '../config';
import { LEDGER_CONFIG, LEDGER_POOL } from '../ledger.tokens';
import { StoredRefusal, type StoredRefusalKind } from './books.errors';
import { lockTimeout } from './idempotent-writer';
import { BooksRepository, RESPONSE_SEQUENCE_PLACEHOLDER, RESPONSE_SEQUENCE_TOKEN } from './books.repository';
import { inScriptedTransaction } from './sql';

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
/** Combined transactions at once in a process (one committing, the next preparing). */
export const MAX_IN_FLIGHT = 2;

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
 *    stored responses are written in one statement that also takes the sequence numbers from the
 *    counter row, sent with the COMMIT that acknowledges them all.
 *
 * So a batch costs three round trips whatever its size (BEGIN + keys; the balance locks; writes +
 * COMMIT: ./sql.ts `inScriptedTransaction`), and the counter row is locked only for the last one.
 * A batch starts one event-loop turn after the first write arrives (or after the last batch was
 * answered), so writes submitted together, and callers that come straight back, are booked together.
 *
 * Up to MAX_IN_FLIGHT combined transactions run at once in a process: the counter row still commits
 * them one at a time, but the next batch inserts its keys and locks its balances while the one before
 * it commits. No key is in two of them at once; balances are locked in id order and the counter last,
 * as every other write does, so they never deadlock. If a transaction fails, every write of it fails
 * with that error and nothing of it is booked.
 */
@Injectable()
export class TransferCombiner {
  private queue: Waiting[] = [];
  private workers = 0;
  /** Keys of the batches being booked: a repeat waits for the next batch (and is answered from what the first stored). */
  private readonly inFlight = new Set<string>();

  constructor(
    @Inject(LEDGER_POOL) private readonly pool: Pool,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly repository: BooksRepository,
  ) {}

  submit<T>(write: CombinedWrite<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (this.workers < MAX_IN_FLIGHT) {
        this.workers += 1;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** One turn of the event loop: the writes submitted meanwhile (callers answered by the last commit that come straight back) join the next batch. */
  private static nextTurn(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  private async drain(): Promise<void> {
    try {
      for (; this.queue.length > 0; await TransferCombiner.nextTurn()) {
        // A key appears at most once in the batches being booked; a repeat waits for a later one.
        const batch: Waiting[] = [];
        const rest: Waiting[] = [];
        let entries = 0;
        for (const w of this.queue) {
          const size = w.write.effects.entries.length;
          if (batch.length < MAX_COMBINED && !this.inFlight.has(w.write.key) && (batch.length === 0 || entries + size <= MAX_COMBINED_ENTRIES)) {
            batch.push(w);
            this.inFlight.add(w.write.key);
            entries += size;
          } else rest.push(w);
        }
        this.queue = rest;
        // Only repeats of keys another batch is booking: that batch's worker takes them next.
        if (batch.length === 0) return;
        try {
          const outcomes = await this.book(batch);
          batch.forEach((w, i) => {
            const o = outcomes[i]!;
            if ('error' in o) w.reject(o.error);
            else if ('ok' in o.stored) w.resolve(o.stored.ok);
            else w.reject(new StoredRefusal(o.stored.refused.kind, o.stored.refused.message));
          });
        } catch (error) {
          const mapped = lockTimeout(error);
          for (const w of batch) w.reject(mapped);
        } finally {
          for (const w of batch) this.inFlight.delete(w.write.key);
        }
      }
    } finally {
      this.workers -= 1;
    }
  }

  private async book(batch: readonly Waiting[]): Promise<Array<{ stored: Stored<unknown> } | { error: unknown }>> {
    const opening = this.repository.insertKeysScript(batch.map((w) => ({ key: w.write.key, method: w.write.method, hash: w.write.hash })));
    return inScriptedTransaction(this.pool, this.config.idempotencyWaitMs, opening, async (tx, insertedRows) => {
      const fresh = new Set(insertedRows.map((r) => String(r.idempotency_key)));
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
      const locked = accounts.length > 0 ? await this.repository.lockBalances(tx, accounts) : new Map<AccountKey, { id: string; balance: AccountBalance }>();
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
      if (unstored.length > 0) await tx.query('DELETE FROM ledger.idempotency_keys WHERE idempotency_key = ANY($1::text[])', [unstored]);

      // Sequence numbers as offsets from the counter's value, which the closing statement reads (and
      // locks) with the writes: each change its own numbers, in arrival order.
      const entries: Array<{ entry: Effects['entries'][number]; offset: number }> = [];
      const events: Array<{ event: Effects['events'][number]; offset: number }> = [];
      const changeOffset = new Map<number, number>();
      let offset = 0;
      for (const i of accepted) {
        const effects = batch[i]!.write.effects;
        const first = offset + 1;
        offset += effects.events.length;
        for (const entry of effects.entries) entries.push({ entry, offset });
        effects.events.forEach((event, k) => events.push({ event, offset: first + k }));
        changeOffset.set(i, offset);
      }
      const responses: Array<{ key: string; response: string; offset: number }> = [];
      for (const i of accepted) {
        const text = JSON.stringify({ ok: batch[i]!.write.respond(RESPONSE_SEQUENCE_PLACEHOLDER) });
        if (!text.includes(RESPONSE_SEQUENCE_TOKEN)) throw new Error('a combined response does not carry its sequence number where the group commit writes it');
        responses.push({ key: batch[i]!.write.key, response: text, offset: changeOffset.get(i)! });
      }
      batch.forEach((w, i) => {
        const o = outcomes[i];
        if (fresh.has(w.write.key) && o !== undefined && 'stored' in o) responses.push({ key: w.write.key, response: JSON.stringify(o.stored), offset: 0 });
      });
      const closing = responses.length > 0 ? this.repository.closingScript({ sequences: offset, entries, before, after: balances, locked, events, responses }) : '';
      return {
        closing,
        finish: (rows) => {
          if (offset > 0) {
            const base: unknown = rows[0]?.base;
            if (typeof base !== 'string' || !/^[0-9]+$/.test(base)) throw new Error('the group commit took no sequence numbers');
            for (const i of accepted) outcomes[i] = { stored: { ok: batch[i]!.write.respond(BigInt(base) + BigInt(changeOffset.get(i)!)) } };
          }
          return outcomes.map((o) => o ?? { error: new Error('a combined write got no outcome') });
        },
      };
    });
  }
}
