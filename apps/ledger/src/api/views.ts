import { balanceView, formatAmount, parseAccountKey, type Account, type AccountBalance, type Deposit, type Hold, type JournalEntry, type Withdrawal } from '@custody/ledger-core';
import type { StoredAsset } from '../books/books.repository';

/**
 * The wire shapes of custody.ledger.v1 (proto-loader's camelCase objects). Amounts are decimal
 * strings in asset units; these objects are also what an idempotency key stores, so a retry is
 * answered with the same bytes.
 */
export interface AssetView {
  chain: string;
  code: string;
  decimals: number;
  contract: string;
  confirmations: number;
}

export function assetView(s: StoredAsset): AssetView {
  return { chain: s.asset.chain, code: s.asset.code, decimals: s.asset.decimals, contract: s.asset.contract ?? '', confirmations: s.confirmations };
}

export interface AccountView {
  key: string;
  kind: string;
  wallet: string;
  chain: string;
  asset: string;
  debitsMustNotExceedCredits: boolean;
}

export function accountView(a: Account): AccountView {
  const [chain, code] = a.asset.split('/') as [string, string];
  return { key: a.key, kind: a.kind, wallet: a.wallet ?? '', chain, asset: code, debitsMustNotExceedCredits: a.flags.debitsMustNotExceedCredits };
}

export interface BalanceWire {
  account: string;
  posted: string;
  held: string;
  incoming: string;
  available: string;
  debitsPosted: string;
  creditsPosted: string;
  debitsPending: string;
  creditsPending: string;
  sequence: string;
}

/** Signed amounts (a system account's posted balance may be negative): '-' and the magnitude. */
function signed(value: bigint, decimals: number): string {
  return value < 0n ? `-${formatAmount(-value, decimals)}` : formatAmount(value, decimals);
}

export function balanceWire(b: AccountBalance, decimals: number, sequence: bigint): BalanceWire {
  const v = balanceView(b);
  return {
    account: b.account.key,
    posted: signed(v.posted, decimals),
    held: signed(v.held, decimals),
    incoming: signed(v.incoming, decimals),
    available: signed(v.available, decimals),
    debitsPosted: formatAmount(b.debitsPosted, decimals),
    creditsPosted: formatAmount(b.creditsPosted, decimals),
    debitsPending: formatAmount(b.debitsPending, decimals),
    creditsPending: formatAmount(b.creditsPending, decimals),
    sequence: sequence.toString(),
  };
}

export interface EntryView {
  id: string;
  kind: string;
  reverses: string;
  postings: Array<{ account: string; side: string; amount: string }>;
  sequence: string;
}

export function entryView(e: JournalEntry, sequence: bigint, decimalsOf: (asset: string) => number): EntryView {
  return {
    id: e.id,
    kind: e.kind,
    reverses: e.reverses ?? '',
    postings: e.postings.map((p) => ({ account: p.account, side: p.side, amount: formatAmount(p.amount, decimalsOf(p.asset)) })),
    sequence: sequence.toString(),
  };
}

export interface HoldView {
  id: string;
  debitAccount: string;
  creditAccount: string;
  amount: string;
  postedAmount: string;
  state: string;
  expiresAtMs: string;
}

export function holdView(h: Hold, decimals: number): HoldView {
  return {
    id: h.id.startsWith('hold/') ? h.id.slice('hold/'.length) : h.id,
    debitAccount: h.debitAccount,
    creditAccount: h.creditAccount,
    amount: formatAmount(h.amount, decimals),
    postedAmount: formatAmount(h.postedAmount, decimals),
    state: h.state,
    expiresAtMs: h.expiresAt === null ? '0' : String(h.expiresAt),
  };
}

export interface DepositView {
  id: string;
  chain: string;
  txHash: string;
  logIndex: number;
  asset: string;
  wallet: string;
  address: string;
  amount: string;
  confirmations: number;
  state: string;
}

export function depositView(d: Deposit, address: string, decimals: number): DepositView {
  return {
    id: d.id,
    chain: d.chain,
    txHash: d.txHash,
    logIndex: d.logIndex,
    asset: d.asset.slice(d.asset.indexOf('/') + 1),
    wallet: d.wallet,
    address,
    amount: formatAmount(d.amount, decimals),
    confirmations: d.confirmations,
    state: d.state,
  };
}

export interface WithdrawalView {
  id: string;
  wallet: string;
  chain: string;
  asset: string;
  amount: string;
  feeEstimate: string;
  feeActual: string;
  destination: string;
  sourceAddress: string;
  txHash: string;
  state: string;
  reason: string;
  expiresAtMs: string;
  feeAsset: string;
}

export function withdrawalView(w: Withdrawal, sourceAddress: string | null, decimals: number, feeDecimals: number): WithdrawalView {
  const [chain, code] = w.asset.split('/') as [string, string];
  return {
    id: w.id,
    wallet: w.wallet,
    chain,
    asset: code,
    amount: formatAmount(w.amount, decimals),
    feeEstimate: formatAmount(w.feeEstimate, feeDecimals),
    feeActual: w.actualFee === null ? '' : formatAmount(w.actualFee, feeDecimals),
    destination: w.destination,
    sourceAddress: sourceAddress ?? '',
    txHash: w.txHash ?? '',
    state: w.state,
    reason: w.reason ?? '',
    expiresAtMs: String(w.expiresAt),
    feeAsset: w.feeAsset.slice(w.feeAsset.indexOf('/') + 1),
  };
}

/** The account key's asset part, for looking up decimals. */
export function assetOfAccount(key: string): string {
  return parseAccountKey(key).asset;
}
