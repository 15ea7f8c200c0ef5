import { parseAccountKey, type AccountKey } from './account';
import { assertAmount } from './amount';
import type { Effects } from './effects';
import { LedgerInputError } from './errors';
import { ENTRY_ID_PATTERN, type JournalEntry } from './journal';

/**
 * A plain single-phase transfer between two accounts of one asset: one entry (debit `from`, credit
 * `to`) and a `transfer.booked` event. Whether `from` may be debited is decided by `applyChange`
 * (its flag, counting holds).
 */
export interface TransferInput {
  /** The entry id, 1..512 of [A-Za-z0-9._:/-]. */
  readonly id: string;
  readonly debitAccount: AccountKey;
  readonly creditAccount: AccountKey;
  readonly amount: bigint;
}

export function bookTransfer(input: TransferInput): { entry: JournalEntry; effects: Effects } {
  if (typeof input !== 'object' || input === null) throw new LedgerInputError('transfer', 'must be an object');
  if (typeof input.id !== 'string' || !ENTRY_ID_PATTERN.test(input.id)) throw new LedgerInputError('id', 'must be 1..512 characters of [A-Za-z0-9._:/-]');
  const debit = parseAccountKey(input.debitAccount, 'debitAccount');
  const credit = parseAccountKey(input.creditAccount, 'creditAccount');
  if (debit.key === credit.key) throw new LedgerInputError('creditAccount', 'must differ from the debit account');
  if (debit.asset !== credit.asset) throw new LedgerInputError('creditAccount', 'must be an account of the same asset as the debit account');
  const amount = assertAmount(input.amount, 'amount', { positive: true });
  const entry: JournalEntry = Object.freeze({
    id: input.id,
    kind: 'transfer',
    reverses: null,
    postings: Object.freeze([
      Object.freeze({ account: debit.key, asset: debit.asset, side: 'debit' as const, amount }),
      Object.freeze({ account: credit.key, asset: credit.asset, side: 'credit' as const, amount }),
    ]),
  });
  const event = Object.freeze({
    type: 'transfer.booked' as const,
    subject: entry.id,
    data: Object.freeze({ asset: debit.asset, debitAccount: debit.key, creditAccount: credit.key, amount: amount.toString() }),
  });
  return { entry, effects: Object.freeze({ entries: [entry], holdOps: [], events: [event] }) };
}
