import { customerAccount, systemAccounts, type Account, type AccountKey } from './account';
import { assetKey, validateAsset, validateIdentifier, type Asset } from './asset';
import { depositId, seeDeposit, transitionDeposit, type Deposit } from './deposit';
import { combineEffects, type Effects, type OutboxEventDraft } from './effects';
import { IdempotencyConflictError, IllegalTransitionError, InsufficientFundsError, LedgerInputError, UnknownAccountError } from './errors';
import { createHold, isHoldDue, transitionHold, type Hold } from './hold';
import { applyChange, openAccounts, spendable, type AccountBalance, type JournalEntry } from './journal';
import { checkLedger, type LedgerSnapshot, type Violation } from './invariants';
import { requestWithdrawal, transitionWithdrawal, type Withdrawal, type WithdrawalEvent } from './withdrawal';

/**
 * A pure in-memory reference ledger: the same lifecycles and rules as the service, without storage.
 * The property tests run random operation sequences on it and check every invariant after each
 * step; the service's property test runs the same sequences against Postgres and compares its
 * balances with `balances()` after every step.
 *
 * Every operation carries its own time `at` (milliseconds); a refused operation changes nothing.
 */
export interface ModelAsset extends Asset {
  /** Confirmations needed to credit a deposit of this asset. */
  readonly requiredConfirmations: number;
  /** The code of the asset (same chain) withdrawals pay their fee in; the asset itself if omitted. */
  readonly feeAsset?: string;
}

export interface ModelConfig {
  readonly assets: readonly ModelAsset[];
  readonly wallets: readonly string[];
}

/**
 * One step of a sequence, as plain data. How the service runs each (its property test does the same):
 * - `deposit.see`: a deposit event from the indexer; for a key already known it is an `observe` with
 *   the new confirmation count (so a duplicate event books nothing); the depth is the asset's.
 * - `deposit.observe` / `deposit.reorg`: by deposit id. A reorg passes the customer's `spendable()`
 *   balance, read in the same transaction, as `customerAvailable`.
 * - `hold.create`: a plain hold between two customer accounts (`from` debited, `to` credited), id
 *   `hold/<id>`; `hold.post` / `hold.void` / `hold.expire` name that id.
 * - `withdrawal.request`: fee in the asset's configured `feeAsset`; `withdrawal.event` by id `withdrawal/<id>`.
 * - `clock.tick`: the expiry sweep of plain holds (withdrawals expire only by their `expire` event;
 *   their holds have no deadline of their own).
 */
export type Operation =
  | { readonly op: 'deposit.see'; readonly at: number; readonly chain: string; readonly txHash: string; readonly logIndex: number; readonly wallet: string; readonly asset: string; readonly amount: bigint; readonly confirmations: number }
  | { readonly op: 'deposit.observe'; readonly at: number; readonly deposit: string; readonly confirmations: number }
  | { readonly op: 'deposit.reorg'; readonly at: number; readonly deposit: string; readonly outcome: 'pending' | 'removed'; readonly confirmations: number }
  | { readonly op: 'hold.create'; readonly at: number; readonly id: string; readonly from: string; readonly to: string; readonly asset: string; readonly amount: bigint; readonly expiresAt: number | null }
  | { readonly op: 'hold.post'; readonly at: number; readonly hold: string; readonly amount?: bigint }
  | { readonly op: 'hold.void'; readonly at: number; readonly hold: string }
  | { readonly op: 'hold.expire'; readonly at: number; readonly hold: string }
  | { readonly op: 'withdrawal.request'; readonly at: number; readonly id: string; readonly wallet: string; readonly asset: string; readonly amount: bigint; readonly feeEstimate: bigint; readonly destination: string; readonly expiresAt: number }
  | { readonly op: 'withdrawal.event'; readonly at: number; readonly withdrawal: string; readonly event: WithdrawalEvent }
  /** The expiry sweep: at `at`, every plain hold whose deadline has passed expires, in order of (expiresAt, id), in one change. */
  | { readonly op: 'clock.tick'; readonly at: number };

/** How an operation was refused, as the service reports it (and a test compares). */
export type RefusalKind = 'invalid-input' | 'illegal-transition' | 'insufficient-funds' | 'not-found' | 'idempotency-conflict';

export type OperationResult = { readonly ok: true; readonly effects: Effects } | { readonly ok: false; readonly refusal: RefusalKind; readonly message: string };

export interface OutboxRecord {
  readonly sequence: bigint;
  readonly event: OutboxEventDraft;
}

class NotFound extends Error {}

