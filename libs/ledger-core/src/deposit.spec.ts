import {
  applyChange,
  applyEntry,
  balanceView,
  checkReversals,
  customerAccount,
  depositId,
  IllegalTransitionError,
  InsufficientFundsError,
  isExactMirror,
  LedgerInputError,
  openAccounts,
  seeDeposit,
  spendable,
  systemAccounts,
  transitionDeposit,
  type Balances,
  type BalanceView,
  type Deposit,
  type DepositEvent,
  type DepositInput,
  type JournalEntry,
} from './index';

const eth = { chain: 'eth', code: 'ETH' };
const alice = customerAccount('alice', eth);
const bob = customerAccount('bob', eth);
const sys = systemAccounts(eth);
const TX = '0x' + 'ab'.repeat(32);

const input = (over: Partial<DepositInput> = {}): DepositInput => ({ chain: 'eth', txHash: TX, logIndex: 2, wallet: 'alice', asset: eth, amount: 100n, confirmations: 0, requiredConfirmations: 3, ...over });
const empty = (): Balances => openAccounts(new Map(), [alice, bob, ...Object.values(sys)]);
const views = (b: Balances): Record<string, BalanceView> => Object.fromEntries([...b].map(([k, v]) => [k, balanceView(v)]));

/** Apply a sequence of events to a new deposit, with the books. */
function run(events: DepositEvent[], over: Partial<DepositInput> = {}, start: Balances = empty()): { d: Deposit; b: Balances; entries: JournalEntry[] } {
  const first = seeDeposit(input(over));
  let b = applyChange(start, first.effects);
  let d = first.deposit;
  const entries: JournalEntry[] = [...first.effects.entries];
  for (const ev of events) {
    const t = transitionDeposit(d, ev);
    b = applyChange(b, t.effects);
    entries.push(...t.effects.entries);
    d = t.deposit;
  }
  return { d, b, entries };
}

describe('deposit keys', () => {
  it('is keyed by (chain, txHash, logIndex)', () => {
    expect(depositId('eth', TX, 2)).toBe(`deposit/eth/${TX}/2`);
    expect(seeDeposit(input()).deposit.id).toBe(`deposit/eth/${TX}/2`);
    expect(depositId('eth', TX, 3)).not.toBe(depositId('eth', TX, 2));
  });

  it.each<[string, Partial<DepositInput>, string]>([
    ['a bad tx hash', { txHash: '0x zz' }, 'txHash'],
    ['a negative log index', { logIndex: -1 }, 'logIndex'],
    ['a fractional log index', { logIndex: 1.5 }, 'logIndex'],
    ['a zero amount', { amount: 0n }, 'amount'],
    ['a required depth of 0', { requiredConfirmations: 0 }, 'requiredConfirmations'],
    ['negative confirmations', { confirmations: -1 }, 'confirmations'],
    ['an asset of another chain', { asset: { chain: 'btc', code: 'BTC' } }, 'asset.chain'],
    ['a bad wallet', { wallet: 'a b' }, 'wallet'],
  ])('refuses %s', (_n, over, field) => {
    try {
      seeDeposit(input(over));
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(LedgerInputError);
      expect((e as LedgerInputError).field).toBe(field);
    }
  });
});

