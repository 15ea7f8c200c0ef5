import { customerAccount, systemAccounts, type AccountKey } from './account';
import { assertAmount } from './amount';
import { assetKey, validateIdentifier, type Asset, type AssetKey } from './asset';
import { combineEffects, NO_EFFECTS, type Effects, type EventValue, type OutboxEventDraft } from './effects';
import { IllegalTransitionError, LedgerInputError } from './errors';
import type { Hold } from './hold';
import type { JournalEntry, Posting } from './journal';

/**
 * Deposits, keyed by (chain, txHash, logIndex) so one on-chain transfer is booked once.
 *
 *   (new) ──see──▶ seen: a hold debits `pending-deposits` and credits the customer (pending credit)
 *   seen ──observe(c < depth)──▶ seen (confirmations updated)
 *   seen ──observe(c ≥ depth)──▶ credited: the hold is posted to the customer and, as a linked leg,
 *        `onchain` is debited against `pending-deposits` (so pending-deposits' posted balance stays 0)
 *   credited ──observe──▶ credited, nothing booked (a duplicate event credits nothing)
 *   seen ──reorg(removed)──▶ removed (hold released)      seen ──reorg(pending, c)──▶ seen (confirmations c)
 *   credited ──reorg(removed)──▶ removed: a reversal entry, the exact mirror of the credit
 *   credited ──reorg(pending, c)──▶ seen: the reversal, and a new hold (the next generation)
 *   removed ──observe(c)──▶ seen again (a new hold), credited at once if c ≥ depth
 *
 * If the customer has already spent a credited deposit, pass `customerAvailable` with the reorg
 * (what `spendable()` gives for the customer account): the shortfall is first moved from `suspense`
 * to the customer (entry kind `deposit.reorg-cover`), so the reversal stays an exact mirror and the
 * customer account never goes negative; suspense then shows the loss for someone to investigate.
 */
export const DEPOSIT_STATES = ['seen', 'credited', 'removed'] as const;
export type DepositState = (typeof DEPOSIT_STATES)[number];

/** Most confirmations a deposit may need or report (a plain guard against nonsense). */
export const MAX_CONFIRMATIONS = 1_000_000;
const TX_HASH_PATTERN = /^[A-Za-z0-9]{1,128}$/;

export interface Deposit {
  /** `deposit/<chain>/<txHash>/<logIndex>`. */
  readonly id: string;
  readonly chain: string;
  readonly txHash: string;
  readonly logIndex: number;
  readonly wallet: string;
  readonly asset: AssetKey;
  readonly amount: bigint;
  readonly requiredConfirmations: number;
  readonly confirmations: number;
  readonly state: DepositState;
  /** Counts the holds opened for this deposit (1 after `see`); ids of holds and entries carry it. */
  readonly generation: number;
  /** The open hold while `seen`, else null. */
  readonly hold: Hold | null;
  /** The credit entry while `credited` (what a reorg reverses), else null. */
  readonly creditEntry: JournalEntry | null;
}

export interface DepositInput {
  readonly chain: string;
  readonly txHash: string;
  readonly logIndex: number;
  readonly wallet: string;
  readonly asset: Pick<Asset, 'chain' | 'code'>;
  readonly amount: bigint;
  readonly confirmations: number;
  /** The depth configured for this chain and asset, ≥ 1. */
  readonly requiredConfirmations: number;
}

export type DepositEvent =
  | { readonly type: 'observe'; readonly confirmations: number }
  | { readonly type: 'reorg'; readonly outcome: 'pending'; readonly confirmations: number; readonly customerAvailable?: bigint }
  | { readonly type: 'reorg'; readonly outcome: 'removed'; readonly customerAvailable?: bigint };

export interface DepositTransition {
  readonly deposit: Deposit;
  readonly effects: Effects;
}

/** The deposit's key: `deposit/<chain>/<txHash>/<logIndex>` ('/' is outside every part's grammar). */
export function depositId(chain: string, txHash: string, logIndex: number): string {
  validateIdentifier(chain, 'chain');
  if (typeof txHash !== 'string' || !TX_HASH_PATTERN.test(txHash)) throw new LedgerInputError('txHash', 'must be 1..128 characters of [A-Za-z0-9]');
  if (typeof logIndex !== 'number' || !Number.isInteger(logIndex) || logIndex < 0 || logIndex > 0xffffffff) {
    throw new LedgerInputError('logIndex', 'must be an integer in 0..2^32-1');
  }
  return `deposit/${chain}/${txHash}/${logIndex}`;
}

function checkConfirmations(value: unknown, field: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_CONFIRMATIONS) {
    throw new LedgerInputError(field, `must be an integer in ${min}..${MAX_CONFIRMATIONS}`);
  }
  return value;
}

