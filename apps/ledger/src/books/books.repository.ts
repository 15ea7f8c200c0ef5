import { Inject, Injectable } from '@nestjs/common';
import {
  applyChange,
  assetKey,
  parseAccountKey,
  systemAccounts,
  type Account,
  type AccountBalance,
  type AccountKey,
  type Asset,
  type Effects,
  type Hold,
  type HoldState,
  type JournalEntry,
  type OutboxEventDraft,
  type Posting,
} from '@custody/ledger-core';
import type { Pool } from 'pg';
import { LEDGER_POOL } from '../ledger.tokens';
import { read, sqlLiteral, type Tx } from './sql';
import { UnknownAssetError } from './books.errors';

/** An asset as stored: the core's asset, its row id and its deposit depth. */
export interface StoredAsset {
  readonly id: string;
  readonly asset: Asset;
  readonly confirmations: number;
}

export interface StoredEntry {
  readonly entry: JournalEntry;
  readonly sequence: bigint;
  /** The row id: the pagination cursor. */
  readonly rowId: string;
}

/** A balance with the outbox sequence number it is as of. */
export interface BalanceAt {
  readonly balance: AccountBalance;
  readonly sequence: bigint;
}

interface BalanceRow {
  id: string;
  account_key: string;
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  credits_pending: string;
}

/**
 * A response stored by the group commit is written before its sequence number is known (the counter
 * row is taken in the same statement): it is made with `RESPONSE_SEQUENCE_PLACEHOLDER` as the
 * sequence, whose JSON member (this token) the statement replaces with the real number. Views put the
 * sequence only in a `sequence` string member; no other member of a view can hold this token.
 */
export const RESPONSE_SEQUENCE_PLACEHOLDER = 18_446_744_073_709_551_617n;
export const RESPONSE_SEQUENCE_TOKEN = `"sequence":"${RESPONSE_SEQUENCE_PLACEHOLDER}"`;

/** The ledger's one outbox stream (the counter row of migrations/ledger). */
export const LEDGER_NAME = 'main';

/**
 * A Postgres array literal (`{"a","b",NULL}`) of `values`, every element quoted with `"` and `\`
 * escaped: the text the server parses for an array parameter, here for a script's `sqlLiteral`.
 */
export function arrayLiteral(values: ReadonlyArray<string | number | bigint | null>): string {
  return `{${values.map((x) => (x === null ? 'NULL' : `"${String(x).replace(/[\\"]/g, (c) => `\\${c}`)}"`)).join(',')}}`;
}

function balanceOf(row: BalanceRow): AccountBalance {
  return {
    account: parseAccountKey(row.account_key),
    debitsPosted: BigInt(row.debits_posted),
    creditsPosted: BigInt(row.credits_posted),
    debitsPending: BigInt(row.debits_pending),
    creditsPending: BigInt(row.credits_pending),
  };
}

/**
 * The SQL of the books: assets, accounts, balances, journal, holds and outbox. Every write of a
 * change goes through `commitChange`, inside the caller's transaction.
 */
@Injectable()
export class BooksRepository {
  /** Assets never change once created: cached by `chain/code`. */
  private readonly assets = new Map<string, StoredAsset>();

  constructor(@Inject(LEDGER_POOL) private readonly pool: Pool) {}

