import { applyChange, applyEntry, balanceView, bookTransfer, customerAccount, InsufficientFundsError, LedgerInputError, openAccounts, systemAccounts, type TransferInput } from './index';

const eth = { chain: 'eth', code: 'ETH' };
const alice = customerAccount('alice', eth);
const bob = customerAccount('bob', eth);
const sys = systemAccounts(eth);
const books = applyEntry(openAccounts(new Map(), [alice, bob, ...Object.values(sys)]), {
  id: 'fund',
  kind: 'transfer',
  reverses: null,
  postings: [
    { account: sys.onchain.key, asset: 'eth/ETH', side: 'debit', amount: 50n },
    { account: alice.key, asset: 'eth/ETH', side: 'credit', amount: 50n },
  ],
});

describe('bookTransfer', () => {
  it('books one entry and one event, and moves the amount', () => {
    const t = bookTransfer({ id: 'transfer/t1', debitAccount: alice.key, creditAccount: bob.key, amount: 20n });
    expect(t.effects.entries).toEqual([t.entry]);
    expect(t.effects.events).toEqual([{ type: 'transfer.booked', subject: 'transfer/t1', data: { asset: 'eth/ETH', debitAccount: alice.key, creditAccount: bob.key, amount: '20' } }]);
    const b = applyChange(books, t.effects);
    expect(balanceView(b.get(alice.key)!).available).toBe(30n);
    expect(balanceView(b.get(bob.key)!).available).toBe(20n);
    expect(() => applyChange(books, bookTransfer({ id: 'transfer/t2', debitAccount: alice.key, creditAccount: bob.key, amount: 51n }).effects)).toThrow(InsufficientFundsError);
  });

  it.each<[string, Partial<TransferInput>, string]>([
    ['zero', { amount: 0n }, 'amount'],
    ['negative', { amount: -1n }, 'amount'],
    ['to itself', { creditAccount: alice.key }, 'creditAccount'],
    ['across assets', { creditAccount: customerAccount('bob', { chain: 'eth', code: 'USDC' }).key }, 'creditAccount'],
    ['from a bad key', { debitAccount: 'x' }, 'debitAccount'],
    ['with a bad id', { id: 'a b' }, 'id'],
  ])('refuses a transfer %s', (_n, over, field) => {
    try {
      bookTransfer({ id: 'transfer/t1', debitAccount: alice.key, creditAccount: bob.key, amount: 20n, ...over });
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(LedgerInputError);
      expect((e as LedgerInputError).field).toBe(field);
    }
  });
});