function accountsOf(d: Pick<Deposit, 'wallet' | 'asset' | 'chain'>): { customer: AccountKey; onchain: AccountKey; pending: AccountKey; suspense: AccountKey } {
  const code = d.asset.slice(d.asset.indexOf('/') + 1);
  const ref = { chain: d.chain, code };
  const sys = systemAccounts(ref);
  return { customer: customerAccount(d.wallet, ref).key, onchain: sys.onchain.key, pending: sys['pending-deposits'].key, suspense: sys.suspense.key };
}

function event(type: OutboxEventDraft['type'], d: Deposit, extra: Record<string, EventValue> = {}): OutboxEventDraft {
  return Object.freeze({
    type,
    subject: d.id,
    data: Object.freeze({
      chain: d.chain,
      txHash: d.txHash,
      logIndex: d.logIndex,
      wallet: d.wallet,
      asset: d.asset,
      amount: d.amount.toString(),
      confirmations: d.confirmations,
      state: d.state,
      ...extra,
    }),
  });
}

function posting(account: AccountKey, asset: AssetKey, side: Posting['side'], amount: bigint): Posting {
  return Object.freeze({ account, asset, side, amount });
}

/** Open the next generation's hold (pending credit to the customer). */
function openHold(d: Deposit): { deposit: Deposit; effects: Effects } {
  const acc = accountsOf(d);
  const generation = d.generation + 1;
  const hold: Hold = Object.freeze({
    id: `${d.id}/${generation}`,
    asset: d.asset,
    debitAccount: acc.pending,
    creditAccount: acc.customer,
    amount: d.amount,
    expiresAt: null,
    state: 'pending',
    postedAmount: 0n,
  });
  const deposit: Deposit = Object.freeze({ ...d, state: 'seen', generation, hold, creditEntry: null });
  return { deposit, effects: Object.freeze({ entries: [], holdOps: [Object.freeze({ op: 'open' as const, hold })], events: [event('deposit.seen', deposit)] }) };
}

/** From `seen`: record confirmations; credit when they reach the depth. */
function observe(d: Deposit, confirmations: number): DepositTransition {
  const hold = d.hold!;
  if (confirmations < d.requiredConfirmations) {
    const deposit: Deposit = Object.freeze({ ...d, confirmations });
    return { deposit, effects: confirmations === d.confirmations ? NO_EFFECTS : Object.freeze({ entries: [], holdOps: [], events: [event('deposit.confirmations', deposit)] }) };
  }
  const acc = accountsOf(d);
  const entry: JournalEntry = Object.freeze({
    id: `${hold.id}:credit`,
    kind: 'deposit.credit',
    reverses: null,
    postings: Object.freeze([
      posting(acc.pending, d.asset, 'debit', d.amount),
      posting(acc.customer, d.asset, 'credit', d.amount),
      posting(acc.onchain, d.asset, 'debit', d.amount),
      posting(acc.pending, d.asset, 'credit', d.amount),
    ]),
  });
  const deposit: Deposit = Object.freeze({ ...d, confirmations, state: 'credited', hold: null, creditEntry: entry });
  const posted: Hold = Object.freeze({ ...hold, state: 'posted', postedAmount: hold.amount });
  return {
    deposit,
    effects: Object.freeze({ entries: [entry], holdOps: [Object.freeze({ op: 'release' as const, hold: posted })], events: [event('deposit.credited', deposit, { entry: entry.id })] }),
  };
}

/** A new deposit seen on chain: its hold, and its credit at once if it already has the depth. */
export function seeDeposit(input: DepositInput): DepositTransition {
  if (typeof input !== 'object' || input === null) throw new LedgerInputError('deposit', 'must be an object');
  const id = depositId(input.chain, input.txHash, input.logIndex);
  const wallet = validateIdentifier(input.wallet, 'wallet');
  if (typeof input.asset !== 'object' || input.asset === null) throw new LedgerInputError('asset', 'must be an object');
  validateIdentifier(input.asset.chain, 'asset.chain');
  validateIdentifier(input.asset.code, 'asset.code');
  if (input.asset.chain !== input.chain) throw new LedgerInputError('asset.chain', "must be the deposit's chain");
  const amount = assertAmount(input.amount, 'amount', { positive: true });
  const requiredConfirmations = checkConfirmations(input.requiredConfirmations, 'requiredConfirmations', 1);
  const confirmations = checkConfirmations(input.confirmations, 'confirmations');
  const blank: Deposit = Object.freeze({
    id,
    chain: input.chain,
    txHash: input.txHash,
    logIndex: input.logIndex,
    wallet,
    asset: assetKey(input.asset),
    amount,
    requiredConfirmations,
    confirmations,
    state: 'removed',
    generation: 0,
    hold: null,
    creditEntry: null,
  });
  const opened = openHold(blank);
  const next = observe(opened.deposit, confirmations);
  return { deposit: next.deposit, effects: combineEffects(opened.effects, next.effects) };
}

