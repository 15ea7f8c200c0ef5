import { assetKey, checkLedger, parseAccountKey, type AccountBalance, type Hold, type HoldState, type JournalEntry, type LedgerSnapshot, type Posting, type Violation, type WithdrawalState, type WithdrawalSummary } from '@custody/ledger-core';
import { Client } from 'pg';

/** The outbox stream the ledger writes (migrations/ledger: the counter row). */
const LEDGER_NAME = 'main';

export interface LedgerCheckReport {
  readonly violations: readonly Violation[];
  readonly counts: { readonly entries: number; readonly accounts: number; readonly holds: number; readonly events: number };
}

/**
 * Reads every entry, balance, hold, withdrawal and outbox sequence number in one REPEATABLE READ snapshot (so a
 * check on a running ledger sees one consistent state) and runs the core's `checkLedger` over them,
 * plus the store's own rule that the outbox counter row equals the last sequence written.
 */
export async function loadLedgerSnapshot(client: Client, now: number, holdGraceMs = 0, withdrawalGraceMs?: number): Promise<{ snapshot: LedgerSnapshot; lastSequence: bigint }> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const accounts = await client.query<{ id: string; account_key: string; debits_posted: string; credits_posted: string; debits_pending: string; credits_pending: string }>(
      'SELECT a.id, a.account_key, b.debits_posted, b.credits_posted, b.debits_pending, b.credits_pending FROM ledger.accounts a JOIN ledger.balances b ON b.account_id = a.id ORDER BY a.id',
    );
    const keyOf = new Map<string, string>();
    const balances: AccountBalance[] = accounts.rows.map((r) => {
      keyOf.set(r.id, r.account_key);
      return {
        account: parseAccountKey(r.account_key),
        debitsPosted: BigInt(r.debits_posted),
        creditsPosted: BigInt(r.credits_posted),
        debitsPending: BigInt(r.debits_pending),
        creditsPending: BigInt(r.credits_pending),
      };
    });
    const heads = await client.query<{ id: string; entry_id: string; kind: string; reverses: string | null }>('SELECT id, entry_id, kind, reverses FROM ledger.journal_entries ORDER BY id');
    const postings = await client.query<{ entry_id: string; account_id: string; side: 'debit' | 'credit'; amount: string }>('SELECT entry_id, account_id, side, amount FROM ledger.postings ORDER BY entry_id, index');
    const byEntry = new Map<string, Posting[]>();
    for (const p of postings.rows) {
      const key = keyOf.get(p.account_id) ?? `unknown-account-${p.account_id}`;
      let asset = 'unknown/unknown';
      try {
        asset = parseAccountKey(key).asset;
      } catch {
        // reported by the invariants as a malformed posting
      }
      const list = byEntry.get(p.entry_id) ?? [];
      list.push({ account: key, asset, side: p.side, amount: BigInt(p.amount) });
      byEntry.set(p.entry_id, list);
    }
    const entries: JournalEntry[] = heads.rows.map((h) => ({ id: h.entry_id, kind: h.kind as JournalEntry['kind'], reverses: h.reverses, postings: byEntry.get(h.id) ?? [] }));
    const holdRows = await client.query<{ hold_id: string; chain: string; code: string; debit_account_id: string; credit_account_id: string; amount: string; posted_amount: string; state: HoldState; expires_at: Date | null }>(
      'SELECT h.hold_id, s.chain, s.code, h.debit_account_id, h.credit_account_id, h.amount, h.posted_amount, h.state, h.expires_at FROM ledger.holds h JOIN ledger.assets s ON s.id = h.asset_id ORDER BY h.hold_id',
    );
    const holds: Hold[] = holdRows.rows.map((h) => ({
      id: h.hold_id,
      asset: assetKey({ chain: h.chain, code: h.code }),
      debitAccount: keyOf.get(h.debit_account_id)!,
      creditAccount: keyOf.get(h.credit_account_id)!,
      amount: BigInt(h.amount),
      postedAmount: BigInt(h.posted_amount),
      state: h.state,
      expiresAt: h.expires_at === null ? null : h.expires_at.getTime(),
    }));
    const withdrawalRows = await client.query<{ withdrawal_id: string; state: WithdrawalState; expires_at: Date; hold_ids: string[] | null }>(
      `SELECT w.withdrawal_id, w.state, w.expires_at, ARRAY(SELECT h->>'id' FROM jsonb_array_elements(w.document->'holds') h) AS hold_ids
         FROM ledger.withdrawals w ORDER BY w.withdrawal_id`,
    );
    const withdrawals: WithdrawalSummary[] = withdrawalRows.rows.map((w) => ({ id: w.withdrawal_id, state: w.state, expiresAt: w.expires_at.getTime(), holdIds: w.hold_ids ?? [] }));
    const sequences = await client.query<{ sequence: string }>('SELECT sequence FROM ledger.outbox WHERE ledger = $1 ORDER BY sequence', [LEDGER_NAME]);
    const counter = await client.query<{ last_sequence: string }>('SELECT last_sequence FROM ledger.outbox_counters WHERE ledger = $1', [LEDGER_NAME]);
    return {
      snapshot: { entries, balances, holds, withdrawals, outboxSequences: sequences.rows.map((r) => BigInt(r.sequence)), now, holdGraceMs, ...(withdrawalGraceMs === undefined ? {} : { withdrawalGraceMs }) },
      lastSequence: BigInt(counter.rows[0]?.last_sequence ?? '0'),
    };
  } finally {
    await client.query('ROLLBACK');
  }
}

/**
 * Runs every invariant on the ledger in the database at `url`, at time `now`; a pending hold counts as
 * overdue `holdGraceMs` after its deadline (the sweeper's interval on a running ledger); a requested
 * or approved withdrawal `withdrawalGraceMs` after its deadline, if given (not checked otherwise).
 */
export async function checkLedgerDatabase(url: URL, now: number, holdGraceMs = 0, withdrawalGraceMs?: number): Promise<LedgerCheckReport> {
  const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000, application_name: 'custody-ledger-check' });
  await client.connect();
  try {
    const { snapshot, lastSequence } = await loadLedgerSnapshot(client, now, holdGraceMs, withdrawalGraceMs);
    const violations = [...checkLedger(snapshot)];
    const written = snapshot.outboxSequences.length === 0 ? 0n : snapshot.outboxSequences[snapshot.outboxSequences.length - 1]!;
    if (written !== lastSequence) {
      violations.push({ invariant: 'outbox-gap-free', subject: String(lastSequence), message: `the outbox counter says ${lastSequence} but the last event written is ${written}` });
    }
    return { violations, counts: { entries: snapshot.entries.length, accounts: snapshot.balances.length, holds: snapshot.holds.length, events: snapshot.outboxSequences.length } };
  } finally {
    await client.end();
  }
}
