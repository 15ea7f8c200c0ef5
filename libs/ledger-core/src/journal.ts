import { parseAccountKey, type Account, type AccountKey, type Side } from './account';
import { MAX_AMOUNT } from './amount';
import type { AssetKey } from './asset';
import { clip, InsufficientFundsError, LedgerInputError, UnknownAccountError } from './errors';
import type { Hold } from './hold';

/**
 * The journal: entries of postings that sum to zero per asset, and balances kept from them.
 *
 * Semantics follow TigerBeetle (docs/reference/transfer.md, two-phase-transfers.md,
 * linked-events.md), in our own model:
 * - an **entry** is a set of linked legs: all its postings apply together or none does;
 * - entries are never changed; a mistake or a reorg is undone by a **reversal** entry, the exact
 *   mirror (every posting with the other side) of the entry it names in `reverses`;
 * - a **hold** (pending transfer) adds to the debit account's `debitsPending` and the credit
 *   account's `creditsPending`; resolving it (post, void, expire) releases the full held amount,
 *   and a post adds an entry for the posted part;
 * - an account flagged `debitsMustNotExceedCredits` refuses any change after which
 *   debits posted + debits pending > credits posted.
 */

export interface Posting {
  readonly account: AccountKey;
  readonly asset: AssetKey;
  readonly side: Side;
  /** > 0, in the asset's smallest unit. */
  readonly amount: bigint;
}