/** Map an error to its refusal kind; a bug (anything else) is rethrown. */
export function refusalKind(e: unknown): RefusalKind {
  if (e instanceof LedgerInputError) return 'invalid-input';
  if (e instanceof IllegalTransitionError) return 'illegal-transition';
  if (e instanceof InsufficientFundsError) return 'insufficient-funds';
  if (e instanceof UnknownAccountError || e instanceof NotFound) return 'not-found';
  if (e instanceof IdempotencyConflictError) return 'idempotency-conflict';
  throw e;
}

export class ReferenceLedger {
  private readonly assets = new Map<string, ModelAsset>();
  private balanceMap: Map<AccountKey, AccountBalance>;
  private readonly entryList: JournalEntry[] = [];
  private readonly holdMap = new Map<string, Hold>();
  private readonly depositMap = new Map<string, Deposit>();
  private readonly withdrawalMap = new Map<string, Withdrawal>();
  private readonly outboxList: OutboxRecord[] = [];
  private clock = 0;

  constructor(readonly config: ModelConfig) {
    const accounts: Account[] = [];
    for (const a of config.assets) {
      const asset = validateAsset({ code: a.code, chain: a.chain, decimals: a.decimals, contract: a.contract });
      this.assets.set(asset.code, a);
      accounts.push(...Object.values(systemAccounts(asset)));
      for (const w of config.wallets) accounts.push(customerAccount(validateIdentifier(w, 'wallet'), asset));
    }
    for (const a of config.assets) if (a.feeAsset !== undefined && !this.assets.has(a.feeAsset)) throw new LedgerInputError('feeAsset', 'must be a configured asset');
    this.balanceMap = openAccounts(new Map(), accounts);
  }

  /** Apply one operation; on refusal nothing changes. */
  apply(operation: Operation): OperationResult {
    try {
      if (!Number.isSafeInteger(operation.at) || operation.at < this.clock) throw new LedgerInputError('at', 'must not go back in time');
      const { effects, commit } = this.plan(operation);
      const balances = applyChange(this.balanceMap, effects);
      // all checks passed: commit
      this.clock = operation.at;
      this.balanceMap = balances;
      this.entryList.push(...effects.entries);
      for (const op of effects.holdOps) this.holdMap.set(op.hold.id, op.hold);
      commit();
      for (const event of effects.events) this.outboxList.push({ sequence: BigInt(this.outboxList.length + 1), event });
      return { ok: true, effects };
    } catch (e) {
      const refusal = refusalKind(e);
      return { ok: false, refusal, message: (e as Error).message };
    }
  }

  private asset(code: string): ModelAsset {
    const a = this.assets.get(code);
    if (!a) throw new LedgerInputError('asset', 'is not a configured asset');
    return a;
  }

