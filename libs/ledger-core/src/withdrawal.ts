import { customerAccount, systemAccounts, type AccountKey } from './account';
import { assertAmount } from './amount';
import { assetKey, validateIdentifier, type Asset, type AssetKey } from './asset';
import { checkTime, type Effects, type OutboxEventDraft } from './effects';
import { IllegalTransitionError, LedgerInputError } from './errors';
import type { Hold } from './hold';
import { ENTRY_ID_PATTERN, type HoldOp, type JournalEntry, type Posting } from './journal';

/**
 * Withdrawals. At request, the amount plus the fee estimate is held on the customer account
 * (debit customer, credit `onchain`, pending); when the fee is paid in another asset (an ERC-20
 * withdrawal pays gas in the native coin) the estimate is a second hold on the customer's account of
 * that asset. Then:
 *
 *   requested ──approve──▶ approved ──sign──▶ signed ──broadcast(txHash)──▶ broadcast ──confirm(fee)──▶ confirmed
 *   requested ──reject──▶ rejected
 *   requested | approved ──cancel──▶ cancelled
 *   requested | approved | signed ──expire (now ≥ expiresAt)──▶ expired
 *   approved | signed | broadcast ──fail──▶ failed
 *   confirmed ──unconfirm──▶ broadcast   (a reorg orphaned the block that mined it)
 *
 * confirmed: every hold is released and one entry books the amount and the fee actually paid:
 * the customer pays at most the estimate (debit customer, credit onchain); any excess is custody's
 * expense (debit `fees`, credit onchain). Rejected, cancelled, expired, failed: every hold is released,
 * nothing is booked. approve, sign and broadcast are refused once the deadline has passed (expire it
 * instead); once broadcast the transaction may land, so only confirm or fail remain. Final states
 * accept nothing, except that a confirmed withdrawal is unconfirmed when a reorg orphans its block:
 * the confirm entry is reversed and holds of exactly what it booked are opened again (always
 * fundable: the reversal returns those amounts), and the fee estimate becomes the fee charged, so a
 * confirm on the new branch charges the customer no more than the first one did (any excess is
 * custody's, as above). `reorgs` counts the unconfirms; it names the entries and holds of each round.
 */
export const WITHDRAWAL_STATES = ['requested', 'approved', 'signed', 'broadcast', 'confirmed', 'failed', 'rejected', 'expired', 'cancelled'] as const;
export type WithdrawalState = (typeof WITHDRAWAL_STATES)[number];
export const WITHDRAWAL_EVENTS = ['approve', 'reject', 'sign', 'broadcast', 'confirm', 'fail', 'expire', 'cancel', 'unconfirm'] as const;
export type WithdrawalEventType = (typeof WITHDRAWAL_EVENTS)[number];
export const FINAL_WITHDRAWAL_STATES: readonly WithdrawalState[] = ['confirmed', 'failed', 'rejected', 'expired', 'cancelled'];

/** The transition table: state × event → next state (absent = illegal). */
export const WITHDRAWAL_TRANSITIONS: Readonly<Record<WithdrawalState, Partial<Record<WithdrawalEventType, WithdrawalState>>>> = Object.freeze({
  requested: { approve: 'approved', reject: 'rejected', cancel: 'cancelled', expire: 'expired' },
  approved: { sign: 'signed', cancel: 'cancelled', expire: 'expired', fail: 'failed' },
  signed: { broadcast: 'broadcast', expire: 'expired', fail: 'failed' },
  broadcast: { confirm: 'confirmed', fail: 'failed' },
  confirmed: { unconfirm: 'broadcast' },
  failed: {},
  rejected: {},
  expired: {},
  cancelled: {},
});

const DEADLINE_BOUND: readonly WithdrawalEventType[] = ['approve', 'sign', 'broadcast'];
const DESTINATION_PATTERN = /^[A-Za-z0-9._:-]{1,256}$/;
const TX_HASH_PATTERN = /^[A-Za-z0-9]{1,128}$/;
const REASON_MAX = 256;

export interface Withdrawal {
  /** `withdrawal/<id>`. */
  readonly id: string;
  readonly wallet: string;
  readonly asset: AssetKey;
  readonly amount: bigint;
  readonly feeAsset: AssetKey;
  readonly feeEstimate: bigint;
  readonly destination: string;
  readonly expiresAt: number;
  readonly state: WithdrawalState;
  /** The open holds (one, or two when the fee is in another asset); their last snapshot once resolved. */
  readonly holds: readonly Hold[];
  readonly txHash: string | null;
  /** The fee actually paid (set on confirm). */
  readonly actualFee: bigint | null;
  /** Why it was rejected or failed, if given. */
  readonly reason: string | null;
  /** How many times a reorg unconfirmed it (absent in documents written before: 0). */
  readonly reorgs?: number;
}