describe('deposit lifecycle', () => {
  it('seen: a pending credit for the customer, not available', () => {
    const { d, b } = run([]);
    expect(d).toMatchObject({ state: 'seen', confirmations: 0, generation: 1 });
    expect(balanceView(b.get(alice.key)!)).toEqual({ posted: 0n, held: 0n, incoming: 100n, available: 0n });
    expect(balanceView(b.get(sys['pending-deposits'].key)!)).toEqual({ posted: 0n, held: 0n, incoming: 100n, available: 0n });
    expect(balanceView(b.get(sys.onchain.key)!).posted).toBe(0n);
  });

  it('confirmations below the depth change nothing in the books; the same count twice is silent', () => {
    const one = seeDeposit(input());
    const t = transitionDeposit(one.deposit, { type: 'observe', confirmations: 2 });
    expect(t.deposit).toMatchObject({ state: 'seen', confirmations: 2 });
    expect(t.effects.entries).toEqual([]);
    expect(t.effects.holdOps).toEqual([]);
    expect(t.effects.events.map((e) => e.type)).toEqual(['deposit.confirmations']);
    const again = transitionDeposit(t.deposit, { type: 'observe', confirmations: 2 });
    expect(again.effects).toEqual({ entries: [], holdOps: [], events: [] });
  });

  it('credited at the configured depth: onchain up, customer available, pending-deposits back to zero', () => {
    const { d, b, entries } = run([{ type: 'observe', confirmations: 3 }]);
    expect(d).toMatchObject({ state: 'credited', hold: null });
    expect(entries.map((e) => [e.id, e.kind])).toEqual([[`deposit/eth/${TX}/2/1:credit`, 'deposit.credit']]);
    expect(balanceView(b.get(alice.key)!)).toEqual({ posted: 100n, held: 0n, incoming: 0n, available: 100n });
    expect(balanceView(b.get(sys.onchain.key)!)).toEqual({ posted: 100n, held: 0n, incoming: 0n, available: 100n });
    expect(balanceView(b.get(sys['pending-deposits'].key)!)).toEqual({ posted: 0n, held: 0n, incoming: 0n, available: 0n });
  });

  it('is credited at once when first seen at the depth', () => {
    const t = seeDeposit(input({ confirmations: 5 }));
    expect(t.deposit.state).toBe('credited');
    expect(t.effects.events.map((e) => e.type)).toEqual(['deposit.seen', 'deposit.credited']);
    expect(balanceView(applyChange(empty(), t.effects).get(alice.key)!).available).toBe(100n);
  });

  it('a duplicate event for a credited deposit credits nothing', () => {
    const { d, b } = run([{ type: 'observe', confirmations: 3 }]);
    for (const c of [3, 4, 10]) {
      const t = transitionDeposit(d, { type: 'observe', confirmations: c });
      expect(t.effects.entries).toEqual([]);
      expect(t.effects.holdOps).toEqual([]);
      expect(views(applyChange(b, t.effects))).toEqual(views(b));
    }
  });

  it('credited then removed by a reorg: every balance as before, by an exact mirror', () => {
    const before = views(empty());
    const { d, b, entries } = run([{ type: 'observe', confirmations: 3 }, { type: 'reorg', outcome: 'removed' }]);
    expect(d).toMatchObject({ state: 'removed', hold: null, creditEntry: null });
    expect(views(b)).toEqual(before);
    expect(entries.map((e) => e.kind)).toEqual(['deposit.credit', 'reversal']);
    expect(isExactMirror(entries[1]!, entries[0]!)).toBe(true);
    expect(checkReversals(entries)).toEqual([]);
  });

  it('credited then reorged back to pending: reversed, pending again, and credited again under a new generation', () => {
    const { d, b, entries } = run([{ type: 'observe', confirmations: 3 }, { type: 'reorg', outcome: 'pending', confirmations: 0 }]);
    expect(d).toMatchObject({ state: 'seen', confirmations: 0, generation: 2 });
    expect(balanceView(b.get(alice.key)!)).toEqual({ posted: 0n, held: 0n, incoming: 100n, available: 0n });
    const t = transitionDeposit(d, { type: 'observe', confirmations: 3 });
    expect(t.effects.entries[0]!.id).toBe(`deposit/eth/${TX}/2/2:credit`);
    expect(new Set([...entries, ...t.effects.entries].map((e) => e.id)).size).toBe(3);
    expect(balanceView(applyChange(b, t.effects).get(alice.key)!).available).toBe(100n);
  });

  it('seen then removed: the pending credit goes away', () => {
    const { d, b } = run([{ type: 'observe', confirmations: 1 }, { type: 'reorg', outcome: 'removed' }]);
    expect(d.state).toBe('removed');
    expect(views(b)).toEqual(views(empty()));
  });

  it('seen then reorged to pending: confirmations start again', () => {
    const { d, b } = run([{ type: 'observe', confirmations: 2 }, { type: 'reorg', outcome: 'pending', confirmations: 0 }]);
    expect(d).toMatchObject({ state: 'seen', confirmations: 0, generation: 1 });
    expect(balanceView(b.get(alice.key)!).incoming).toBe(100n);
  });

  it('removed, then seen again in a later block', () => {
    const { d, b } = run([{ type: 'reorg', outcome: 'removed' }, { type: 'observe', confirmations: 1 }]);
    expect(d).toMatchObject({ state: 'seen', generation: 2, confirmations: 1 });
    expect(balanceView(b.get(alice.key)!).incoming).toBe(100n);
    const { d: d2, b: b2 } = run([{ type: 'reorg', outcome: 'removed' }, { type: 'observe', confirmations: 3 }]);
    expect(d2.state).toBe('credited');
    expect(balanceView(b2.get(alice.key)!).available).toBe(100n);
  });

  it('refuses a reorg of a removed deposit and bad events, changing nothing', () => {
    const { d } = run([{ type: 'reorg', outcome: 'removed' }]);
    expect(() => transitionDeposit(d, { type: 'reorg', outcome: 'removed' })).toThrow(IllegalTransitionError);
    try {
      transitionDeposit(d, { type: 'reorg', outcome: 'pending', confirmations: 0 });
    } catch (e) {
      expect(e).toMatchObject({ machine: 'deposit', from: 'removed', event: 'reorg' });
    }
    const seen = seeDeposit(input()).deposit;
    expect(() => transitionDeposit(seen, { type: 'observe', confirmations: -1 })).toThrow(LedgerInputError);
    expect(() => transitionDeposit(seen, { type: 'reorg', outcome: 'sideways' } as unknown as DepositEvent)).toThrow(LedgerInputError);
    expect(() => transitionDeposit(seen, { type: 'credit' } as unknown as DepositEvent)).toThrow(LedgerInputError);
  });
});

