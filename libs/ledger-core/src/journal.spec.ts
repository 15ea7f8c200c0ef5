import {
  applyChange,
  applyEntry,
  balanceView,
  createHold,
  customerAccount,
  InsufficientFundsError,
  isExactMirror,
  LedgerInputError,
  MAX_AMOUNT,
  openAccounts,
  reversalOf,
  spendable,
  systemAccounts,
  UnknownAccountError,
  validateEntry,
  type Balances,
  type JournalEntry,
  type Posting,
} from './index';

const eth = { chain: 'eth', code: 'ETH' };
const usdc = { chain: 'eth', code: 'USDC' };
const alice = customerAccount('alice', eth);
const bob = customerAccount('bob', eth);
const aliceUsdc = customerAccount('alice', usdc);
const sys = systemAccounts(eth);
const sysUsdc = systemAccounts(usdc);

const p = (account: { key: string; asset: string }, side: Posting['side'], amount: bigint): Posting => ({ account: account.key, asset: account.asset, side, amount });
const entry = (id: string, postings: Posting[]): JournalEntry => ({ id, kind: 'transfer', reverses: null, postings });

function books(): Balances {
  return openAccounts(new Map(), [alice, bob, aliceUsdc, ...Object.values(sys), ...Object.values(sysUsdc)]);
}
/** Alice has 100 ETH units and 50 USDC units. */
function funded(): Balances {
  return applyEntry(applyEntry(books(), entry('fund', [p(sys.onchain, 'debit', 100n), p(alice, 'credit', 100n)])), entry('fund-usdc', [p(sysUsdc.onchain, 'debit', 50n), p(aliceUsdc, 'credit', 50n)]));
}

function inputError(fn: () => unknown): LedgerInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LedgerInputError) return e;
    throw e;
  }
  throw new Error('expected a LedgerInputError');
}

describe('validateEntry', () => {
  it('accepts balanced entries, also across assets', () => {
    expect(() => validateEntry(entry('e1', [p(alice, 'debit', 5n), p(bob, 'credit', 5n)]))).not.toThrow();
    expect(() => validateEntry(entry('e2', [p(alice, 'debit', 5n), p(bob, 'credit', 3n), p(sys.fees, 'credit', 2n), p(aliceUsdc, 'debit', 1n), p(sysUsdc.onchain, 'credit', 1n)]))).not.toThrow();
  });

  it.each<[string, JournalEntry, string]>([
    ['unbalanced', entry('e', [p(alice, 'debit', 5n), p(bob, 'credit', 4n)]), 'entry.postings'],
    ['balanced in total but not per asset', entry('e', [p(alice, 'debit', 5n), p(aliceUsdc, 'credit', 5n)]), 'entry.postings'],
    ['one posting', entry('e', [p(alice, 'debit', 5n)]), 'entry.postings'],
    ['zero amount', entry('e', [p(alice, 'debit', 0n), p(bob, 'credit', 0n)]), 'entry.postings[0].amount'],
    ['negative amount', entry('e', [p(alice, 'debit', -5n), p(bob, 'credit', -5n)]), 'entry.postings[0].amount'],
    ['amount over 78 digits', entry('e', [p(alice, 'debit', MAX_AMOUNT + 1n), p(bob, 'credit', MAX_AMOUNT + 1n)]), 'entry.postings[0].amount'],
    ['number amount', entry('e', [{ ...p(alice, 'debit', 5n), amount: 5 as unknown as bigint }, p(bob, 'credit', 5n)]), 'entry.postings[0].amount'],
    ['bad side', entry('e', [{ ...p(alice, 'debit', 5n), side: 'left' as 'debit' }, p(bob, 'credit', 5n)]), 'entry.postings[0].side'],
    ['asset not the account asset', entry('e', [{ ...p(alice, 'debit', 5n), asset: 'eth/USDC' }, p(aliceUsdc, 'credit', 5n)]), 'entry.postings[0].asset'],
    ['bad account key', entry('e', [{ ...p(alice, 'debit', 5n), account: 'nope' }, p(bob, 'credit', 5n)]), 'entry.postings[0].account'],
    ['bad id', entry('has space', [p(alice, 'debit', 5n), p(bob, 'credit', 5n)]), 'entry.id'],
    ['reversal without reverses', { ...entry('e', [p(alice, 'debit', 5n), p(bob, 'credit', 5n)]), kind: 'reversal' }, 'entry.reverses'],
    ['reverses on a transfer', { ...entry('e', [p(alice, 'debit', 5n), p(bob, 'credit', 5n)]), reverses: 'x' }, 'entry.reverses'],
    ['unknown kind', { ...entry('e', [p(alice, 'debit', 5n), p(bob, 'credit', 5n)]), kind: 'gift' as 'transfer' }, 'entry.kind'],
  ])('refuses an entry that is %s', (_name, e, field) => {
    expect(inputError(() => validateEntry(e)).field).toBe(field);
  });
});

