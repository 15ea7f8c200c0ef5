import { Inject, Injectable } from '@nestjs/common';
import { IdempotencyConflictError, IllegalTransitionError, InsufficientFundsError, requestHash, validateIdentifier } from '@custody/ledger-core';
import type { Pool } from 'pg';
import type { LedgerConfig } from '../config';
import { LEDGER_CONFIG, LEDGER_POOL } from '../ledger.tokens';
import { LockTimeoutError, StoredRefusal, type StoredRefusalKind } from './books.errors';
import { inTransaction, sqlState, type Tx } from './sql';

export type Stored<T> = { readonly ok: T } | { readonly refused: { readonly kind: StoredRefusalKind; readonly message: string } };

function refusalKind(error: unknown): StoredRefusalKind | null {
  if (error instanceof IllegalTransitionError) return 'illegal-transition';
  if (error instanceof InsufficientFundsError) return 'insufficient-funds';
  return null;
}

/** Tries of a transaction Postgres ended as a deadlock victim (40P01) or a serialization failure (40001): it was rolled back whole, so it is run again. */
const CONFLICT_TRIES = 3;

/** A transaction Postgres aborted because of a concurrent one: nothing of it was written, another try may succeed. */
export function isTransactionConflict(error: unknown): boolean {
  const state = sqlState(error);
  return state === '40P01' || state === '40001';
}

/** A lock wait over the bound, or a conflict that outlived its tries: LockTimeoutError (ABORTED, retryable) instead of an internal error. */
export function lockTimeout(error: unknown): unknown {
  if (sqlState(error) === '55P03') return new LockTimeoutError('timed out waiting for a concurrent request with the same idempotency key or on the same account; retry');
  if (isTransactionConflict(error)) return new LockTimeoutError('the write conflicted with concurrent writes on the same accounts (deadlock); nothing was written; retry');
  return error;
}

/** `attempt` again (up to CONFLICT_TRIES in all) while Postgres rolls it back as a deadlock victim or a serialization failure. */
async function retryingConflicts<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransactionConflict(error) || tries >= CONFLICT_TRIES) throw error;
    }
  }
}

function answerOf<T>(outcome: Stored<T>): T {
  if ('ok' in outcome) return outcome.ok;
  throw new StoredRefusal(outcome.refused.kind, outcome.refused.message);
}

/** The stored hash of a request: the core's canonical request hash, the idempotency key itself left out. */
export function hashRequest(method: string, request: unknown): Buffer {
  const body = typeof request === 'object' && request !== null ? Object.fromEntries(Object.entries(request).filter(([k]) => k !== 'idempotencyKey')) : request;
  return Buffer.from(requestHash(method, body), 'hex');
}

/**
 * Every write of the ledger runs here (plain transfers in groups: ./transfer-combiner.ts), in one transaction that starts by inserting its idempotency
 * key (with the method and the hash of the request):
 *
 * - a new key: the write runs; its response (or its final refusal: an illegal transition or
 *   insufficient funds) is stored with the key in the same transaction, so a key is either absent
 *   (nothing happened) or present with the answer;
 * - a key that is committed: the stored answer is returned, the same JSON and so the same protobuf
 *   bytes; a different method or request hash is `IdempotencyConflictError` (ALREADY_EXISTS);
 * - a key whose first request is still running: the INSERT waits for it (Postgres blocks on the
 *   uncommitted row) and then answers as above; after `LEDGER_IDEMPOTENCY_WAIT_MS` it gives up with
 *   `LockTimeoutError` (ABORTED, retryable). If the first request fails without an answer (a crash,
 *   a bad argument found in the database), its key is rolled back and the waiting one runs.
 *
 * The bound applies to every lock wait of the transaction (balance rows too).
 */