export interface WithdrawalInput {
  /** The caller's id of the withdrawal (identifier grammar). */
  readonly id: string;
  readonly wallet: string;
  readonly asset: Pick<Asset, 'chain' | 'code'>;
  readonly amount: bigint;
  /** The asset the network fee is paid in; defaults to `asset`. Must be on the same chain. */
  readonly feeAsset?: Pick<Asset, 'chain' | 'code'>;
  readonly feeEstimate: bigint;
  readonly destination: string;
  readonly expiresAt: number;
}

export type WithdrawalEvent =
  | { readonly type: 'approve' }
  | { readonly type: 'reject'; readonly reason?: string }
  | { readonly type: 'sign' }
  | { readonly type: 'broadcast'; readonly txHash: string }
  | { readonly type: 'confirm'; readonly fee: bigint }
  | { readonly type: 'fail'; readonly reason?: string }
  | { readonly type: 'expire' }
  | { readonly type: 'cancel' }
  | { readonly type: 'unconfirm' };

export interface WithdrawalTransition {
  readonly withdrawal: Withdrawal;
  readonly effects: Effects;
}

function refOf(key: AssetKey): { chain: string; code: string } {
  const i = key.indexOf('/');
  return { chain: key.slice(0, i), code: key.slice(i + 1) };
}

function accounts(wallet: string, asset: AssetKey): { customer: AccountKey; onchain: AccountKey; fees: AccountKey } {
  const ref = refOf(asset);
  const sys = systemAccounts(ref);
  return { customer: customerAccount(wallet, ref).key, onchain: sys.onchain.key, fees: sys.fees.key };
}

function stateEvent(w: Withdrawal, from: WithdrawalState | null): OutboxEventDraft {
  return Object.freeze({
    type: 'withdrawal.state_changed' as const,
    subject: w.id,
    data: Object.freeze({
      from,
      to: w.state,
      wallet: w.wallet,
      asset: w.asset,
      amount: w.amount.toString(),
      feeAsset: w.feeAsset,
      feeEstimate: w.feeEstimate.toString(),
      destination: w.destination,
      txHash: w.txHash,
      actualFee: w.actualFee === null ? null : w.actualFee.toString(),
      reason: w.reason,
    }),
  });
}

function checkReason(reason: unknown): string | null {
  if (reason === undefined) return null;
  if (typeof reason !== 'string' || reason.length > REASON_MAX) throw new LedgerInputError('reason', `must be a string of at most ${REASON_MAX} characters`);
  return reason;
}

/** A new withdrawal at `now`: its holds opened and a state event (`from` null). */
export function requestWithdrawal(input: WithdrawalInput, now: number): WithdrawalTransition {
  checkTime(now);
  if (typeof input !== 'object' || input === null) throw new LedgerInputError('withdrawal', 'must be an object');
  const id = `withdrawal/${validateIdentifier(input.id, 'id')}`;
  const wallet = validateIdentifier(input.wallet, 'wallet');
  if (typeof input.asset !== 'object' || input.asset === null) throw new LedgerInputError('asset', 'must be an object');
  const asset = assetKey({ chain: validateIdentifier(input.asset.chain, 'asset.chain'), code: validateIdentifier(input.asset.code, 'asset.code') });
  const feeRef = input.feeAsset ?? input.asset;
  if (typeof feeRef !== 'object' || feeRef === null) throw new LedgerInputError('feeAsset', 'must be an object');
  const feeAsset = assetKey({ chain: validateIdentifier(feeRef.chain, 'feeAsset.chain'), code: validateIdentifier(feeRef.code, 'feeAsset.code') });
  if (feeRef.chain !== input.asset.chain) throw new LedgerInputError('feeAsset.chain', "must be the withdrawal asset's chain");
  const amount = assertAmount(input.amount, 'amount', { positive: true });
  const feeEstimate = assertAmount(input.feeEstimate, 'feeEstimate');
  if (typeof input.destination !== 'string' || !DESTINATION_PATTERN.test(input.destination)) {
    throw new LedgerInputError('destination', 'must be 1..256 characters of [A-Za-z0-9._:-]');
  }
  checkTime(input.expiresAt, 'expiresAt');
  if (input.expiresAt <= now) throw new LedgerInputError('expiresAt', 'must be later than now');
  const main = accounts(wallet, asset);
  const sameAsset = feeAsset === asset;
  const holds: Hold[] = [
    Object.freeze({
      id: `${id}/hold`,
      asset,
      debitAccount: main.customer,
      creditAccount: main.onchain,
      amount: amount + (sameAsset ? feeEstimate : 0n),
      expiresAt: null,
      state: 'pending' as const,
      postedAmount: 0n,
    }),
  ];
  if (!sameAsset && feeEstimate > 0n) {
    const fee = accounts(wallet, feeAsset);
    holds.push(
      Object.freeze({ id: `${id}/fee-hold`, asset: feeAsset, debitAccount: fee.customer, creditAccount: fee.onchain, amount: feeEstimate, expiresAt: null, state: 'pending' as const, postedAmount: 0n }),
    );
  }
  for (const h of holds) assertAmount(h.amount, 'amount');
  if (!ENTRY_ID_PATTERN.test(`${id}/fee-hold`)) throw new LedgerInputError('id', 'is too long');
  const withdrawal: Withdrawal = Object.freeze({
    id,
    wallet,
    asset,
    amount,
    feeAsset,
    feeEstimate,
    destination: input.destination,
    expiresAt: input.expiresAt,
    state: 'requested',
    holds: Object.freeze(holds),
    txHash: null,
    actualFee: null,
    reason: null,
  });
  return {
    withdrawal,
    effects: Object.freeze({ entries: [], holdOps: holds.map((hold): HoldOp => Object.freeze({ op: 'open', hold })), events: [stateEvent(withdrawal, null)] }),
  };
}

