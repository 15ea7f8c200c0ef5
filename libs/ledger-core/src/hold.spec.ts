import {
  applyChange,
  applyEntry,
  balanceView,
  createHold,
  customerAccount,
  HOLD_STATES,
  IllegalTransitionError,
  isHoldDue,
  LedgerInputError,
  openAccounts,
  systemAccounts,
  transitionHold,
  type Balances,
  type Hold,
  type HoldEvent,
  type HoldState,
} from './index';

const eth = { chain: 'eth', code: 'ETH' };
const alice = customerAccount('alice', eth);
const bob = customerAccount('bob', eth);
const sys = systemAccounts(eth);
const T0 = 1_800_000_000_000;
const DEADLINE = T0 + 60_000;

function funded(): Balances {
  const b = openAccounts(new Map(), [alice, bob, ...Object.values(sys)]);
  return applyEntry(b, { id: 'fund', kind: 'transfer', reverses: null, postings: [{ account: sys.onchain.key, asset: 'eth/ETH', side: 'debit', amount: 100n }, { account: alice.key, asset: 'eth/ETH', side: 'credit', amount: 100n }] });
}
function open(amount = 40n, expiresAt: number | null = DEADLINE): { hold: Hold; balances: Balances } {
  const t = createHold({ id: 'hold/h1', debitAccount: alice.key, creditAccount: bob.key, amount, expiresAt }, T0);
  return { hold: t.hold, balances: applyChange(funded(), t.effects) };
}
function inState(state: HoldState): Hold {
  return { ...open().hold, state, postedAmount: state === 'posted' ? 40n : 0n };
}

describe('createHold', () => {
  it('holds the amount as a pending debit and a pending credit, with an event', () => {
    const t = createHold({ id: 'hold/h1', debitAccount: alice.key, creditAccount: bob.key, amount: 40n, expiresAt: DEADLINE }, T0);
    expect(t.hold).toMatchObject({ state: 'pending', amount: 40n, asset: 'eth/ETH', expiresAt: DEADLINE, postedAmount: 0n });
    expect(t.effects.holdOps).toEqual([{ op: 'open', hold: t.hold }]);
    expect(t.effects.entries).toEqual([]);
    expect(t.effects.events.map((e) => e.type)).toEqual(['hold.created']);
    const b = applyChange(funded(), t.effects);
    expect(balanceView(b.get(alice.key)!)).toEqual({ posted: 100n, held: 40n, incoming: 0n, available: 60n });
    expect(balanceView(b.get(bob.key)!)).toEqual({ posted: 0n, held: 0n, incoming: 40n, available: 0n });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['zero amount', { amount: 0n }, 'hold.amount'],
    ['negative amount', { amount: -1n }, 'hold.amount'],
    ['number amount', { amount: 5 }, 'hold.amount'],
    ['same accounts', { creditAccount: alice.key }, 'hold.creditAccount'],
    ['accounts of two assets', { creditAccount: customerAccount('bob', { chain: 'eth', code: 'USDC' }).key }, 'hold.creditAccount'],
    ['a bad account key', { debitAccount: 'customer/a b/eth/ETH' }, 'hold.debitAccount.wallet'],
    ['a deadline in the past', { expiresAt: T0 }, 'hold.expiresAt'],
    ['a fractional deadline', { expiresAt: T0 + 0.5 }, 'hold.expiresAt'],
    ['a bad id', { id: '' }, 'hold.id'],
  ])('refuses %s', (_n, change, field) => {
    const input = { id: 'hold/h1', debitAccount: alice.key, creditAccount: bob.key, amount: 40n, expiresAt: DEADLINE, ...change };
    try {
      createHold(input as never, T0);
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(LedgerInputError);
      expect((e as LedgerInputError).field).toBe(field);
    }
  });

  it('refuses a hold beyond the available balance when applied', () => {
    const t = createHold({ id: 'hold/h1', debitAccount: alice.key, creditAccount: bob.key, amount: 101n, expiresAt: null }, T0);
    expect(() => applyChange(funded(), t.effects)).toThrow('insufficient funds');
  });
});