  private plan(o: Operation): { effects: Effects; commit: () => void } {
    switch (o.op) {
      case 'deposit.see': {
        const a = this.asset(o.asset);
        const id = depositId(o.chain, o.txHash, o.logIndex);
        const existing = this.depositMap.get(id);
        const t = existing
          ? transitionDeposit(existing, { type: 'observe', confirmations: o.confirmations })
          : seeDeposit({ chain: o.chain, txHash: o.txHash, logIndex: o.logIndex, wallet: o.wallet, asset: a, amount: o.amount, confirmations: o.confirmations, requiredConfirmations: a.requiredConfirmations });
        return { effects: t.effects, commit: () => this.commitDeposit(t.deposit) };
      }
      case 'deposit.observe': {
        const d = this.found(this.depositMap, o.deposit);
        const t = transitionDeposit(d, { type: 'observe', confirmations: o.confirmations });
        return { effects: t.effects, commit: () => this.commitDeposit(t.deposit) };
      }
      case 'deposit.reorg': {
        const d = this.found(this.depositMap, o.deposit);
        const customer = customerAccount(d.wallet, this.asset(d.asset.slice(d.asset.indexOf('/') + 1))).key;
        const customerAvailable = spendable(this.balanceMap.get(customer)!);
        const t =
          o.outcome === 'pending'
            ? transitionDeposit(d, { type: 'reorg', outcome: 'pending', confirmations: o.confirmations, customerAvailable })
            : transitionDeposit(d, { type: 'reorg', outcome: 'removed', customerAvailable });
        return { effects: t.effects, commit: () => this.commitDeposit(t.deposit) };
      }
      case 'hold.create': {
        const a = this.asset(o.asset);
        if (this.holdMap.has(`hold/${o.id}`)) throw new LedgerInputError('id', 'is already used');
        const t = createHold(
          { id: `hold/${validateIdentifier(o.id, 'id')}`, debitAccount: customerAccount(o.from, a).key, creditAccount: customerAccount(o.to, a).key, amount: o.amount, expiresAt: o.expiresAt },
          o.at,
        );
        return { effects: t.effects, commit: () => undefined };
      }
      case 'hold.post':
      case 'hold.void':
      case 'hold.expire': {
        const h = this.found(this.holdMap, o.hold);
        if (!h.id.startsWith('hold/')) throw new NotFound(`hold ${o.hold} is not a plain hold`);
        const t = transitionHold(h, o.op === 'hold.post' ? { type: 'post', ...(o.amount === undefined ? {} : { amount: o.amount }) } : { type: o.op === 'hold.void' ? 'void' : 'expire' }, o.at);
        return { effects: t.effects, commit: () => undefined };
      }
      case 'withdrawal.request': {
        const a = this.asset(o.asset);
        if (this.withdrawalMap.has(`withdrawal/${o.id}`)) throw new LedgerInputError('id', 'is already used');
        const fee = this.asset(a.feeAsset ?? a.code);
        const t = requestWithdrawal({ id: o.id, wallet: o.wallet, asset: a, feeAsset: fee, amount: o.amount, feeEstimate: o.feeEstimate, destination: o.destination, expiresAt: o.expiresAt }, o.at);
        return { effects: t.effects, commit: () => this.commitWithdrawal(t.withdrawal) };
      }
      case 'clock.tick': {
        const due = [...this.holdMap.values()]
          .filter((h) => h.id.startsWith('hold/') && isHoldDue(h, o.at))
          .sort((a, b) => a.expiresAt! - b.expiresAt! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const effects = combineEffects(...due.map((h) => transitionHold(h, { type: 'expire' }, o.at).effects));
        return { effects, commit: () => undefined };
      }
      case 'withdrawal.event': {
        const w = this.found(this.withdrawalMap, o.withdrawal);
        const t = transitionWithdrawal(w, o.event, o.at);
        return { effects: t.effects, commit: () => this.commitWithdrawal(t.withdrawal) };
      }
    }
  }

  private found<T>(map: Map<string, T>, id: string): T {
    const x = map.get(id);
    if (x === undefined) throw new NotFound(`no such id: ${id.slice(0, 80)}`);
    return x;
  }

  private commitDeposit(d: Deposit): void {
    this.depositMap.set(d.id, d);
  }

  private commitWithdrawal(w: Withdrawal): void {
    this.withdrawalMap.set(w.id, w);
  }

  get now(): number {
    return this.clock;
  }

  /** Every account's balance, sorted by account key. */
  balances(): AccountBalance[] {
    return [...this.balanceMap.values()].sort((a, b) => (a.account.key < b.account.key ? -1 : 1));
  }

  balance(key: AccountKey): AccountBalance | undefined {
    return this.balanceMap.get(key);
  }

  entries(): readonly JournalEntry[] {
    return this.entryList;
  }

  holds(): Hold[] {
    return [...this.holdMap.values()];
  }

  deposits(): Deposit[] {
    return [...this.depositMap.values()];
  }

  withdrawals(): Withdrawal[] {
    return [...this.withdrawalMap.values()];
  }

  outbox(): readonly OutboxRecord[] {
    return this.outboxList;
  }

  snapshot(now = this.clock): LedgerSnapshot {
    return { entries: this.entryList, balances: this.balances(), holds: this.holds(), outboxSequences: this.outboxList.map((r) => r.sequence), now };
  }

  /** Every invariant at `now` (default: the model's clock, the time of the last applied operation). */
  check(now = this.clock): Violation[] {
    return checkLedger(this.snapshot(now));
  }

  /** The asset key of a configured asset code. */
  assetKey(code: string): string {
    return assetKey(this.asset(code));
  }
}

/** One account's four totals as plain data (what a repository returns), for comparisons. */
export interface BalanceTotals {
  readonly account: AccountKey;
  readonly debitsPosted: bigint;
  readonly creditsPosted: bigint;
  readonly debitsPending: bigint;
  readonly creditsPending: bigint;
}

/**
 * Differences between the expected balances (the model's) and actual ones (the database's): one line
 * per account missing on either side or with a total that differs; empty when they agree. Accounts
 * whose four totals are all zero count as equal to absent.
 */
export function diffBalances(expected: readonly (AccountBalance | BalanceTotals)[], actual: readonly (AccountBalance | BalanceTotals)[]): string[] {
  const keyOf = (b: AccountBalance | BalanceTotals): AccountKey => (typeof b.account === 'string' ? b.account : b.account.key);
  const zero = { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n };
  const e = new Map(expected.map((b) => [keyOf(b), b] as const));
  const a = new Map(actual.map((b) => [keyOf(b), b] as const));
  const out: string[] = [];
  for (const key of [...new Set([...e.keys(), ...a.keys()])].sort()) {
    const x = e.get(key) ?? zero;
    const y = a.get(key) ?? zero;
    for (const f of ['debitsPosted', 'creditsPosted', 'debitsPending', 'creditsPending'] as const) {
      if (x[f] !== y[f]) out.push(`${key} ${f}: expected ${x[f]}, actual ${y[f]}`);
    }
  }
  return out;
}