/** The id of the confirm entry of the current round (the first keeps its original name). */
function confirmEntryId(w: Withdrawal): string {
  const round = w.reorgs ?? 0;
  return round === 0 ? `${w.id}:confirm` : `${w.id}:confirm:${round}`;
}

/** The confirm entry: amount and charged fee from the customer, fee excess from `fees`, all to `onchain`. */
function confirmEntry(w: Withdrawal, fee: bigint): { entry: JournalEntry; posted: Map<string, bigint> } {
  const main = accounts(w.wallet, w.asset);
  const feeAcc = accounts(w.wallet, w.feeAsset);
  const charged = fee < w.feeEstimate ? fee : w.feeEstimate;
  const excess = fee - charged;
  const postings: Posting[] = [];
  const add = (account: AccountKey, asset: AssetKey, side: Posting['side'], amount: bigint): void => {
    if (amount > 0n) postings.push(Object.freeze({ account, asset, side, amount }));
  };
  add(main.customer, w.asset, 'debit', w.amount);
  add(main.onchain, w.asset, 'credit', w.amount);
  add(feeAcc.customer, w.feeAsset, 'debit', charged);
  add(feeAcc.onchain, w.feeAsset, 'credit', charged);
  add(feeAcc.fees, w.feeAsset, 'debit', excess);
  add(feeAcc.onchain, w.feeAsset, 'credit', excess);
  const posted = new Map<string, bigint>();
  const sameAsset = w.feeAsset === w.asset;
  // holds[0] is the amount's (and the fee's, same asset), holds[1] the fee's in another asset.
  const [mainHold, feeHold] = w.holds;
  if (mainHold) posted.set(mainHold.id, w.amount + (sameAsset ? charged : 0n));
  if (!sameAsset && feeHold) posted.set(feeHold.id, charged);
  return { entry: Object.freeze({ id: confirmEntryId(w), kind: 'withdrawal.confirm', reverses: null, postings: Object.freeze(postings) }), posted };
}

/**
 * unconfirm: the reversal of the current confirm entry, and holds of what it booked opened again
 * (holds[0]: the amount, plus the charged fee in the same asset; holds[1]: the charged fee in the
 * fee asset, when it is another and was not zero).
 */