/** Undo a credit: a cover from suspense when the customer spent it, then the exact mirror. */
function reverseCredit(d: Deposit, customerAvailable: bigint | undefined): { deposit: Deposit; effects: Effects } {
  const credit = d.creditEntry!;
  const acc = accountsOf(d);
  const entries: JournalEntry[] = [];
  if (customerAvailable !== undefined) {
    if (typeof customerAvailable !== 'bigint') throw new LedgerInputError('customerAvailable', 'must be a bigint');
    const have = customerAvailable > 0n ? customerAvailable : 0n;
    if (have < d.amount) {
      entries.push(
        Object.freeze({
          id: `${credit.id}:cover`,
          kind: 'deposit.reorg-cover' as const,
          reverses: null,
          postings: Object.freeze([posting(acc.suspense, d.asset, 'debit', d.amount - have), posting(acc.customer, d.asset, 'credit', d.amount - have)]),
        }),
      );
    }
  }
  const reversal: JournalEntry = Object.freeze({
    id: `${credit.id}:reversal`,
    kind: 'reversal',
    reverses: credit.id,
    postings: Object.freeze(credit.postings.map((p) => posting(p.account, p.asset, p.side === 'debit' ? 'credit' : 'debit', p.amount))),
  });
  entries.push(reversal);
  return { deposit: Object.freeze({ ...d, creditEntry: null }), effects: Object.freeze({ entries, holdOps: [], events: [] }) };
}

/** Apply an event to a deposit. Refused with `IllegalTransitionError` (a reorg of a removed deposit) or `LedgerInputError`. */
export function transitionDeposit(d: Deposit, ev: DepositEvent): DepositTransition {
  if (typeof d !== 'object' || d === null) throw new LedgerInputError('deposit', 'must be a deposit');
  const type = (ev as { type?: unknown } | null)?.type;
  if (type !== 'observe' && type !== 'reorg') throw new LedgerInputError('event.type', "must be 'observe' or 'reorg'");
  if (ev.type === 'observe') {
    const c = checkConfirmations(ev.confirmations, 'confirmations');
    switch (d.state) {
      case 'seen':
        return observe(d, c);
      case 'credited':
        return { deposit: c === d.confirmations ? d : Object.freeze({ ...d, confirmations: c }), effects: NO_EFFECTS };
      case 'removed': {
        const opened = openHold(Object.freeze({ ...d, confirmations: c }));
        const next = observe(opened.deposit, c);
        return { deposit: next.deposit, effects: combineEffects(opened.effects, next.effects) };
      }
    }
  }
  const outcome = (ev as { outcome?: unknown }).outcome;
  if (outcome !== 'pending' && outcome !== 'removed') throw new LedgerInputError('event.outcome', "must be 'pending' or 'removed'");
  if (d.state === 'removed') throw new IllegalTransitionError('deposit', d.state, 'reorg');
  const c = ev.outcome === 'pending' ? checkConfirmations(ev.confirmations, 'confirmations') : 0;
  if (ev.customerAvailable !== undefined && typeof ev.customerAvailable !== 'bigint') throw new LedgerInputError('customerAvailable', 'must be a bigint');
  if (d.state === 'seen') {
    if (ev.outcome === 'pending') {
      const deposit: Deposit = Object.freeze({ ...d, confirmations: c });
      const reorged = Object.freeze({ entries: [], holdOps: [], events: [event('deposit.reversed', deposit, { outcome: 'pending', wasCredited: false })] });
      const next = observe(deposit, c);
      return { deposit: next.deposit, effects: combineEffects(reorged, next.effects) };
    }
    const deposit: Deposit = Object.freeze({ ...d, state: 'removed', confirmations: 0, hold: null });
    return {
      deposit,
      effects: Object.freeze({ entries: [], holdOps: [Object.freeze({ op: 'release' as const, hold: Object.freeze({ ...d.hold!, state: 'voided' as const }) })], events: [event('deposit.reversed', deposit, { outcome: 'removed', wasCredited: false })] }),
    };
  }
  // credited
  const reversed = reverseCredit(d, ev.customerAvailable);
  const reversalId = reversed.effects.entries[reversed.effects.entries.length - 1]!.id;
  if (ev.outcome === 'removed') {
    const deposit: Deposit = Object.freeze({ ...reversed.deposit, state: 'removed', confirmations: 0, hold: null });
    return { deposit, effects: combineEffects(reversed.effects, { entries: [], holdOps: [], events: [event('deposit.reversed', deposit, { outcome: 'removed', wasCredited: true, entry: reversalId })] }) };
  }
  const opened = openHold(Object.freeze({ ...reversed.deposit, confirmations: c }));
  const note = { entries: [], holdOps: [], events: [event('deposit.reversed', opened.deposit, { outcome: 'pending', wasCredited: true, entry: reversalId })] };
  const next = observe(opened.deposit, c);
  return { deposit: next.deposit, effects: combineEffects(reversed.effects, note, opened.effects, next.effects) };
}