describe('a reorg of a deposit the customer already spent', () => {
  function spent(): { d: Deposit; b: Balances } {
    const { d, b } = run([{ type: 'observe', confirmations: 3 }]);
    // alice sends 70 of the 100 to bob
    const moved = applyEntry(b, { id: 't', kind: 'transfer', reverses: null, postings: [{ account: alice.key, asset: 'eth/ETH', side: 'debit', amount: 70n }, { account: bob.key, asset: 'eth/ETH', side: 'credit', amount: 70n }] });
    return { d, b: moved };
  }

  it('without the available balance the mirror alone is refused (the account would go negative)', () => {
    const { d, b } = spent();
    const t = transitionDeposit(d, { type: 'reorg', outcome: 'removed' });
    expect(() => applyChange(b, t.effects)).toThrow(InsufficientFundsError);
  });

  it('with it, the shortfall is covered from suspense first and the reversal stays an exact mirror', () => {
    const { d, b } = spent();
    const t = transitionDeposit(d, { type: 'reorg', outcome: 'removed', customerAvailable: spendable(b.get(alice.key)!) });
    expect(t.effects.entries.map((e) => e.kind)).toEqual(['deposit.reorg-cover', 'reversal']);
    expect(t.effects.entries[0]!.postings.map((p) => [p.account, p.side, p.amount])).toEqual([
      [sys.suspense.key, 'debit', 70n],
      [alice.key, 'credit', 70n],
    ]);
    expect(isExactMirror(t.effects.entries[1]!, d.creditEntry!)).toBe(true);
    const after = applyChange(b, t.effects);
    expect(balanceView(after.get(alice.key)!).available).toBe(0n);
    expect(balanceView(after.get(bob.key)!).available).toBe(70n);
    expect(balanceView(after.get(sys.suspense.key)!).posted).toBe(70n);
    expect(balanceView(after.get(sys.onchain.key)!).posted).toBe(0n);
  });

  it('no cover when the customer still has enough', () => {
    const { d, b } = run([{ type: 'observe', confirmations: 3 }]);
    const t = transitionDeposit(d, { type: 'reorg', outcome: 'removed', customerAvailable: spendable(b.get(alice.key)!) });
    expect(t.effects.entries.map((e) => e.kind)).toEqual(['reversal']);
  });
});

describe('deposit transitions: the whole table', () => {
  const reach: Record<'seen' | 'credited' | 'removed', DepositEvent[]> = {
    seen: [],
    credited: [{ type: 'observe', confirmations: 3 }],
    removed: [{ type: 'reorg', outcome: 'removed' }],
  };
  const events: [string, DepositEvent][] = [
    ['observe below the depth', { type: 'observe', confirmations: 1 }],
    ['observe at the depth', { type: 'observe', confirmations: 3 }],
    ['reorg back to pending', { type: 'reorg', outcome: 'pending', confirmations: 0 }],
    ['reorg removed', { type: 'reorg', outcome: 'removed' }],
  ];
  const table: [keyof typeof reach, string, string | null][] = [
    ['seen', 'observe below the depth', 'seen'],
    ['seen', 'observe at the depth', 'credited'],
    ['seen', 'reorg back to pending', 'seen'],
    ['seen', 'reorg removed', 'removed'],
    ['credited', 'observe below the depth', 'credited'],
    ['credited', 'observe at the depth', 'credited'],
    ['credited', 'reorg back to pending', 'seen'],
    ['credited', 'reorg removed', 'removed'],
    ['removed', 'observe below the depth', 'seen'],
    ['removed', 'observe at the depth', 'credited'],
    ['removed', 'reorg back to pending', null],
    ['removed', 'reorg removed', null],
  ];
  it.each(table)('%s --%s--> %s', (state, name, to) => {
    const { d, b } = run(reach[state]);
    expect(d.state).toBe(state);
    const ev = events.find(([n]) => n === name)![1];
    if (to === null) {
      expect(() => transitionDeposit(d, ev)).toThrow(IllegalTransitionError);
      return;
    }
    const t = transitionDeposit(d, ev);
    expect(t.deposit.state).toBe(to);
    // the books agree with the new state: available iff credited, incoming iff seen
    const view = balanceView(applyChange(b, t.effects).get(alice.key)!);
    expect(view).toEqual({ posted: to === 'credited' ? 100n : 0n, held: 0n, incoming: to === 'seen' ? 100n : 0n, available: to === 'credited' ? 100n : 0n });
  });
});