describe('applyEntry and applyChange', () => {
  it('keeps the four totals and the derived views on each normal side', () => {
    const b = funded();
    expect(balanceView(b.get(alice.key)!)).toEqual({ posted: 100n, held: 0n, incoming: 0n, available: 100n });
    expect(balanceView(b.get(sys.onchain.key)!)).toEqual({ posted: 100n, held: 0n, incoming: 0n, available: 100n });
    const held = applyChange(b, createHold({ id: 'h', debitAccount: alice.key, creditAccount: bob.key, amount: 30n, expiresAt: null }, 0).effects);
    expect(balanceView(held.get(alice.key)!)).toEqual({ posted: 100n, held: 30n, incoming: 0n, available: 70n });
    expect(balanceView(held.get(bob.key)!)).toEqual({ posted: 0n, held: 0n, incoming: 30n, available: 0n });
    expect(spendable(held.get(alice.key)!)).toBe(70n);
  });

  it('does not modify the balances it is given', () => {
    const b = funded();
    const copy = new Map(b);
    applyEntry(b, entry('t', [p(alice, 'debit', 10n), p(bob, 'credit', 10n)]));
    expect(b).toEqual(copy);
  });

  it('lets a flagged account reach exactly zero and refuses one unit more, counting holds', () => {
    const b = funded();
    const all = applyEntry(b, entry('t', [p(alice, 'debit', 100n), p(bob, 'credit', 100n)]));
    expect(balanceView(all.get(alice.key)!).available).toBe(0n);
    expect(() => applyEntry(b, entry('t', [p(alice, 'debit', 101n), p(bob, 'credit', 101n)]))).toThrow(InsufficientFundsError);
    const held = applyChange(b, createHold({ id: 'h', debitAccount: alice.key, creditAccount: bob.key, amount: 60n, expiresAt: null }, 0).effects);
    try {
      applyEntry(held, entry('t', [p(alice, 'debit', 41n), p(bob, 'credit', 41n)]));
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(InsufficientFundsError);
      expect((e as InsufficientFundsError).account).toBe(alice.key);
      expect((e as InsufficientFundsError).available).toBe(40n);
      expect((e as InsufficientFundsError).shortfall).toBe(1n);
    }
    expect(() => applyChange(held, createHold({ id: 'h2', debitAccount: alice.key, creditAccount: bob.key, amount: 41n, expiresAt: null }, 0).effects)).toThrow(InsufficientFundsError);
  });

  it('lets system accounts go either way (they are not flagged)', () => {
    const b = applyEntry(books(), entry('t', [p(sys.suspense, 'debit', 7n), p(sys.fees, 'credit', 7n)]));
    expect(balanceView(b.get(sys.fees.key)!).posted).toBe(-7n);
  });

  it('applies linked legs all or nothing', () => {
    const b = funded();
    // the first leg alone would be fine; the second overdraws bob: nothing at all is applied
    const linked = entry('t', [p(alice, 'debit', 10n), p(bob, 'credit', 10n), p(bob, 'debit', 20n), p(sys.fees, 'credit', 20n)]);
    expect(() => applyEntry(b, linked)).toThrow(InsufficientFundsError);
    const ok = entry('t2', [p(alice, 'debit', 30n), p(bob, 'credit', 30n), p(bob, 'debit', 20n), p(sys.fees, 'credit', 20n)]);
    const after = applyEntry(b, ok);
    expect(balanceView(after.get(bob.key)!).posted).toBe(10n);
    // a change with two entries is linked too
    expect(() => applyChange(b, { entries: [entry('a', [p(alice, 'debit', 10n), p(bob, 'credit', 10n)]), entry('b', [p(alice, 'debit', 91n), p(bob, 'credit', 91n)])], holdOps: [] })).toThrow(InsufficientFundsError);
  });

  it('names an unknown account', () => {
    const stranger = customerAccount('carol', eth);
    try {
      applyEntry(funded(), entry('t', [p(alice, 'debit', 1n), p(stranger, 'credit', 1n)]));
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(UnknownAccountError);
      expect((e as UnknownAccountError).field).toBe('entries[0].postings[1].account');
    }
  });

  it('refuses a total beyond 78 digits', () => {
    const big = applyEntry(books(), entry('t', [p(sys.onchain, 'debit', MAX_AMOUNT), p(alice, 'credit', MAX_AMOUNT)]));
    expect(() => applyEntry(big, entry('t2', [p(sys.onchain, 'debit', 1n), p(alice, 'credit', 1n)]))).toThrow(LedgerInputError);
  });

  it('refuses releasing a hold that is not pending on its accounts', () => {
    const { hold } = createHold({ id: 'h', debitAccount: alice.key, creditAccount: bob.key, amount: 5n, expiresAt: null }, 0);
    expect(inputError(() => applyChange(funded(), { entries: [], holdOps: [{ op: 'release', hold }] })).field).toBe('holdOps[0].hold');
  });
});

