import { assetKey, validateIdentifier, type Asset, type AssetKey } from './asset';
import { LedgerInputError } from './errors';

/**
 * Accounts. A customer account per (wallet, asset); four system accounts per asset (an asset
 * belongs to one chain, so "per (chain, asset)" is "per asset"):
 *
 * | kind | normal side | what its balance means |
 * | --- | --- | --- |
 * | `customer` | credit (a liability: what custody owes the wallet's owner; credits increase it) | the wallet's funds |
 * | `onchain` | debit (an asset: what custody holds on the chain) | credited deposits − confirmed withdrawals − fees paid |
 * | `pending-deposits` | debit (a clearing account) | posted balance always 0; its pending debits are the deposits seen but not yet credited |
 * | `fees` | debit (an expense) | network fees custody paid beyond what customers were charged |
 * | `suspense` | debit (to investigate) | losses the books could not pin on a customer, e.g. a reorg reversing a deposit already spent |
 *
 * Every customer account carries `debitsMustNotExceedCredits`: debits posted + debits pending may
 * never exceed credits posted (TigerBeetle's `debits_must_not_exceed_credits`). System accounts do not.
 */
export const SYSTEM_ACCOUNT_KINDS = ['onchain', 'pending-deposits', 'fees', 'suspense'] as const;
export type SystemAccountKind = (typeof SYSTEM_ACCOUNT_KINDS)[number];
export type AccountKind = 'customer' | SystemAccountKind;
export type Side = 'debit' | 'credit';

/**
 * The account's stable identity: `customer/<wallet>/<chain>/<code>` or `system/<kind>/<chain>/<code>`.
 * '/' is outside the identifier grammar, so the key is unambiguous and can be parsed back.
 */
export type AccountKey = string;

export interface AccountFlags {
  readonly debitsMustNotExceedCredits: boolean;
}

export interface Account {
  readonly key: AccountKey;
  readonly kind: AccountKind;
  /** The wallet for a customer account, null for a system account. */
  readonly wallet: string | null;
  readonly asset: AssetKey;
  readonly normalSide: Side;
  readonly flags: AccountFlags;
}

export const NORMAL_SIDE: Readonly<Record<AccountKind, Side>> = Object.freeze({
  customer: 'credit',
  onchain: 'debit',
  'pending-deposits': 'debit',
  fees: 'debit',
  suspense: 'debit',
});

type AssetRef = Pick<Asset, 'chain' | 'code'>;

/** The customer account of `wallet` for `asset`. */
export function customerAccount(wallet: string, asset: AssetRef): Account {
  validateIdentifier(wallet, 'wallet');
  validateIdentifier(asset.chain, 'asset.chain');
  validateIdentifier(asset.code, 'asset.code');
  return Object.freeze({
    key: `customer/${wallet}/${asset.chain}/${asset.code}`,
    kind: 'customer',
    wallet,
    asset: assetKey(asset),
    normalSide: NORMAL_SIDE.customer,
    flags: Object.freeze({ debitsMustNotExceedCredits: true }),
  });
}

/** The system account of `kind` for `asset`. */
export function systemAccount(kind: SystemAccountKind, asset: AssetRef): Account {
  if (!SYSTEM_ACCOUNT_KINDS.includes(kind)) throw new LedgerInputError('kind', `must be one of ${SYSTEM_ACCOUNT_KINDS.join(', ')}`);
  validateIdentifier(asset.chain, 'asset.chain');
  validateIdentifier(asset.code, 'asset.code');
  return Object.freeze({
    key: `system/${kind}/${asset.chain}/${asset.code}`,
    kind,
    wallet: null,
    asset: assetKey(asset),
    normalSide: NORMAL_SIDE[kind],
    flags: Object.freeze({ debitsMustNotExceedCredits: false }),
  });
}

/** The four system accounts of an asset, by kind. */
export function systemAccounts(asset: AssetRef): Readonly<Record<SystemAccountKind, Account>> {
  return Object.freeze({
    onchain: systemAccount('onchain', asset),
    'pending-deposits': systemAccount('pending-deposits', asset),
    fees: systemAccount('fees', asset),
    suspense: systemAccount('suspense', asset),
  });
}

/** Parse an account key back into its account (validating every part). */
export function parseAccountKey(key: unknown, field = 'account'): Account {
  if (typeof key !== 'string') throw new LedgerInputError(field, 'must be a string');
  if (key.length > 4 * 129) throw new LedgerInputError(field, 'is too long');
  const parts = key.split('/');
  if (parts.length !== 4) throw new LedgerInputError(field, "must be 'customer/<wallet>/<chain>/<code>' or 'system/<kind>/<chain>/<code>'");
  const [scope, name, chain, code] = parts as [string, string, string, string];
  const asset = { chain: validateIdentifier(chain, `${field}.chain`), code: validateIdentifier(code, `${field}.code`) };
  if (scope === 'customer') return customerAccount(validateIdentifier(name, `${field}.wallet`), asset);
  if (scope === 'system') {
    if (!SYSTEM_ACCOUNT_KINDS.includes(name as SystemAccountKind)) throw new LedgerInputError(`${field}.kind`, `must be one of ${SYSTEM_ACCOUNT_KINDS.join(', ')}`);
    return systemAccount(name as SystemAccountKind, asset);
  }
  throw new LedgerInputError(field, "must start with 'customer/' or 'system/'");
}