  /** Creates the asset and its four system accounts; an existing identical asset is returned as is. */
  async createAsset(tx: Tx, asset: Asset, confirmations: number): Promise<{ stored: StoredAsset; created: boolean }> {
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO ledger.assets (chain, code, decimals, contract, confirmations) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (chain, code) DO NOTHING RETURNING id`,
      [asset.chain, asset.code, asset.decimals, asset.contract, confirmations],
    );
    if (inserted.length === 0) {
      const existing = await this.findAsset(tx, asset.chain, asset.code);
      if (!existing) throw new Error('asset vanished after a conflicting insert');
      return { stored: existing, created: false };
    }
    const id = inserted[0]!.id;
    for (const account of Object.values(systemAccounts(asset))) await this.insertAccount(tx, account, id);
    return { stored: { id, asset, confirmations }, created: true };
  }

  async findAsset(q: Tx | undefined, chain: string, code: string): Promise<StoredAsset | null> {
    const key = assetKey({ chain, code });
    const cached = this.assets.get(key);
    if (cached) return cached;
    const sql = 'SELECT id, chain, code, decimals, contract, confirmations FROM ledger.assets WHERE chain = $1 AND code = $2';
    const rows = q ? await q.query<AssetRow>(sql, [chain, code]) : await read<AssetRow>(this.pool, sql, [chain, code]);
    if (rows.length === 0) return null;
    const stored = assetFromRow(rows[0]!);
    this.assets.set(key, stored);
    return stored;
  }

  /** The asset, or `UnknownAssetError` naming `field`. */
  async requireAsset(q: Tx | undefined, chain: string, code: string, field: string): Promise<StoredAsset> {
    const found = await this.findAsset(q, chain, code);
    if (!found) throw new UnknownAssetError(`${chain}/${code}`, field);
    return found;
  }

  async listAssets(): Promise<StoredAsset[]> {
    const rows = await read<AssetRow>(this.pool, 'SELECT id, chain, code, decimals, contract, confirmations FROM ledger.assets ORDER BY chain, code');
    return rows.map(assetFromRow);
  }

  /** Opens an account (and its zero balance) if it is not open yet. */
  async insertAccount(tx: Tx, account: Account, assetId: string): Promise<void> {
    const rows = await tx.query<{ id: string }>(
      `INSERT INTO ledger.accounts (account_key, kind, wallet, asset_id, debits_must_not_exceed_credits) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (account_key) DO NOTHING RETURNING id`,
      [account.key, account.kind, account.wallet, assetId, account.flags.debitsMustNotExceedCredits],
    );
    if (rows.length === 1) {
      await tx.query('INSERT INTO ledger.balances (account_id, debits_must_not_exceed_credits) VALUES ($1, $2)', [rows[0]!.id, account.flags.debitsMustNotExceedCredits]);
    }
  }

  async accountExists(q: Tx | undefined, key: AccountKey): Promise<boolean> {
    const sql = 'SELECT 1 FROM ledger.accounts WHERE account_key = $1';
    const rows = q ? await q.query(sql, [key]) : await read(this.pool, sql, [key]);
    return rows.length > 0;
  }

  /**
   * Locks the balance rows of `keys` (SELECT … FOR UPDATE, in account id order, so two changes
   * touching the same accounts never deadlock) and returns them by key, with their row ids.
   * Accounts that are not open are absent.
   */
  async lockBalances(tx: Tx, keys: readonly AccountKey[]): Promise<Map<AccountKey, { id: string; balance: AccountBalance }>> {
    const rows = await tx.query<BalanceRow>(
      `SELECT a.id, a.account_key, b.debits_posted, b.credits_posted, b.debits_pending, b.credits_pending
         FROM ledger.balances b JOIN ledger.accounts a ON a.id = b.account_id
        WHERE a.account_key = ANY($1::text[]) ORDER BY a.id FOR UPDATE OF b`,
      [[...new Set(keys)]],
    );
    return new Map(rows.map((r) => [r.account_key, { id: r.id, balance: balanceOf(r) }]));
  }

  /**
   * Books `effects` in the caller's transaction: locks the balances of every account they touch,
   * applies them with the core's `applyChange` (which refuses an overdraft of a flagged account and
   * an unknown account before anything is written), then writes the entries and postings, the new
   * balances, the holds (a `release` carries the hold as resolved), and the events
   * with sequence numbers from the locked counter row. Returns the change's sequence number (that of
   * its last event). The counter row is locked last, so it is held only for the writes and the commit.
   */
  async commitChange(tx: Tx, effects: Effects): Promise<bigint> {
    if (effects.events.length === 0) throw new Error('a change without an event cannot be committed (it would have no sequence number)');
    const keys: AccountKey[] = [];
    for (const e of effects.entries) for (const p of e.postings) keys.push(p.account);
    for (const op of effects.holdOps) keys.push(op.hold.debitAccount, op.hold.creditAccount);
    const locked = await this.lockBalances(tx, keys);
    const before = new Map<AccountKey, AccountBalance>();
    for (const [key, row] of locked) before.set(key, row.balance);
    const after = applyChange(before, effects);

    const last = await this.allocateSequences(tx, effects.events.length);
    const first = last - BigInt(effects.events.length) + 1n;
    if (effects.entries.length > 0) await this.insertEntries(tx, effects.entries.map((entry) => ({ entry, sequence: last })), locked);
    await this.writeBalances(tx, before, after, locked);
    for (const op of effects.holdOps) {
      if (op.op === 'open') await this.insertHold(tx, op.hold, locked, last);
      else await this.resolveHold(tx, op.hold, last);
    }
    await this.insertEvents(tx, effects.events.map((event, i) => ({ event, sequence: first + BigInt(i) })));
    return last;
  }

  /** Takes `count` sequence numbers from the counter row (locking it until commit); returns the last. */
  async allocateSequences(tx: Tx, count: number): Promise<bigint> {
    const rows = await tx.query<{ last_sequence: string }>('UPDATE ledger.outbox_counters SET last_sequence = last_sequence + $2 WHERE ledger = $1 RETURNING last_sequence', [LEDGER_NAME, count]);
    if (rows.length !== 1) throw new Error('the outbox counter row is missing');
    return BigInt(rows[0]!.last_sequence);
  }

  /** Writes the balances in `after` that differ from `before` (rows locked by `lockBalances`). */
  async writeBalances(tx: Tx, before: ReadonlyMap<AccountKey, AccountBalance>, after: ReadonlyMap<AccountKey, AccountBalance>, locked: Map<AccountKey, { id: string }>): Promise<void> {
    const changed = [...after].filter(([key, b]) => b !== before.get(key));
    if (changed.length === 0) return;
    await tx.query(
      `UPDATE ledger.balances b SET debits_posted = v.dp, credits_posted = v.cp, debits_pending = v.dn, credits_pending = v.cn
         FROM unnest($1::bigint[], $2::numeric[], $3::numeric[], $4::numeric[], $5::numeric[]) AS v(id, dp, cp, dn, cn)
        WHERE b.account_id = v.id`,
      [
        changed.map(([key]) => locked.get(key)!.id),
        changed.map(([, b]) => b.debitsPosted.toString()),
        changed.map(([, b]) => b.creditsPosted.toString()),
        changed.map(([, b]) => b.debitsPending.toString()),
        changed.map(([, b]) => b.creditsPending.toString()),
      ],
    );
  }

  /**
   * The opening statement of a group commit (./transfer-combiner.ts), as a script: inserts the
   * idempotency keys (in key order, so two ledgers inserting overlapping keys wait in one order) and
   * returns those that were new. A key that exists (or that a concurrent transaction holds: the
   * insert waits for it) is not returned.
   */
  insertKeysScript(keys: ReadonlyArray<{ key: string; method: string; hash: Buffer }>): string {
    return `INSERT INTO ledger.idempotency_keys (idempotency_key, method, request_hash)
      SELECT v.k, v.m, decode(v.h, 'hex')
        FROM unnest(${sqlLiteral(arrayLiteral(keys.map((k) => k.key)))}::text[], ${sqlLiteral(arrayLiteral(keys.map((k) => k.method)))}::text[], ${sqlLiteral(arrayLiteral(keys.map((k) => k.hash.toString('hex'))))}::text[]) AS v(k, m, h)
       ORDER BY v.k
      ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key`;
  }

  /**
   * The closing statement of a group commit, as a script sent with its COMMIT: takes the changes'
   * sequence numbers from the counter row (so the row is locked only for this statement and the
   * commit), and writes the entries and their postings, the changed balances, the events and the
   * stored responses, as data-modifying CTEs (each runs once, to completion). Sequence numbers are
   * given as offsets from the counter's value before the statement; a response's
   * `RESPONSE_SEQUENCE_TOKEN` becomes its change's number. Returns `base` (null if no sequence was
   * taken). Without the counter row every sequence is null and the NOT NULL columns refuse the lot.
   */
  closingScript(batch: {
    sequences: number;
    entries: ReadonlyArray<{ entry: JournalEntry; offset: number }>;
    before: ReadonlyMap<AccountKey, AccountBalance>;
    after: ReadonlyMap<AccountKey, AccountBalance>;
    locked: Map<AccountKey, { id: string }>;
    events: ReadonlyArray<{ event: OutboxEventDraft; offset: number }>;
    responses: ReadonlyArray<{ key: string; response: string; offset: number }>;
  }): string {
    const postings = batch.entries.flatMap(({ entry }) => entry.postings.map((p, i) => ({ entry: entry.id, i, account: batch.locked.get(p.account)!.id, side: p.side, amount: p.amount.toString() })));
    const changed = [...batch.after].filter(([key, b]) => b !== batch.before.get(key));
    const a = (values: ReadonlyArray<string | number | bigint | null>, type: string): string => `${sqlLiteral(arrayLiteral(values))}::${type}[]`;
    const base = '(SELECT base FROM c)';
    const counter =
      batch.sequences > 0
        ? `UPDATE ledger.outbox_counters SET last_sequence = last_sequence + ${batch.sequences} WHERE ledger = ${sqlLiteral(LEDGER_NAME)} RETURNING last_sequence - ${batch.sequences} AS base`
        : 'SELECT NULL::bigint AS base WHERE false';
    return `WITH c AS (${counter}),
       e AS (
         INSERT INTO ledger.journal_entries (entry_id, kind, reverses, sequence)
         SELECT v.e, v.k, v.r, ${base} + v.o
           FROM unnest(${a(batch.entries.map((e) => e.entry.id), 'text')}, ${a(batch.entries.map((e) => e.entry.kind), 'text')}, ${a(batch.entries.map((e) => e.entry.reverses), 'text')}, ${a(batch.entries.map((e) => e.offset), 'bigint')})
                WITH ORDINALITY AS v(e, k, r, o, n) ORDER BY v.n
         RETURNING id, entry_id
       ), p AS (
         INSERT INTO ledger.postings (entry_id, index, account_id, side, amount)
         SELECT e.id, v.i, v.a, v.sd, v.amt
           FROM unnest(${a(postings.map((p) => p.entry), 'text')}, ${a(postings.map((p) => p.i), 'smallint')}, ${a(postings.map((p) => p.account), 'bigint')}, ${a(postings.map((p) => p.side), 'text')}, ${a(postings.map((p) => p.amount), 'numeric')})
                AS v(ek, i, a, sd, amt) JOIN e ON e.entry_id = v.ek
       ), b AS (
         UPDATE ledger.balances b SET debits_posted = v.dp, credits_posted = v.cp, debits_pending = v.dn, credits_pending = v.cn
           FROM unnest(${a(changed.map(([key]) => batch.locked.get(key)!.id), 'bigint')}, ${a(changed.map(([, b]) => b.debitsPosted), 'numeric')}, ${a(changed.map(([, b]) => b.creditsPosted), 'numeric')},
                       ${a(changed.map(([, b]) => b.debitsPending), 'numeric')}, ${a(changed.map(([, b]) => b.creditsPending), 'numeric')}) AS v(id, dp, cp, dn, cn)
          WHERE b.account_id = v.id
       ), o AS (
         INSERT INTO ledger.outbox (ledger, sequence, event_type, subject, data)
         SELECT ${sqlLiteral(LEDGER_NAME)}, ${base} + v.o, v.t, v.subj, v.d
           FROM unnest(${a(batch.events.map((e) => e.offset), 'bigint')}, ${a(batch.events.map((e) => e.event.type), 'text')}, ${a(batch.events.map((e) => e.event.subject), 'text')}, ${a(batch.events.map((e) => JSON.stringify(e.event.data)), 'jsonb')}) AS v(o, t, subj, d)
       ), k AS (
         UPDATE ledger.idempotency_keys k
            SET response = convert_to(CASE WHEN v.o = 0 THEN v.r ELSE replace(v.r, ${sqlLiteral(RESPONSE_SEQUENCE_TOKEN)}, '"sequence":"' || (${base} + v.o)::text || '"') END, 'UTF8'),
                completed_at = now()
           FROM unnest(${a(batch.responses.map((r) => r.key), 'text')}, ${a(batch.responses.map((r) => r.response), 'text')}, ${a(batch.responses.map((r) => r.offset), 'bigint')}) AS v(key, r, o)
          WHERE k.idempotency_key = v.key
       )
       SELECT ${base} AS base`;
  }

  async insertEvents(tx: Tx, events: ReadonlyArray<{ event: OutboxEventDraft; sequence: bigint }>): Promise<void> {
    await tx.query(
      `INSERT INTO ledger.outbox (ledger, sequence, event_type, subject, data)
       SELECT $1, s, t, subj, d FROM unnest($2::bigint[], $3::text[], $4::text[], $5::jsonb[]) AS v(s, t, subj, d)`,
      [LEDGER_NAME, events.map((e) => e.sequence.toString()), events.map((e) => e.event.type), events.map((e) => e.event.subject), events.map((e) => JSON.stringify(e.event.data))],
    );
  }

  async insertEntries(tx: Tx, entries: ReadonlyArray<{ entry: JournalEntry; sequence: bigint }>, locked: Map<AccountKey, { id: string }>): Promise<void> {
    const ids = await tx.query<{ id: string; entry_id: string }>(
      `INSERT INTO ledger.journal_entries (entry_id, kind, reverses, sequence)
       SELECT e, k, r, s FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) WITH ORDINALITY AS v(e, k, r, s, n) ORDER BY n
       RETURNING id, entry_id`,
      [entries.map((e) => e.entry.id), entries.map((e) => e.entry.kind), entries.map((e) => e.entry.reverses), entries.map((e) => e.sequence.toString())],
    );
    const rowOf = new Map(ids.map((r) => [r.entry_id, r.id]));
    const entryIds: string[] = [];
    const indexes: number[] = [];
    const accounts: string[] = [];
    const sides: string[] = [];
    const amounts: string[] = [];
    for (const { entry: e } of entries) {
      e.postings.forEach((p, i) => {
        entryIds.push(rowOf.get(e.id)!);
        indexes.push(i);
        accounts.push(locked.get(p.account)!.id);
        sides.push(p.side);
        amounts.push(p.amount.toString());
      });
    }
    await tx.query(
      `INSERT INTO ledger.postings (entry_id, index, account_id, side, amount)
       SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::bigint[], $4::text[], $5::numeric[])`,
      [entryIds, indexes, accounts, sides, amounts],
    );
  }

  private async insertHold(tx: Tx, hold: Hold, locked: Map<AccountKey, { id: string }>, sequence: bigint): Promise<void> {
    const [chain, code] = hold.asset.split('/') as [string, string];
    const asset = await this.requireAsset(tx, chain, code, 'asset');
    await tx.query(
      `INSERT INTO ledger.holds (hold_id, asset_id, debit_account_id, credit_account_id, amount, state, expires_at, created_sequence)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7)`,
      [hold.id, asset.id, locked.get(hold.debitAccount)!.id, locked.get(hold.creditAccount)!.id, hold.amount.toString(), hold.expiresAt === null ? null : new Date(hold.expiresAt), sequence.toString()],
    );
  }

  private async resolveHold(tx: Tx, hold: Hold, sequence: bigint): Promise<void> {
    if (hold.state === 'pending') throw new Error(`hold ${hold.id} released but still pending`);
    const rows = await tx.query(
      `UPDATE ledger.holds SET state = $2, posted_amount = $3, resolved_sequence = $4, resolved_at = now()
        WHERE hold_id = $1 AND state = 'pending' RETURNING 1`,
      [hold.id, hold.state, hold.postedAmount.toString(), sequence.toString()],
    );
    if (rows.length !== 1) throw new Error(`hold ${hold.id} was not pending`);
  }

  /** A hold by id, locked for the transition that follows. */
  async lockHold(tx: Tx, holdId: string): Promise<Hold | null> {
    const rows = await tx.query<HoldRow>(`${HOLD_SELECT} WHERE h.hold_id = $1 FOR UPDATE OF h`, [holdId]);
    return rows.length ? holdFromRow(rows[0]!) : null;
  }

  async getHold(holdId: string): Promise<Hold | null> {
    const rows = await read<HoldRow>(this.pool, `${HOLD_SELECT} WHERE h.hold_id = $1`, [holdId]);
    return rows.length ? holdFromRow(rows[0]!) : null;
  }

  /** Ids of pending holds whose deadline is at or before `now`, oldest first. */
  async dueHolds(now: number, limit: number): Promise<string[]> {
    const rows = await read<{ hold_id: string }>(
      this.pool,
      "SELECT hold_id FROM ledger.holds WHERE state = 'pending' AND expires_at IS NOT NULL AND expires_at <= $1 ORDER BY expires_at, hold_id LIMIT $2",
      [new Date(now), limit],
    );
    return rows.map((r) => r.hold_id);
  }

  /** Ids (`withdrawal/<id>`) of requested and approved withdrawals whose deadline is at or before `now`, oldest deadline first. */
  async dueWithdrawals(now: number, limit: number): Promise<string[]> {
    const rows = await read<{ withdrawal_id: string }>(
      this.pool,
      "SELECT withdrawal_id FROM ledger.withdrawals WHERE state IN ('requested', 'approved') AND expires_at <= $1 ORDER BY expires_at, withdrawal_id LIMIT $2",
      [new Date(now), limit],
    );
    return rows.map((r) => r.withdrawal_id);
  }

  /** The current balance of an open account, or null. */
  async balance(key: AccountKey): Promise<BalanceAt | null> {
    const rows = await read<BalanceRow & { seq: string }>(
      this.pool,
      `SELECT a.id, a.account_key, b.debits_posted, b.credits_posted, b.debits_pending, b.credits_pending,
              (SELECT last_sequence FROM ledger.outbox_counters WHERE ledger = $2) AS seq
         FROM ledger.balances b JOIN ledger.accounts a ON a.id = b.account_id WHERE a.account_key = $1`,
      [key, LEDGER_NAME],
    );
    return rows.length ? { balance: balanceOf(rows[0]!), sequence: BigInt(rows[0]!.seq) } : null;
  }

  /**
   * The balance as of outbox sequence `sequence`, recomputed from the journal (entries booked at or
   * before it) and the holds (opened at or before it, not resolved by then), in one snapshot.
   */
  async balanceAsOf(key: AccountKey, sequence: bigint): Promise<BalanceAt | null> {
    const rows = await read<BalanceRow>(
      this.pool,
      `WITH a AS (SELECT id, account_key FROM ledger.accounts WHERE account_key = $1)
       SELECT a.id, a.account_key,
         (SELECT COALESCE(sum(p.amount), 0) FROM ledger.postings p JOIN ledger.journal_entries e ON e.id = p.entry_id WHERE p.account_id = a.id AND p.side = 'debit' AND e.sequence <= $2) AS debits_posted,
         (SELECT COALESCE(sum(p.amount), 0) FROM ledger.postings p JOIN ledger.journal_entries e ON e.id = p.entry_id WHERE p.account_id = a.id AND p.side = 'credit' AND e.sequence <= $2) AS credits_posted,
         (SELECT COALESCE(sum(h.amount), 0) FROM ledger.holds h WHERE h.debit_account_id = a.id AND h.created_sequence <= $2 AND (h.resolved_sequence IS NULL OR h.resolved_sequence > $2)) AS debits_pending,
         (SELECT COALESCE(sum(h.amount), 0) FROM ledger.holds h WHERE h.credit_account_id = a.id AND h.created_sequence <= $2 AND (h.resolved_sequence IS NULL OR h.resolved_sequence > $2)) AS credits_pending
       FROM a`,
      [key, sequence.toString()],
    );
    return rows.length ? { balance: balanceOf(rows[0]!), sequence } : null;
  }

  /** The asset of a stored deposit, or null if there is no such deposit. */
  async depositAsset(depositId: string, q?: Tx): Promise<StoredAsset | null> {
    const sql = 'SELECT s.id, s.chain, s.code, s.decimals, s.contract, s.confirmations FROM ledger.deposits d JOIN ledger.assets s ON s.id = d.asset_id WHERE d.deposit_id = $1';
    const rows = q ? await q.query<AssetRow>(sql, [depositId]) : await read<AssetRow>(this.pool, sql, [depositId]);
    return rows.length ? assetFromRow(rows[0]!) : null;
  }

  async withdrawal(withdrawalId: string): Promise<{ document: unknown; sourceAddress: string | null } | null> {
    const rows = await read<{ document: unknown; source_address: string | null }>(this.pool, 'SELECT document, source_address FROM ledger.withdrawals WHERE withdrawal_id = $1', [withdrawalId]);
    return rows.length ? { document: rows[0]!.document, sourceAddress: rows[0]!.source_address } : null;
  }

  /**
   * What the ledger says is held on chain per (chain, asset, address): deposits credited to the
   * address, less withdrawals confirmed from it (their amount; their fee, in the asset it was paid in). Withdrawals without a source address are reported under address ''.
   */
  async heldOnChain(chain: string | null): Promise<Array<{ chain: string; code: string; decimals: number; address: string; amount: bigint }>> {
    const rows = await read<{ chain: string; code: string; decimals: number; address: string; amount: string }>(
      this.pool,
      `WITH flows AS (
         SELECT d.asset_id, d.address, d.amount AS delta FROM ledger.deposits d WHERE d.state = 'credited'
         UNION ALL
         SELECT w.asset_id, COALESCE(w.source_address, ''), -(w.amount + CASE WHEN (w.document->>'feeAsset') = (s.chain || '/' || s.code) THEN COALESCE(w.fee_actual, 0) ELSE 0 END)
           FROM ledger.withdrawals w JOIN ledger.assets s ON s.id = w.asset_id WHERE w.state = 'confirmed'
         UNION ALL
         SELECT fa.id, COALESCE(w.source_address, ''), -COALESCE(w.fee_actual, 0)
           FROM ledger.withdrawals w JOIN ledger.assets s ON s.id = w.asset_id
           JOIN ledger.assets fa ON fa.chain = s.chain AND (fa.chain || '/' || fa.code) = (w.document->>'feeAsset')
          WHERE w.state = 'confirmed' AND fa.id <> w.asset_id
       )
       SELECT s.chain, s.code, s.decimals, f.address, sum(f.delta)::text AS amount
         FROM flows f JOIN ledger.assets s ON s.id = f.asset_id
        WHERE $1::text IS NULL OR s.chain = $1
        GROUP BY s.chain, s.code, s.decimals, f.address ORDER BY s.chain, s.code, f.address`,
      [chain],
    );
    return rows.map((r) => ({ chain: r.chain, code: r.code, decimals: r.decimals, address: r.address, amount: BigInt(r.amount) }));
  }

  async lastSequence(): Promise<bigint> {
    const rows = await read<{ last_sequence: string }>(this.pool, 'SELECT last_sequence FROM ledger.outbox_counters WHERE ledger = $1', [LEDGER_NAME]);
    return BigInt(rows[0]?.last_sequence ?? '0');
  }

  /** Entries after the cursor `afterRowId` (0: from the start), optionally only those touching `account`. */
  async entries(account: AccountKey | null, afterRowId: bigint, limit: number): Promise<StoredEntry[]> {
    const heads = await read<{ id: string; entry_id: string; kind: string; reverses: string | null; sequence: string }>(
      this.pool,
      account === null
        ? 'SELECT id, entry_id, kind, reverses, sequence FROM ledger.journal_entries WHERE id > $1 ORDER BY id LIMIT $2'
        : `SELECT e.id, e.entry_id, e.kind, e.reverses, e.sequence FROM ledger.journal_entries e
            WHERE e.id > $1 AND e.id IN (SELECT p.entry_id FROM ledger.postings p JOIN ledger.accounts a ON a.id = p.account_id WHERE a.account_key = $3)
            ORDER BY e.id LIMIT $2`,
      account === null ? [afterRowId.toString(), limit] : [afterRowId.toString(), limit, account],
    );
    if (heads.length === 0) return [];
    const postings = await read<{ entry_id: string; account_key: string; side: 'debit' | 'credit'; amount: string; chain: string; code: string }>(
      this.pool,
      `SELECT p.entry_id, a.account_key, p.side, p.amount, s.chain, s.code FROM ledger.postings p
         JOIN ledger.accounts a ON a.id = p.account_id JOIN ledger.assets s ON s.id = a.asset_id
        WHERE p.entry_id = ANY($1::bigint[]) ORDER BY p.entry_id, p.index`,
      [heads.map((h) => h.id)],
    );
    const byEntry = new Map<string, Posting[]>();
    for (const p of postings) {
      const list = byEntry.get(p.entry_id) ?? [];
      list.push({ account: p.account_key, asset: assetKey({ chain: p.chain, code: p.code }), side: p.side, amount: BigInt(p.amount) });
      byEntry.set(p.entry_id, list);
    }
    return heads.map((h) => ({
      rowId: h.id,
      sequence: BigInt(h.sequence),
      entry: { id: h.entry_id, kind: h.kind as JournalEntry['kind'], reverses: h.reverses, postings: byEntry.get(h.id) ?? [] },
    }));
  }

  /** The entry with this id, if booked. */
  async entry(entryId: string): Promise<StoredEntry | null> {
    const rows = await read<{ id: string }>(this.pool, 'SELECT id FROM ledger.journal_entries WHERE entry_id = $1', [entryId]);
    if (rows.length === 0) return null;
    const [found] = await this.entries(null, BigInt(rows[0]!.id) - 1n, 1);
    return found ?? null;
  }

  /** Outbox events after `after`, at most `limit`. */
  async outbox(after: bigint, limit: number): Promise<Array<{ sequence: bigint; type: string; subject: string; data: unknown }>> {
    const rows = await read<{ sequence: string; event_type: string; subject: string; data: unknown }>(
      this.pool,
      'SELECT sequence, event_type, subject, data FROM ledger.outbox WHERE ledger = $1 AND sequence > $2 ORDER BY sequence LIMIT $3',
      [LEDGER_NAME, after.toString(), limit],
    );
    return rows.map((r) => ({ sequence: BigInt(r.sequence), type: r.event_type, subject: r.subject, data: r.data }));
  }
}

interface AssetRow {
  id: string;
  chain: string;
  code: string;
  decimals: number;
  contract: string | null;
  confirmations: number;
}

function assetFromRow(r: AssetRow): StoredAsset {
  return { id: r.id, asset: { chain: r.chain, code: r.code, decimals: r.decimals, contract: r.contract }, confirmations: r.confirmations };
}

interface HoldRow {
  hold_id: string;
  chain: string;
  code: string;
  debit_key: string;
  credit_key: string;
  amount: string;
  posted_amount: string;
  state: HoldState;
  expires_at: Date | null;
}

const HOLD_SELECT = `SELECT h.hold_id, s.chain, s.code, d.account_key AS debit_key, c.account_key AS credit_key, h.amount, h.posted_amount, h.state, h.expires_at
  FROM ledger.holds h JOIN ledger.assets s ON s.id = h.asset_id
  JOIN ledger.accounts d ON d.id = h.debit_account_id JOIN ledger.accounts c ON c.id = h.credit_account_id`;

function holdFromRow(r: HoldRow): Hold {
  return {
    id: r.hold_id,
    asset: assetKey({ chain: r.chain, code: r.code }),
    debitAccount: r.debit_key,
    creditAccount: r.credit_key,
    amount: BigInt(r.amount),
    postedAmount: BigInt(r.posted_amount),
    state: r.state,
    expiresAt: r.expires_at === null ? null : r.expires_at.getTime(),
  };
}
