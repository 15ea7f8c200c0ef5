import { parseAccountKey, type AccountKey } from './account';
import { assertAmount } from './amount';
import type { AssetKey } from './asset';
import { checkTime, type Effects, type OutboxEventDraft } from './effects';
import { IllegalTransitionError, LedgerInputError } from './errors';
import { ENTRY_ID_PATTERN, type HoldOp, type JournalEntry } from './journal';

/**
 * Holds (two-phase transfers, TigerBeetle's pending transfers): a hold reserves `amount` as a
 * pending debit of `debitAccount` and a pending credit of `creditAccount`, and is then
 *
 *   pending ──post(amount ≤ held)──▶ posted    (the posted part is booked, the remainder returns)
 *   pending ──void──────────────────▶ voided    (everything returns)
 *   pending ──expire (now ≥ expiresAt)▶ expired (everything returns)
 *
 * At and after the deadline only `expire` is accepted: a post or a void is refused even if nobody
 * expired the hold yet (as TigerBeetle's `pending_transfer_expired`). `expiresAt` null means no deadline (a withdrawal's
 * hold, which its own lifecycle resolves). Posted, voided and expired are final.
 */
export const HOLD_STATES = ['pending', 'posted', 'voided', 'expired'] as const;
export type HoldState = (typeof HOLD_STATES)[number];

export interface Hold {
  readonly id: string;
  readonly asset: AssetKey;
  readonly debitAccount: AccountKey;
  readonly creditAccount: AccountKey;
  /** The held amount, > 0. */
  readonly amount: bigint;
  /** Milliseconds since the epoch at which it expires, or null for no deadline. */
  readonly expiresAt: number | null;
  readonly state: HoldState;
  /** What a post booked (0 unless posted). */
  readonly postedAmount: bigint;
}

export interface HoldInput {
  readonly id: string;
  readonly debitAccount: AccountKey;
  readonly creditAccount: AccountKey;
  readonly amount: bigint;
  readonly expiresAt: number | null;
}

export type HoldEvent = { readonly type: 'post'; readonly amount?: bigint } | { readonly type: 'void' } | { readonly type: 'expire' };

export interface HoldTransition {
  readonly hold: Hold;
  readonly effects: Effects;
}

/** The entry id of a hold's post. */
export function holdPostEntryId(holdId: string): string {
  return `${holdId}:post`;
}

function holdEvent(type: OutboxEventDraft['type'], hold: Hold): OutboxEventDraft {
  return Object.freeze({
    type,
    subject: hold.id,
    data: Object.freeze({
      asset: hold.asset,
      debitAccount: hold.debitAccount,
      creditAccount: hold.creditAccount,
      amount: hold.amount.toString(),
      postedAmount: hold.postedAmount.toString(),
      state: hold.state,
      expiresAt: hold.expiresAt,
    }),
  });
}

/** Validate and open a hold at `now`: the hold, its `open` operation and a `hold.created` event. */
export function createHold(input: HoldInput, now: number): HoldTransition {
  checkTime(now);
  if (typeof input !== 'object' || input === null) throw new LedgerInputError('hold', 'must be an object');
  if (typeof input.id !== 'string' || !ENTRY_ID_PATTERN.test(input.id)) throw new LedgerInputError('hold.id', 'must be 1..512 characters of [A-Za-z0-9._:/-]');
  const debit = parseAccountKey(input.debitAccount, 'hold.debitAccount');
  const credit = parseAccountKey(input.creditAccount, 'hold.creditAccount');
  if (debit.key === credit.key) throw new LedgerInputError('hold.creditAccount', 'must differ from the debit account');
  if (debit.asset !== credit.asset) throw new LedgerInputError('hold.creditAccount', 'must be an account of the same asset as the debit account');
  const amount = assertAmount(input.amount, 'hold.amount', { positive: true });
  if (input.expiresAt !== null) {
    checkTime(input.expiresAt, 'hold.expiresAt');
    if (input.expiresAt <= now) throw new LedgerInputError('hold.expiresAt', 'must be later than now');
  }
  const hold: Hold = Object.freeze({
    id: input.id,
    asset: debit.asset,
    debitAccount: debit.key,
    creditAccount: credit.key,
    amount,
    expiresAt: input.expiresAt,
    state: 'pending',
    postedAmount: 0n,
  });
  return {
    hold,
    effects: Object.freeze({ entries: [], holdOps: [Object.freeze({ op: 'open' as const, hold })], events: [holdEvent('hold.created', hold)] }),
  };
}

