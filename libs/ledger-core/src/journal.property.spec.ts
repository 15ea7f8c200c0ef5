import fc from 'fast-check';
import { applyChange, balanceView, createHold, customerAccount, InsufficientFundsError, openAccounts, spendable, systemAccounts, type Balances, type LedgerChange } from './index';

const eth = { chain: 'eth', code: 'ETH' };
const wallets = ['a', 'b', 'c'].map((w) => customerAccount(w, eth));
const sys = systemAccounts(eth);
const all = [...wallets, ...Object.values(sys)];

/** Random transfers and holds among flagged and unflagged accounts: what is accepted never overdraws; what is refused was an overdraft. */
describe('applyChange properties', () => {
  const step = fc.record({
    kind: fc.constantFrom('transfer', 'hold'),
    from: fc.integer({ min: 0, max: all.length - 1 }),
    to: fc.integer({ min: 0, max: all.length - 1 }),
    amount: fc.bigInt({ min: 1n, max: 1000n }),
  });

  it('never lets a flagged account go negative, and refuses only real overdrafts', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        let b: Balances = openAccounts(new Map(), all);
        steps.forEach((s, i) => {
          if (s.from === s.to) return;
          const from = all[s.from]!;
          const to = all[s.to]!;
          const change: LedgerChange =
            s.kind === 'transfer'
              ? { entries: [{ id: `t${i}`, kind: 'transfer', reverses: null, postings: [{ account: from.key, asset: from.asset, side: 'debit', amount: s.amount }, { account: to.key, asset: to.asset, side: 'credit', amount: s.amount }] }], holdOps: [] }
              : createHold({ id: `h${i}`, debitAccount: from.key, creditAccount: to.key, amount: s.amount, expiresAt: null }, 0).effects;
          const before = b.get(from.key)!;
          try {
            b = applyChange(b, change);
            if (from.flags.debitsMustNotExceedCredits) expect(spendable(before) >= s.amount).toBe(true);
          } catch (e) {
            expect(e).toBeInstanceOf(InsufficientFundsError);
            expect(from.flags.debitsMustNotExceedCredits).toBe(true);
            expect(spendable(before) < s.amount).toBe(true);
            expect((e as InsufficientFundsError).shortfall).toBe(s.amount - spendable(before));
          }
          for (const w of wallets) expect(balanceView(b.get(w.key)!).available >= 0n).toBe(true);
          let net = 0n;
          for (const x of b.values()) net += x.debitsPosted - x.creditsPosted;
          expect(net).toBe(0n);
        });
      }),
    );
  });
});