describe('hold transitions: every legal one', () => {
  it('posts in full: the held amount moves, nothing stays held', () => {
    const { hold, balances } = open();
    const t = transitionHold(hold, { type: 'post' }, T0 + 1);
    expect(t.hold).toMatchObject({ state: 'posted', postedAmount: 40n });
    expect(t.effects.entries).toHaveLength(1);
    expect(t.effects.entries[0]).toMatchObject({ id: 'hold/h1:post', kind: 'hold.post' });
    expect(t.effects.holdOps).toEqual([{ op: 'release', hold: t.hold }]);
    const b = applyChange(balances, t.effects);
    expect(balanceView(b.get(alice.key)!)).toEqual({ posted: 60n, held: 0n, incoming: 0n, available: 60n });
    expect(balanceView(b.get(bob.key)!)).toEqual({ posted: 40n, held: 0n, incoming: 0n, available: 40n });
  });

  it('posts in part: the remainder returns to the debit account', () => {
    const { hold, balances } = open();
    const t = transitionHold(hold, { type: 'post', amount: 15n }, DEADLINE - 1);
    expect(t.hold).toMatchObject({ state: 'posted', postedAmount: 15n, amount: 40n });
    const b = applyChange(balances, t.effects);
    expect(balanceView(b.get(alice.key)!)).toEqual({ posted: 85n, held: 0n, incoming: 0n, available: 85n });
    expect(balanceView(b.get(bob.key)!)).toEqual({ posted: 15n, held: 0n, incoming: 0n, available: 15n });
    expect(t.effects.events[0]).toMatchObject({ type: 'hold.posted', subject: 'hold/h1', data: { postedAmount: '15', amount: '40' } });
  });

  it('voids: everything returns', () => {
    const { hold, balances } = open();
    const t = transitionHold(hold, { type: 'void' }, T0 + 1);
    expect(t.hold.state).toBe('voided');
    expect(t.effects.entries).toEqual([]);
    const b = applyChange(balances, t.effects);
    expect(balanceView(b.get(alice.key)!)).toEqual({ posted: 100n, held: 0n, incoming: 0n, available: 100n });
    expect(balanceView(b.get(bob.key)!)).toEqual({ posted: 0n, held: 0n, incoming: 0n, available: 0n });
  });

  it('expires at its stored deadline, not before', () => {
    const { hold, balances } = open();
    expect(isHoldDue(hold, DEADLINE - 1)).toBe(false);
    expect(isHoldDue(hold, DEADLINE)).toBe(true);
    const t = transitionHold(hold, { type: 'expire' }, DEADLINE);
    expect(t.hold.state).toBe('expired');
    expect(t.effects.events.map((e) => e.type)).toEqual(['hold.expired']);
    expect(balanceView(applyChange(balances, t.effects).get(alice.key)!).available).toBe(100n);
  });
});

describe('hold transitions: every illegal one changes nothing', () => {
  const events: HoldEvent[] = [{ type: 'post' }, { type: 'void' }, { type: 'expire' }];
  const finals = HOLD_STATES.filter((s) => s !== 'pending');
  it.each(finals.flatMap((s) => events.map((e) => [s, e] as const)))('from %s, %o is refused', (state, event) => {
    const hold = inState(state);
    const frozen = JSON.stringify(hold, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    try {
      transitionHold(hold, event, DEADLINE + 1);
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(IllegalTransitionError);
      expect(e).toMatchObject({ machine: 'hold', from: state, event: event.type });
    }
    expect(JSON.stringify(hold, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).toBe(frozen);
  });

  it('refuses a post or void at or after the deadline, and an expiry before it or without one', () => {
    const { hold } = open();
    expect(() => transitionHold(hold, { type: 'post' }, DEADLINE)).toThrow(IllegalTransitionError);
    expect(() => transitionHold(hold, { type: 'expire' }, DEADLINE - 1)).toThrow(IllegalTransitionError);
    expect(() => transitionHold(open(40n, null).hold, { type: 'expire' }, DEADLINE * 2)).toThrow(IllegalTransitionError);
    // at the deadline only an expiry is accepted, as TigerBeetle's pending_transfer_expired
    expect(() => transitionHold(hold, { type: 'void' }, DEADLINE)).toThrow(IllegalTransitionError);
    expect(transitionHold(hold, { type: 'void' }, DEADLINE - 1).hold.state).toBe('voided');
    expect(transitionHold(open(40n, null).hold, { type: 'void' }, DEADLINE * 2).hold.state).toBe('voided');
  });

  it.each([0n, -1n, 41n])('refuses a post of %s (0, negative or more than held)', (amount) => {
    const { hold } = open();
    try {
      transitionHold(hold, { type: 'post', amount }, T0 + 1);
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(LedgerInputError);
      expect((e as LedgerInputError).field).toBe('amount');
    }
  });

  it('refuses an unknown event and a bad clock', () => {
    const { hold } = open();
    expect(() => transitionHold(hold, { type: 'cancel' } as unknown as HoldEvent, T0)).toThrow(LedgerInputError);
    expect(() => transitionHold(hold, { type: 'void' }, -1)).toThrow(LedgerInputError);
    expect(() => transitionHold(hold, { type: 'void' }, Number.NaN)).toThrow(LedgerInputError);
  });
});