/** Whether a pending hold's deadline has passed at `now`. */
export function isHoldDue(hold: Hold, now: number): boolean {
  if (typeof hold !== 'object' || hold === null) throw new LedgerInputError('hold', 'must be a hold');
  return hold.state === 'pending' && hold.expiresAt !== null && now >= hold.expiresAt;
}

/**
 * Apply `event` to `hold` at `now`. Returns the new hold and its effects: the release of the held
 * amount, the post's entry (debit the debit account, credit the credit account, the posted amount),
 * and an event. Refused with `IllegalTransitionError` from a final state, a post or void at or after the deadline,
 * an expiry before it; with `LedgerInputError('amount')` for a post of 0 or more than is held.
 */
export function transitionHold(hold: Hold, event: HoldEvent, now: number): HoldTransition {
  checkTime(now);
  if (typeof hold !== 'object' || hold === null) throw new LedgerInputError('hold', 'must be a hold');
  const type = (event as { type?: unknown } | null)?.type;
  if (type !== 'post' && type !== 'void' && type !== 'expire') throw new LedgerInputError('event.type', "must be 'post', 'void' or 'expire'");
  if (hold.state !== 'pending') throw new IllegalTransitionError('hold', hold.state, type);
  const release = (resolved: Hold): HoldOp => Object.freeze({ op: 'release', hold: resolved });
  switch (event.type) {
    case 'post': {
      if (hold.expiresAt !== null && now >= hold.expiresAt) throw new IllegalTransitionError('hold', hold.state, 'post', 'the deadline has passed');
      const amount = event.amount === undefined ? hold.amount : assertAmount(event.amount, 'amount', { positive: true });
      if (amount > hold.amount) throw new LedgerInputError('amount', 'must not exceed the held amount');
      const next: Hold = Object.freeze({ ...hold, state: 'posted', postedAmount: amount });
      const entry: JournalEntry = Object.freeze({
        id: holdPostEntryId(hold.id),
        kind: 'hold.post',
        reverses: null,
        postings: Object.freeze([
          Object.freeze({ account: hold.debitAccount, asset: hold.asset, side: 'debit' as const, amount }),
          Object.freeze({ account: hold.creditAccount, asset: hold.asset, side: 'credit' as const, amount }),
        ]),
      });
      return { hold: next, effects: Object.freeze({ entries: [entry], holdOps: [release(next)], events: [holdEvent('hold.posted', next)] }) };
    }
    case 'void': {
      if (hold.expiresAt !== null && now >= hold.expiresAt) throw new IllegalTransitionError('hold', hold.state, 'void', 'the deadline has passed');
      const next: Hold = Object.freeze({ ...hold, state: 'voided' });
      return { hold: next, effects: Object.freeze({ entries: [], holdOps: [release(next)], events: [holdEvent('hold.voided', next)] }) };
    }
    case 'expire': {
      if (hold.expiresAt === null) throw new IllegalTransitionError('hold', hold.state, 'expire', 'the hold has no deadline');
      if (now < hold.expiresAt) throw new IllegalTransitionError('hold', hold.state, 'expire', 'the deadline has not passed');
      const next: Hold = Object.freeze({ ...hold, state: 'expired' });
      return { hold: next, effects: Object.freeze({ entries: [], holdOps: [release(next)], events: [holdEvent('hold.expired', next)] }) };
    }
  }
}