function unconfirm(w: Withdrawal): { withdrawal: Withdrawal; entry: JournalEntry; holds: Hold[] } {
  if (w.actualFee === null) throw new IllegalTransitionError('withdrawal', w.state, 'unconfirm', 'it has no confirmed fee');
  const { entry: confirmed } = confirmEntry(w, w.actualFee);
  const round = (w.reorgs ?? 0) + 1;
  const charged = w.actualFee < w.feeEstimate ? w.actualFee : w.feeEstimate;
  const entry: JournalEntry = Object.freeze({
    id: `${w.id}:unconfirm:${round}`,
    kind: 'reversal',
    reverses: confirmed.id,
    postings: Object.freeze(confirmed.postings.map((p) => Object.freeze({ ...p, side: p.side === 'debit' ? ('credit' as const) : ('debit' as const) }))),
  });
  const main = accounts(w.wallet, w.asset);
  const sameAsset = w.feeAsset === w.asset;
  const holds: Hold[] = [
    Object.freeze({ id: `${w.id}/hold:r${round}`, asset: w.asset, debitAccount: main.customer, creditAccount: main.onchain, amount: w.amount + (sameAsset ? charged : 0n), expiresAt: null, state: 'pending' as const, postedAmount: 0n }),
  ];
  if (!sameAsset && charged > 0n) {
    const fee = accounts(w.wallet, w.feeAsset);
    holds.push(Object.freeze({ id: `${w.id}/fee-hold:r${round}`, asset: w.feeAsset, debitAccount: fee.customer, creditAccount: fee.onchain, amount: charged, expiresAt: null, state: 'pending' as const, postedAmount: 0n }));
  }
  const withdrawal: Withdrawal = Object.freeze({ ...w, state: 'broadcast' as const, feeEstimate: charged, actualFee: null, holds: Object.freeze(holds), reorgs: round });
  return { withdrawal, entry, holds };
}

/**
 * Apply `event` at `now`. Refused with `IllegalTransitionError(from, event)` when the table has no
 * such move or the deadline forbids it, and with `LedgerInputError` for a bad txHash, fee or reason.
 */
export function transitionWithdrawal(w: Withdrawal, event: WithdrawalEvent, now: number): WithdrawalTransition {
  checkTime(now);
  if (typeof w !== 'object' || w === null) throw new LedgerInputError('withdrawal', 'must be a withdrawal');
  const type = (event as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !WITHDRAWAL_EVENTS.includes(type as WithdrawalEventType)) {
    throw new LedgerInputError('event.type', `must be one of ${WITHDRAWAL_EVENTS.join(', ')}`);
  }
  const to = WITHDRAWAL_TRANSITIONS[w.state][event.type];
  if (to === undefined) throw new IllegalTransitionError('withdrawal', w.state, event.type);
  if (DEADLINE_BOUND.includes(event.type) && now >= w.expiresAt) throw new IllegalTransitionError('withdrawal', w.state, event.type, 'the deadline has passed');
  if (event.type === 'expire' && now < w.expiresAt) throw new IllegalTransitionError('withdrawal', w.state, 'expire', 'the deadline has not passed');
  let next: Withdrawal = Object.freeze({ ...w, state: to });
  const entries: JournalEntry[] = [];
  const holdOps: HoldOp[] = [];
  switch (event.type) {
    case 'broadcast':
      if (typeof event.txHash !== 'string' || !TX_HASH_PATTERN.test(event.txHash)) throw new LedgerInputError('txHash', 'must be 1..128 characters of [A-Za-z0-9]');
      next = Object.freeze({ ...next, txHash: event.txHash });
      break;
    case 'confirm': {
      const fee = assertAmount(event.fee, 'fee');
      const { entry, posted } = confirmEntry(w, fee);
      entries.push(entry);
      const resolved = w.holds.map((h): Hold => Object.freeze({ ...h, state: 'posted', postedAmount: posted.get(h.id) ?? 0n }));
      for (const h of resolved) holdOps.push(Object.freeze({ op: 'release', hold: h }));
      next = Object.freeze({ ...next, actualFee: fee, holds: Object.freeze(resolved) });
      break;
    }
    case 'reject':
    case 'fail':
      next = Object.freeze({ ...next, reason: checkReason(event.reason) });
      break;
    case 'unconfirm': {
      const u = unconfirm(w);
      entries.push(u.entry);
      for (const hold of u.holds) holdOps.push(Object.freeze({ op: 'open', hold }));
      next = u.withdrawal;
      break;
    }
    default:
      break;
  }
  if (to === 'rejected' || to === 'failed' || to === 'expired' || to === 'cancelled') {
    const final = to === 'expired' ? ('expired' as const) : ('voided' as const);
    const resolved = w.holds.map((h): Hold => Object.freeze({ ...h, state: final }));
    for (const h of resolved) holdOps.push(Object.freeze({ op: 'release', hold: h }));
    next = Object.freeze({ ...next, holds: Object.freeze(resolved) });
  }
  return { withdrawal: next, effects: Object.freeze({ entries, holdOps, events: [stateEvent(next, w.state)] }) };
}