describe('reversals', () => {
  it('mirror every posting and name the entry', () => {
    const e = entry('t', [p(alice, 'debit', 10n), p(bob, 'credit', 7n), p(sys.fees, 'credit', 3n)]);
    const r = reversalOf(e, 't:reversal');
    expect(r.reverses).toBe('t');
    expect(r.kind).toBe('reversal');
    expect(r.postings.map((x) => x.side)).toEqual(['credit', 'debit', 'debit']);
    expect(isExactMirror(r, e)).toBe(true);
    expect(() => validateEntry(r)).not.toThrow();
    const b = applyEntry(funded(), e);
    // totals only grow (entries are never undone in place); every derived balance is as before
    const views = (x: Balances): Record<string, unknown> => Object.fromEntries([...x].map(([k, v]) => [k, balanceView(v)]));
    expect(views(applyEntry(b, r))).toEqual(views(funded()));
    expect(applyEntry(b, r).get(bob.key)!.debitsPosted).toBe(7n);
  });

  it('detects what is not a mirror', () => {
    const e = entry('t', [p(alice, 'debit', 10n), p(bob, 'credit', 10n)]);
    const r = reversalOf(e, 'r');
    expect(isExactMirror({ ...r, reverses: 'other' }, e)).toBe(false);
    expect(isExactMirror({ ...r, postings: [p(alice, 'credit', 9n), p(bob, 'debit', 9n)] }, e)).toBe(false);
    expect(isExactMirror({ ...r, postings: [p(alice, 'debit', 10n), p(bob, 'credit', 10n)] }, e)).toBe(false);
    expect(isExactMirror({ ...r, postings: [...r.postings, p(alice, 'credit', 1n)] }, e)).toBe(false);
    expect(() => reversalOf(r, 'rr')).toThrow(LedgerInputError);
  });
});

describe('applyChange input guards', () => {
  it.each<[string, unknown, string]>([
    ['no change', null, 'change'],
    ['entries not an array', { entries: 'x', holdOps: [] }, 'entries'],
    ['holdOps not an array', { entries: [], holdOps: {} }, 'holdOps'],
    ['a bad hold op', { entries: [], holdOps: [{ op: 'close' }] }, 'holdOps[0].op'],
    ['a hold op without a hold', { entries: [], holdOps: [{ op: 'open' }] }, 'holdOps[0].hold'],
    ['a null entry', { entries: [null], holdOps: [] }, 'entries[0]'],
  ])('refuses %s with a LedgerInputError', (_n, change, field) => {
    expect(inputError(() => applyChange(funded(), change as never)).field).toBe(field);
  });

  it('shortens a very long field path in the error', () => {
    const e = new LedgerInputError('a.'.repeat(1000), 'bad');
    expect(e.field.length).toBeLessThan(260);
    expect(e.message.length).toBeLessThan(300);
  });
});
