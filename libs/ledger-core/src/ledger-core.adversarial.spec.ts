import { customerAccount, isHoldDue, LedgerInputError, reversalOf, systemAccounts, transitionDeposit, transitionHold, transitionWithdrawal, validateEntry, type JournalEntry } from './index';

/** Hostile-caller attacks on reversals. */

const eth = { chain: 'eth', code: 'ETH' };
const alice = customerAccount('alice', eth);
const sys = systemAccounts(eth);
const ENTRY: JournalEntry = {
  id: 'deposit/eth/ab12/0:credit:1',
  kind: 'deposit.credit',
  reverses: null,
  postings: [
    { account: sys.onchain.key, asset: 'eth/ETH', side: 'debit', amount: 5n },
    { account: alice.key, asset: 'eth/ETH', side: 'credit', amount: 5n },
  ],
};

const field = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof LedgerInputError) return e.field;
    throw e;
  }
  return 'accepted';
};

describe('reversalOf and validateEntry refuse reversals that are not one', () => {
  it('a reversal under the id of the entry it reverses (it would name itself)', () => {
    expect(field(() => reversalOf(ENTRY, ENTRY.id))).toBe('id');
    expect(field(() => validateEntry({ ...ENTRY, kind: 'reversal', reverses: ENTRY.id, postings: reversalOf(ENTRY, 'r').postings }))).toBe('entry.reverses');
  });
  it('a reversal id outside the entry id grammar, or not a string', () => {
    expect(field(() => reversalOf(ENTRY, 'has a space'))).toBe('id');
    expect(field(() => reversalOf(ENTRY, 'x'.repeat(513)))).toBe('id');
    expect(field(() => reversalOf(ENTRY, 7 as never))).toBe('id');
  });
  it('the reversal of an entry that is itself malformed (unbalanced) or a disguised reversal', () => {
    expect(field(() => reversalOf({ ...ENTRY, postings: [ENTRY.postings[0]!, { ...ENTRY.postings[1]!, amount: 4n }] }, 'r'))).toBe('entry.postings');
    const reversal = reversalOf(ENTRY, 'r1');
    expect(field(() => reversalOf(reversal, 'r2'))).toBe('entry');
    expect(field(() => reversalOf({ ...reversal, kind: 'transfer' } as JournalEntry, 'r2'))).toBe('entry.reverses');
  });
  it('a proper reversal is the exact mirror (control)', () => {
    const r = reversalOf(ENTRY, `${ENTRY.id}:reversal`);
    expect(() => validateEntry(r)).not.toThrow();
    expect(r.postings.map((p) => p.side)).toEqual(['credit', 'debit']);
  });
});

describe('lifecycle transitions given no state object', () => {
  it('refuse null or a non-object with LedgerInputError naming it (never a TypeError)', () => {
    for (const bad of [null, undefined, 7, 'pending']) {
      expect(field(() => transitionHold(bad as never, { type: 'void' }, 1))).toBe('hold');
      expect(field(() => isHoldDue(bad as never, 1))).toBe('hold');
      expect(field(() => transitionWithdrawal(bad as never, { type: 'approve' } as never, 1))).toBe('withdrawal');
      expect(field(() => transitionDeposit(bad as never, { type: 'observe', confirmations: 1 }))).toBe('deposit');
    }
  });
});