@Injectable()
export class IdempotentWriter {
  constructor(
    @Inject(LEDGER_POOL) private readonly pool: Pool,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async write<T>(method: string, idempotencyKey: unknown, request: unknown, run: (tx: Tx) => Promise<T>): Promise<T> {
    const key = validateIdentifier(idempotencyKey, 'idempotency_key');
    const hash = hashRequest(method, request);
    let outcome: Stored<T>;
    try {
      outcome = await retryingConflicts(() => inTransaction(this.pool, (tx) => this.writeIn(tx, method, key, hash, run), this.config.idempotencyWaitMs));
    } catch (error) {
      throw lockTimeout(error);
    }
    return answerOf(outcome);
  }

  /**
   * Several writes, each with its own key, in ONE transaction (one commit for all: the group commit of
   * ApplyDepositEvents), each answered on its own: a write that fails without a final answer is
   * rolled back to its savepoint (its key too, as `write` would roll back its transaction) and
   * answered with its error; the others stay. Writes run in order; a key given twice is answered the
   * second time from what the first stored. A failure of the transaction itself fails them all.
   *
   * `prepare` runs first, in the same transaction: it takes every lock the writes will need, in the
   * order single writes take theirs (ledger-level locks, then balances by account id), so a batch
   * never holds the outbox counter (taken by its first write) while it waits for a balance a single
   * write holds while waiting for the counter. A deadlock Postgres still finds rolls back the whole
   * batch, which is run again (CONFLICT_TRIES); an event never commits half a batch's view.
   */
  async writeEach<T>(
    writes: ReadonlyArray<{ method: string; idempotencyKey: unknown; request: unknown; run: (tx: Tx) => Promise<T> }>,
    prepare?: (tx: Tx) => Promise<void>,
  ): Promise<Array<{ ok: T } | { error: unknown }>> {
    try {
      return await retryingConflicts(() => inTransaction(
        this.pool,
        async (tx) => {
          if (prepare) await prepare(tx);
          const answers: Array<{ ok: T } | { error: unknown }> = [];
          for (const w of writes) {
            let key: string;
            try {
              key = validateIdentifier(w.idempotencyKey, 'idempotency_key');
            } catch (error) {
              answers.push({ error });
              continue;
            }
            await tx.query('SAVEPOINT ledger_write');
            try {
              const outcome = await this.writeIn(tx, w.method, key, hashRequest(w.method, w.request), w.run);
              await tx.query('RELEASE SAVEPOINT ledger_write');
              answers.push('ok' in outcome ? { ok: outcome.ok } : { error: new StoredRefusal(outcome.refused.kind, outcome.refused.message) });
            } catch (error) {
              // A deadlock or serialization failure ends the whole transaction: it is tried again.
              if (isTransactionConflict(error)) throw error;
              await tx.query('ROLLBACK TO SAVEPOINT ledger_write');
              answers.push({ error: lockTimeout(error) });
            }
          }
          return answers;
        },
        this.config.idempotencyWaitMs,
      ));
    } catch (error) {
      throw lockTimeout(error);
    }
  }

  /** One write's key and change in `tx`: the stored answer of a known key, or the run's answer stored with a new one. */
  private async writeIn<T>(tx: Tx, method: string, key: string, hash: Buffer, run: (tx: Tx) => Promise<T>): Promise<Stored<T>> {
    const inserted = await tx.query('INSERT INTO ledger.idempotency_keys (idempotency_key, method, request_hash) VALUES ($1, $2, $3) ON CONFLICT (idempotency_key) DO NOTHING RETURNING 1', [
      key,
      method,
      hash,
    ]);
    if (inserted.length === 0) return this.stored<T>(tx, key, method, hash);
    let answer: Stored<T>;
    try {
      answer = { ok: await run(tx) };
    } catch (error) {
      // Final refusals are found before the change writes anything (the core decides on the
      // locked rows first), so only the key row is written with them.
      const kind = refusalKind(error);
      if (kind === null) throw error;
      answer = { refused: { kind, message: (error as Error).message } };
    }
    await tx.query('UPDATE ledger.idempotency_keys SET response = $2, completed_at = now() WHERE idempotency_key = $1', [key, Buffer.from(JSON.stringify(answer), 'utf8')]);
    return answer;
  }

  private async stored<T>(tx: Tx, key: string, method: string, hash: Buffer): Promise<Stored<T>> {
    const rows = await tx.query<{ method: string; request_hash: Buffer; response: Buffer | null }>('SELECT method, request_hash, response FROM ledger.idempotency_keys WHERE idempotency_key = $1', [key]);
    const row = rows[0];
    if (!row || row.response === null) throw new Error('an idempotency key was committed without its response');
    if (row.method !== method || !row.request_hash.equals(hash)) throw new IdempotencyConflictError(key);
    return JSON.parse(row.response.toString('utf8')) as Stored<T>;
  }
}
