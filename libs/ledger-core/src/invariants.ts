import type { Account, AccountKey } from './account';
import { clip } from './errors';
import type { Hold } from './hold';
import type { WithdrawalState } from './withdrawal';
import { isExactMirror, validateEntry, type AccountBalance, type JournalEntry, type Posting } from './journal';

/**
 * The ledger's invariants as functions over plain data (what the tests and `custody ledger check`
 * read from the database). Each returns the list of violations, empty when the books are sound;
 * none throws on bad data, it reports it.
 */
export const INVARIANTS = [
  'entry-balanced',
  'balance-matches-postings',
  'flagged-not-negative',
  'hold-resolved-or-live',
  'outbox-gap-free',
  'reversal-mirrors',
  'withdrawal-consistent',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export interface Violation {
  readonly invariant: InvariantName;
  /** The entry, account, hold or sequence number concerned. */
  readonly subject: string;
  readonly message: string;
}

export interface LedgerSnapshot {
  readonly entries: readonly JournalEntry[];
  readonly balances: readonly AccountBalance[];
  readonly holds: readonly Hold[];
  /** The outbox's sequence numbers, in any order. */
  readonly outboxSequences: readonly bigint[];
  /** The first sequence number the outbox starts from (default 1). */
  readonly firstSequence?: bigint;
  /** When the check runs (milliseconds since the epoch): holds past their deadline at `now` are overdue. */
  readonly now: number;
  /** Tolerate pending holds up to this long past their deadline (an expiry sweep's interval); default 0. */
  readonly holdGraceMs?: number;
  /** The withdrawals (state, deadline, hold ids), when the check reads them; see `checkWithdrawals`. */
  readonly withdrawals?: readonly WithdrawalSummary[];
  /**
   * With withdrawals: a requested or approved one is overdue this long after its deadline (the
   * withdrawal sweeper's interval); absent, deadlines are not checked (a ledger without the sweeper).
   */
  readonly withdrawalGraceMs?: number;
}

/** What `checkWithdrawals` needs of a withdrawal: its state, its deadline and the ids of its holds. */
export interface WithdrawalSummary {
  readonly id: string;
  readonly state: WithdrawalState;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
  readonly holdIds: readonly string[];
}

/** The state every hold of a withdrawal is in, per withdrawal state. */
const WITHDRAWAL_HOLD_STATE: Readonly<Record<WithdrawalState, Hold['state']>> = {
  requested: 'pending',
  approved: 'pending',
  signed: 'pending',
  broadcast: 'pending',
  confirmed: 'posted',
  expired: 'expired',
  failed: 'voided',
  rejected: 'voided',
  cancelled: 'voided',
};

/** Withdrawal states the deadline sweeper expires (signed and broadcast are left to the caller, who knows whether the transaction may land). */
export const SWEPT_WITHDRAWAL_STATES: readonly WithdrawalState[] = ['requested', 'approved'];

function v(invariant: InvariantName, subject: string, message: string): Violation {
  return Object.freeze({ invariant, subject: clip(subject, 200), message });
}

/** Deeply frozen entries already found valid (they cannot change, so they need no second look). */
const validFrozen = new WeakSet<JournalEntry>();
function deeplyFrozen(e: JournalEntry): boolean {
  return Object.isFrozen(e) && Array.isArray(e.postings) && Object.isFrozen(e.postings) && e.postings.every((p) => Object.isFrozen(p));
}

/** Every entry is well formed and sums to zero per asset. */
export function checkEntriesBalanced(entries: readonly JournalEntry[]): Violation[] {
  const out: Violation[] = [];
  const ids = new Set<string>();
  entries.forEach((e, i) => {
    const subject = typeof e?.id === 'string' ? e.id : `entries[${i}]`;
    if (ids.has(subject)) out.push(v('entry-balanced', subject, 'entry id appears more than once'));
    ids.add(subject);
    if (typeof e === 'object' && e !== null && validFrozen.has(e)) return;
    try {
      validateEntry(e, 'entry');
      if (deeplyFrozen(e)) validFrozen.add(e);
    } catch (err) {
      out.push(v('entry-balanced', subject, err instanceof Error ? err.message : 'malformed entry'));
    }
  });
  return out;
}

interface Totals {
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
}

/**
 * Every account's posted totals equal the sum of its postings, and its pending totals the sum of its
 * holds still pending; no posting or hold names an account without a balance.
 */
export function checkBalancesMatchPostings(balances: readonly AccountBalance[], entries: readonly JournalEntry[], holds: readonly Hold[]): Violation[] {
  const out: Violation[] = [];
  const sums = new Map<AccountKey, Totals>();
  const known = new Set(balances.map((b) => b.account.key));
  const get = (key: AccountKey, where: () => string): Totals | null => {
    if (!known.has(key)) {
      out.push(v('balance-matches-postings', key, `${where()} names an account that has no balance`));
      return null;
    }
    let t = sums.get(key);
    if (!t) sums.set(key, (t = { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n }));
    return t;
  };
  for (const e of entries) {
    const postings: readonly Posting[] = Array.isArray(e?.postings) ? (e.postings as readonly Posting[]) : [];
    for (const p of postings) {
      if (typeof p?.amount !== 'bigint') continue; // reported by checkEntriesBalanced
      const t = get(p.account, () => `entry ${clip(String(e.id))}`);
      if (!t) continue;
      if (p.side === 'debit') t.debitsPosted += p.amount;
      else if (p.side === 'credit') t.creditsPosted += p.amount;
    }
  }
  for (const h of holds) {
    if (h.state !== 'pending') continue;
    const d = get(h.debitAccount, () => `hold ${clip(h.id)}`);
    const c = get(h.creditAccount, () => `hold ${clip(h.id)}`);
    if (d) d.debitsPending += h.amount;
    if (c) c.creditsPending += h.amount;
  }
  const seen = new Set<AccountKey>();
  for (const b of balances) {
    const key = b.account.key;
    if (seen.has(key)) out.push(v('balance-matches-postings', key, 'account has more than one balance row'));
    seen.add(key);
    const t = sums.get(key) ?? { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n };
    for (const f of ['debitsPosted', 'creditsPosted', 'debitsPending', 'creditsPending'] as const) {
      if (b[f] !== t[f]) out.push(v('balance-matches-postings', key, `${f} is ${b[f]} but the ${f.endsWith('Posted') ? 'postings' : 'pending holds'} sum to ${t[f]}`));
    }
  }
  return out;
}

/** No account flagged `debitsMustNotExceedCredits` has debits posted + debits pending > credits posted. */
export function checkNoFlaggedNegative(balances: readonly AccountBalance[]): Violation[] {
  const out: Violation[] = [];
  for (const b of balances) {
    if (!b.account.flags.debitsMustNotExceedCredits) continue;
    const excess = b.debitsPosted + b.debitsPending - b.creditsPosted;
    if (excess > 0n) out.push(v('flagged-not-negative', b.account.key, `debits posted + pending exceed credits posted by ${excess}`));
    for (const f of ['debitsPosted', 'creditsPosted', 'debitsPending', 'creditsPending'] as const) {
      if (b[f] < 0n) out.push(v('flagged-not-negative', b.account.key, `${f} is negative`));
    }
  }
  return out;
}

/**
 * Every hold is resolved or still before its deadline at `now` (plus `graceMs`); a posted hold posted
 * 0..amount; ids unique.
 */
export function checkHolds(holds: readonly Hold[], now: number, graceMs = 0): Violation[] {
  const out: Violation[] = [];
  const ids = new Set<string>();
  for (const h of holds) {
    if (ids.has(h.id)) out.push(v('hold-resolved-or-live', h.id, 'hold id appears more than once'));
    ids.add(h.id);
    if (h.state === 'pending' && h.expiresAt !== null && now >= h.expiresAt + graceMs) {
      out.push(v('hold-resolved-or-live', h.id, `pending past its deadline (${h.expiresAt} ≤ now ${now})`));
    }
    if (h.amount <= 0n) out.push(v('hold-resolved-or-live', h.id, 'holds a non-positive amount'));
    if (h.state === 'posted' && (h.postedAmount < 0n || h.postedAmount > h.amount)) out.push(v('hold-resolved-or-live', h.id, 'posted amount outside 0..held'));
    if (h.state !== 'posted' && h.postedAmount !== 0n) out.push(v('hold-resolved-or-live', h.id, 'has a posted amount but is not posted'));
  }
  return out;
}

/** The outbox sequence numbers are exactly first, first+1, …, with no gap and no duplicate. */
export function checkOutboxGapFree(sequences: readonly bigint[], first = 1n): Violation[] {
  const out: Violation[] = [];
  const sorted = [...sequences].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let expected = first;
  for (const s of sorted) {
    if (s === expected - 1n && expected > first) {
      out.push(v('outbox-gap-free', s.toString(), 'sequence number appears more than once'));
      continue;
    }
    if (s < expected) {
      out.push(v('outbox-gap-free', s.toString(), `sequence number below the first (${first})`));
      continue;
    }
    if (s > expected) {
      out.push(v('outbox-gap-free', expected.toString(), `gap: ${expected}..${s - 1n} missing`));
    }
    expected = s + 1n;
  }
  return out;
}

/** Every reversal names an existing, non-reversal entry, is its exact mirror, and no entry is reversed twice. */
export function checkReversals(entries: readonly JournalEntry[]): Violation[] {
  const out: Violation[] = [];
  if (!entries.some((e) => e.kind === 'reversal' || e.reverses !== null)) return out;
  const byId = new Map(entries.map((e) => [e.id, e] as const));
  const reversed = new Set<string>();
  for (const e of entries) {
    if (e.kind !== 'reversal' && e.reverses === null) continue;
    if (e.kind !== 'reversal' || e.reverses === null) {
      out.push(v('reversal-mirrors', e.id, 'kind and reverses disagree'));
      continue;
    }
    const original = byId.get(e.reverses);
    if (!original) {
      out.push(v('reversal-mirrors', e.id, `reverses an entry that does not exist (${clip(e.reverses)})`));
      continue;
    }
    if (original.kind === 'reversal') out.push(v('reversal-mirrors', e.id, 'reverses a reversal'));
    if (reversed.has(original.id)) out.push(v('reversal-mirrors', e.id, `entry ${clip(original.id)} is reversed more than once`));
    reversed.add(original.id);
    if (!isExactMirror(e, original)) out.push(v('reversal-mirrors', e.id, `is not the exact mirror of ${clip(original.id)}`));
  }
  return out;
}

/**
 * Every withdrawal's holds exist and are in the state its own state implies (pending while it is
 * open; posted when confirmed; expired when expired; voided when failed, rejected or cancelled), and,
 * when `graceMs` is given, no requested or approved withdrawal is still open `graceMs` after its
 * deadline (the sweeper expires them).
 */
export function checkWithdrawals(withdrawals: readonly WithdrawalSummary[], holds: readonly Hold[], now: number, graceMs?: number): Violation[] {
  const out: Violation[] = [];
  const byId = new Map(holds.map((h) => [h.id, h] as const));
  for (const w of withdrawals) {
    const expected = WITHDRAWAL_HOLD_STATE[w.state];
    if (expected === undefined) {
      out.push(v('withdrawal-consistent', w.id, `has an unknown state (${clip(String(w.state))})`));
      continue;
    }
    if (w.holdIds.length === 0) out.push(v('withdrawal-consistent', w.id, 'has no hold'));
    for (const id of w.holdIds) {
      const h = byId.get(id);
      if (!h) out.push(v('withdrawal-consistent', w.id, `its hold ${clip(id)} does not exist`));
      else if (h.state !== expected) out.push(v('withdrawal-consistent', w.id, `is ${w.state} but its hold ${clip(id)} is ${h.state} (expected ${expected})`));
    }
    if (graceMs !== undefined && SWEPT_WITHDRAWAL_STATES.includes(w.state) && now >= w.expiresAt + graceMs) out.push(v('withdrawal-consistent', w.id, `still ${w.state} past its deadline (${w.expiresAt} ≤ now ${now})`));
  }
  return out;
}

/** Every invariant over one snapshot. */
export function checkLedger(s: LedgerSnapshot): Violation[] {
  return [
    ...checkEntriesBalanced(s.entries),
    ...checkBalancesMatchPostings(s.balances, s.entries, s.holds),
    ...checkNoFlaggedNegative(s.balances),
    ...checkHolds(s.holds, s.now, s.holdGraceMs ?? 0),
    ...checkOutboxGapFree(s.outboxSequences, s.firstSequence ?? 1n),
    ...checkReversals(s.entries),
    ...(s.withdrawals ? checkWithdrawals(s.withdrawals, s.holds, s.now, s.withdrawalGraceMs) : []),
  ];
}

/**
 * The balances the entries and pending holds imply, for `accounts` (what "balances equal the sum of
 * the postings" compares with; also how a balance as of an earlier point is recomputed from the
 * entries and holds up to it). Postings or holds naming other accounts are ignored here.
 */
export function deriveBalances(accounts: readonly Account[], entries: readonly JournalEntry[], holds: readonly Hold[]): AccountBalance[] {
  const totals = new Map<AccountKey, Totals & { account: Account }>(accounts.map((a) => [a.key, { account: a, debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n }]));
  for (const e of entries) {
    for (const p of e.postings) {
      const t = totals.get(p.account);
      if (!t) continue;
      if (p.side === 'debit') t.debitsPosted += p.amount;
      else t.creditsPosted += p.amount;
    }
  }
  for (const h of holds) {
    if (h.state !== 'pending') continue;
    const d = totals.get(h.debitAccount);
    const c = totals.get(h.creditAccount);
    if (d) d.debitsPending += h.amount;
    if (c) c.creditsPending += h.amount;
  }
  return [...totals.values()].map((t) => Object.freeze({ ...t }));
}