export const ENTRY_KINDS = ['transfer', 'hold.post', 'deposit.credit', 'deposit.reorg-cover', 'withdrawal.confirm', 'reversal'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export interface JournalEntry {
  /** Stable id, deterministic where a lifecycle makes it (e.g. `withdrawal:w1:confirm`). */
  readonly id: string;
  readonly kind: EntryKind;
  readonly postings: readonly Posting[];
  /** The entry this one reverses (kind `reversal`), else null. */
  readonly reverses: string | null;
}

/**
 * A hold operation. `open` carries the new pending hold; `release` carries the hold as resolved
 * (posted, voided or expired, with its posted amount) and releases its full held amount from both
 * accounts' pending totals. The service persists `hold` as the hold's new row in both cases.
 */
export type HoldOp = { readonly op: 'open'; readonly hold: Hold } | { readonly op: 'release'; readonly hold: Hold };

/** What one committed change does to the books: entries and hold operations, applied together. */
export interface LedgerChange {
  readonly entries: readonly JournalEntry[];
  readonly holdOps: readonly HoldOp[];
}

export const ENTRY_ID_PATTERN = /^[A-Za-z0-9._:/-]{1,512}$/;
export const MAX_POSTINGS = 256;

/** Validate an entry's shape and that it balances: per asset, debits = credits. Throws `LedgerInputError`. */
export function validateEntry(entry: JournalEntry, field = 'entry'): void {
  if (typeof entry !== 'object' || entry === null) throw new LedgerInputError(field, 'must be an object');
  if (typeof entry.id !== 'string' || !ENTRY_ID_PATTERN.test(entry.id)) throw new LedgerInputError(`${field}.id`, 'must be 1..512 characters of [A-Za-z0-9._:/-]');
  if (!ENTRY_KINDS.includes(entry.kind)) throw new LedgerInputError(`${field}.kind`, `must be one of ${ENTRY_KINDS.join(', ')}`);
  if ((entry.kind === 'reversal') !== (entry.reverses !== null)) {
    throw new LedgerInputError(`${field}.reverses`, 'must name the reversed entry exactly when the kind is reversal');
  }
  if (entry.reverses !== null && (typeof entry.reverses !== 'string' || !ENTRY_ID_PATTERN.test(entry.reverses))) {
    throw new LedgerInputError(`${field}.reverses`, 'must be an entry id');
  }
  if (entry.reverses === entry.id) throw new LedgerInputError(`${field}.reverses`, 'must name another entry (a reversal does not reverse itself)');
  const postings: readonly Posting[] = entry.postings;
  if (!Array.isArray(entry.postings) || postings.length < 2) throw new LedgerInputError(`${field}.postings`, 'must have at least two postings');
  if (postings.length > MAX_POSTINGS) throw new LedgerInputError(`${field}.postings`, `must have at most ${MAX_POSTINGS} postings`);
  const net = new Map<AssetKey, bigint>();
  postings.forEach((p, i) => {
    if (typeof p !== 'object' || p === null) throw new LedgerInputError(`${field}.postings[${i}]`, 'must be an object');
    const at = `${field}.postings[${i}]`;
    const account = parseAccountKey(p.account, `${at}.account`);
    if (p.asset !== account.asset) throw new LedgerInputError(`${at}.asset`, "must be the account's asset");
    if (p.side !== 'debit' && p.side !== 'credit') throw new LedgerInputError(`${at}.side`, "must be 'debit' or 'credit'");
    if (typeof p.amount !== 'bigint' || p.amount <= 0n || p.amount > MAX_AMOUNT) throw new LedgerInputError(`${at}.amount`, 'must be a bigint in 1..10^78-1');
    net.set(p.asset, (net.get(p.asset) ?? 0n) + (p.side === 'debit' ? p.amount : -p.amount));
  });
  for (const [asset, sum] of net) {
    if (sum !== 0n) throw new LedgerInputError(`${field}.postings`, `do not sum to zero for asset ${clip(asset)} (debits − credits = ${sum})`);
  }
}

/** Per asset, debits − credits of an entry's postings (all zero for a valid entry). */
export function netByAsset(postings: readonly Posting[]): Map<AssetKey, bigint> {
  const net = new Map<AssetKey, bigint>();
  for (const p of postings) net.set(p.asset, (net.get(p.asset) ?? 0n) + (p.side === 'debit' ? p.amount : -p.amount));
  return net;
}

/** The reversal of `entry` (a valid, non-reversal entry): every posting mirrored, naming `entry.id`, under a new valid `id`. */
export function reversalOf(entry: JournalEntry, id: string): JournalEntry {
  validateEntry(entry, 'entry');
  if (entry.kind === 'reversal') throw new LedgerInputError('entry', 'a reversal is not reversed; book a new entry instead');
  if (typeof id !== 'string' || !ENTRY_ID_PATTERN.test(id)) throw new LedgerInputError('id', 'must be 1..512 characters of [A-Za-z0-9._:/-]');
  if (id === entry.id) throw new LedgerInputError('id', 'must differ from the id of the reversed entry');
  return Object.freeze({
    id,
    kind: 'reversal',
    reverses: entry.id,
    postings: Object.freeze(entry.postings.map((p) => Object.freeze({ ...p, side: p.side === 'debit' ? ('credit' as const) : ('debit' as const) }))),
  });
}

function postingKey(p: Posting, flip: boolean): string {
  const side = flip ? (p.side === 'debit' ? 'credit' : 'debit') : p.side;
  return `${p.account}|${p.asset}|${side}|${p.amount}`;
}

/** Whether `reversal` is the exact mirror of `original` (same postings as a multiset, every side flipped). */
export function isExactMirror(reversal: JournalEntry, original: JournalEntry): boolean {
  if (reversal.reverses !== original.id || reversal.postings.length !== original.postings.length) return false;
  const want = new Map<string, number>();
  for (const p of original.postings) want.set(postingKey(p, true), (want.get(postingKey(p, true)) ?? 0) + 1);
  for (const p of reversal.postings) {
    const k = postingKey(p, false);
    const n = want.get(k) ?? 0;
    if (n === 0) return false;
    want.set(k, n - 1);
  }
  return true;
}

/** An account's four running totals (TigerBeetle's debits/credits pending/posted). */
export interface AccountBalance {
  readonly account: Account;
  readonly debitsPosted: bigint;
  readonly creditsPosted: bigint;
  readonly debitsPending: bigint;
  readonly creditsPending: bigint;
}

export type Balances = ReadonlyMap<AccountKey, AccountBalance>;

/**
 * The balance as its owner reads it, on the account's normal side:
 * - `posted`: credits − debits posted (credit-normal) or debits − credits posted (debit-normal);
 * - `held`: pending amounts that will lower it (a customer's holds: debits pending);
 * - `incoming`: pending amounts that will raise it (a customer's pending credits: deposits seen);
 * - `available` = posted − held.
 */
export interface BalanceView {
  readonly posted: bigint;
  readonly held: bigint;
  readonly incoming: bigint;
  readonly available: bigint;
}

export function zeroBalance(account: Account): AccountBalance {
  return Object.freeze({ account, debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n });
}

export function balanceView(b: AccountBalance): BalanceView {
  const credit = b.account.normalSide === 'credit';
  const posted = credit ? b.creditsPosted - b.debitsPosted : b.debitsPosted - b.creditsPosted;
  const held = credit ? b.debitsPending : b.creditsPending;
  const incoming = credit ? b.creditsPending : b.debitsPending;
  return { posted, held, incoming, available: posted - held };
}

/** What a flagged account may still be debited: credits posted − debits posted − debits pending. */
export function spendable(b: AccountBalance): bigint {
  return b.creditsPosted - b.debitsPosted - b.debitsPending;
}

/** Balances with `accounts` opened at zero (accounts already present keep their balance). */
export function openAccounts(balances: Balances, accounts: readonly Account[]): Map<AccountKey, AccountBalance> {
  const next = new Map(balances);
  for (const a of accounts) if (!next.has(a.key)) next.set(a.key, zeroBalance(a));
  return next;
}

type Mutable = { -readonly [K in keyof AccountBalance]: AccountBalance[K] };

/**
 * Apply a change (entries and hold operations, linked: all or nothing) and return the new balances;
 * `balances` is not modified. Refuses with `LedgerInputError` (an invalid entry or hold),
 * `UnknownAccountError`, or `InsufficientFundsError` when a flagged account's exposure
 * (debits posted + debits pending − credits posted) would grow above zero.
 */
export function applyChange(balances: Balances, change: LedgerChange): Map<AccountKey, AccountBalance> {
  if (typeof change !== 'object' || change === null) throw new LedgerInputError('change', 'must be an object');
  const entries: readonly JournalEntry[] = change.entries;
  const holdOps: readonly HoldOp[] = change.holdOps;
  if (!Array.isArray(change.entries)) throw new LedgerInputError('entries', 'must be an array');
  if (!Array.isArray(change.holdOps)) throw new LedgerInputError('holdOps', 'must be an array');
  const work = new Map<AccountKey, Mutable>();
  const touch = (key: AccountKey, field: string, asset: AssetKey): Mutable => {
    let b = work.get(key);
    if (!b) {
      const base = balances.get(key);
      if (!base) throw new UnknownAccountError(key, field);
      b = { ...base };
      work.set(key, b);
    }
    if (b.account.asset !== asset) throw new LedgerInputError(field, "names an account of another asset");
    return b;
  };
  entries.forEach((entry, e) => {
    validateEntry(entry, `entries[${e}]`);
    entry.postings.forEach((p, i) => {
      const b = touch(p.account, `entries[${e}].postings[${i}].account`, p.asset);
      if (p.side === 'debit') b.debitsPosted += p.amount;
      else b.creditsPosted += p.amount;
    });
  });
  holdOps.forEach((op, i) => {
    const field = `holdOps[${i}]`;
    if (typeof op !== 'object' || op === null || (op.op !== 'open' && op.op !== 'release')) throw new LedgerInputError(`${field}.op`, "must be 'open' or 'release'");
    const h = op.hold;
    if (typeof h !== 'object' || h === null) throw new LedgerInputError(`${field}.hold`, 'must be a hold');
    if (typeof h.amount !== 'bigint' || h.amount <= 0n) throw new LedgerInputError(`${field}.hold.amount`, 'must be a positive bigint');
    if (h.debitAccount === h.creditAccount) throw new LedgerInputError(`${field}.hold.creditAccount`, 'must differ from the debit account');
    const d = touch(h.debitAccount, `${field}.hold.debitAccount`, h.asset);
    const c = touch(h.creditAccount, `${field}.hold.creditAccount`, h.asset);
    if (op.op === 'open') {
      d.debitsPending += h.amount;
      c.creditsPending += h.amount;
    } else {
      if (d.debitsPending < h.amount || c.creditsPending < h.amount) throw new LedgerInputError(`${field}.hold`, 'releases more than is pending on its accounts');
      d.debitsPending -= h.amount;
      c.creditsPending -= h.amount;
    }
  });
  for (const [key, b] of work) {
    for (const v of [b.debitsPosted, b.creditsPosted, b.debitsPending, b.creditsPending]) {
      if (v > MAX_AMOUNT) throw new LedgerInputError('amount', `would take a total of ${clip(key)} beyond 78 digits`);
    }
    if (!b.account.flags.debitsMustNotExceedCredits) continue;
    const before = balances.get(key)!;
    const exposureBefore = before.debitsPosted + before.debitsPending - before.creditsPosted;
    const exposureAfter = b.debitsPosted + b.debitsPending - b.creditsPosted;
    if (exposureAfter > 0n && exposureAfter > exposureBefore) {
      throw new InsufficientFundsError(key, spendable(before), exposureAfter);
    }
  }
  const next = new Map(balances);
  for (const [key, b] of work) next.set(key, Object.freeze({ ...b }));
  return next;
}

/** Apply one entry (its postings are linked legs). See `applyChange`. */
export function applyEntry(balances: Balances, entry: JournalEntry): Map<AccountKey, AccountBalance> {
  return applyChange(balances, { entries: [entry], holdOps: [] });
}
