import { Injectable } from '@nestjs/common';
import {
  bookTransfer,
  customerAccount,
  parseAccountKey,
  parseAmount,
  UnknownAccountError,
  validateAsset,
  validateIdentifier,
  LedgerInputError,
  type AccountKey,
  type Effects,
} from '@custody/ledger-core';
import { accountView, assetView, balanceWire, entryView, type AccountView, type AssetView, type BalanceWire, type EntryView } from '../api/views';
import { BooksRepository, type StoredAsset } from './books.repository';
import { ConflictError } from './books.errors';
import { hashRequest, IdempotentWriter } from './idempotent-writer';
import { TransferCombiner } from './transfer-combiner';
import type { Tx } from './sql';

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_OUTBOX_LIMIT = 1000;
/** The latest deadline taken (9999-12-31T23:59:59.999Z), in ms: a timestamptz holds it, a later one it may not. */
export const MAX_DEADLINE_MS = 253_402_300_799_999n;
/** Most transfers in one CreateTransfers call. */
export const MAX_BATCH = 1000;
const MAX_CONFIRMATION_DEPTH = 100_000;

/** A page token: the base64url of `e1:<row id>`; anything else is refused as `page_token`. */
export function encodePageToken(rowId: string): string {
  return Buffer.from(`e1:${rowId}`, 'utf8').toString('base64url');
}

export function decodePageToken(token: unknown): bigint {
  if (token === undefined || token === '') return 0n;
  if (typeof token !== 'string' || token.length > 64 || !/^[A-Za-z0-9_-]+$/.test(token)) throw new LedgerInputError('page_token', 'is not a token this API gave');
  const m = /^e1:([1-9][0-9]{0,18})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw new LedgerInputError('page_token', 'is not a token this API gave');
  return BigInt(m[1]!);
}

function pageSize(value: unknown, field: string, max: number, fallback: number): number {
  if (value === undefined || value === 0) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw new LedgerInputError(field, `must be an integer in 1..${max} (0: ${fallback})`);
  return value;
}

/** An unsigned 64-bit decimal string (proto uint64 with `longs: String`) as a bigint. */
export function parseUint64(value: unknown, field: string): bigint {
  if (value === undefined || value === null || value === '') return 0n;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^(0|[1-9][0-9]{0,19})$/.test(text)) throw new LedgerInputError(field, 'must be an unsigned 64-bit integer');
  const n = BigInt(text);
  if (n > 0xffffffffffffffffn) throw new LedgerInputError(field, 'must be an unsigned 64-bit integer');
  return n;
}

/**
 * The books: assets, accounts, transfers, balances, entries and the outbox. Also the one place
 * where any context commits a change (`commit`), so that every write locks, checks and numbers the
 * same way.
 */
@Injectable()
export class BooksService {
  constructor(
    readonly repository: BooksRepository,
    readonly writer: IdempotentWriter,
    private readonly combiner: TransferCombiner,
  ) {}

  /** Books `effects` in `tx` (see BooksRepository.commitChange), naming API fields for unknown accounts. */
  async commit(tx: Tx, effects: Effects, fields: Readonly<Record<AccountKey, string>> = {}): Promise<bigint> {
    try {
      return await this.repository.commitChange(tx, effects);
    } catch (error) {
      if (error instanceof UnknownAccountError) throw new UnknownAccountError(error.account, fields[error.account] ?? error.field);
      throw error;
    }
  }

  async asset(chain: unknown, code: unknown, fields: { chain: string; code: string }): Promise<StoredAsset> {
    return this.repository.requireAsset(undefined, validateIdentifier(chain, fields.chain), validateIdentifier(code, fields.code), fields.code);
  }

  /** The asset of an account key, for its decimals. */
  async assetOfAccount(key: AccountKey, field: string): Promise<StoredAsset> {
    const account = parseAccountKey(key, field);
    const [chain, code] = account.asset.split('/') as [string, string];
    return this.repository.requireAsset(undefined, chain, code, field);
  }

  decimalsOf = (assetKeyText: string): number => {
    const [chain, code] = assetKeyText.split('/') as [string, string];
    const cached = this.cachedDecimals.get(`${chain}/${code}`);
    if (cached === undefined) throw new Error(`decimals of ${assetKeyText} not loaded`);
    return cached;
  };

  private readonly cachedDecimals = new Map<string, number>();

  private remember(s: StoredAsset): StoredAsset {
    this.cachedDecimals.set(`${s.asset.chain}/${s.asset.code}`, s.asset.decimals);
    return s;
  }

  async createAsset(request: { idempotencyKey?: unknown; asset?: unknown }): Promise<AssetView> {
    const raw = (request.asset ?? null) as Record<string, unknown> | null;
    if (raw === null || typeof raw !== 'object') throw new LedgerInputError('asset', 'is required');
    const asset = validateAsset({ code: raw.code, chain: raw.chain, decimals: raw.decimals, contract: raw.contract === '' || raw.contract === undefined ? null : raw.contract }, 'asset');
    const confirmations = raw.confirmations;
    if (typeof confirmations !== 'number' || !Number.isInteger(confirmations) || confirmations < 1 || confirmations > MAX_CONFIRMATION_DEPTH) {
      throw new LedgerInputError('asset.confirmations', `must be an integer in 1..${MAX_CONFIRMATION_DEPTH}`);
    }
    return this.writer.write('CreateAsset', request.idempotencyKey, request, async (tx) => {
      const { stored } = await this.repository.createAsset(tx, asset, confirmations);
      const same = stored.asset.decimals === asset.decimals && stored.asset.contract === asset.contract && stored.confirmations === confirmations;
      if (!same) throw new ConflictError(`asset ${asset.chain}/${asset.code} exists with other attributes`);
      return assetView(stored);
    });
  }

  async listAssets(): Promise<{ assets: AssetView[] }> {
    return { assets: (await this.repository.listAssets()).map(assetView) };
  }

  async openAccount(request: { idempotencyKey?: unknown; wallet?: unknown; chain?: unknown; asset?: unknown }): Promise<AccountView> {
    const wallet = validateIdentifier(request.wallet, 'wallet');
    const stored = await this.asset(request.chain, request.asset, { chain: 'chain', code: 'asset' });
    const account = customerAccount(wallet, stored.asset);
    return this.writer.write('OpenAccount', request.idempotencyKey, request, async (tx) => {
      await this.repository.insertAccount(tx, account, stored.id);
      return accountView(account);
    });
  }

  async balance(request: { account?: unknown; asOfSequence?: unknown }): Promise<BalanceWire> {
    const account = parseAccountKey(request.account, 'account');
    const asOf = parseUint64(request.asOfSequence, 'as_of_sequence');
    const stored = await this.assetOfAccount(account.key, 'account');
    if (asOf > 0n && asOf > (await this.repository.lastSequence())) throw new LedgerInputError('as_of_sequence', 'is beyond the last sequence number');
    const found = asOf === 0n ? await this.repository.balance(account.key) : await this.repository.balanceAsOf(account.key, asOf);
    if (!found) throw new UnknownAccountError(account.key, 'account');
    return balanceWire(found.balance, stored.asset.decimals, found.sequence);
  }

  /** One entry of two postings: debit `debitAccount`, credit `creditAccount`. Its id is `transfer:<idempotency key>`. */
  async transfer(request: { idempotencyKey?: unknown; debitAccount?: unknown; creditAccount?: unknown; amount?: unknown }): Promise<EntryView> {
    const key = validateIdentifier(request.idempotencyKey, 'idempotency_key');
    const planned = await this.planTransfer(request, `transfer:${key}`, '');
    const entry = planned.effects.entries[0]!;
    return this.combiner.submit({
      key,
      method: 'CreateTransfer',
      hash: hashRequest('CreateTransfer', request),
      effects: planned.effects,
      fields: planned.fields,
      respond: (sequence) => entryView(entry, sequence, this.decimalsOf),
    });
  }

  /** Up to MAX_BATCH transfers in one transaction (linked: all or none); entry ids `transfers:<key>/<index>` ('/' is never in a key, so they cannot meet `transfer:<key>`). */
  async transferBatch(request: { idempotencyKey?: unknown; transfers?: unknown }): Promise<{ entries: EntryView[] }> {
    const key = validateIdentifier(request.idempotencyKey, 'idempotency_key');
    if (!Array.isArray(request.transfers) || request.transfers.length === 0 || request.transfers.length > MAX_BATCH) throw new LedgerInputError('transfers', `must hold 1..${MAX_BATCH} transfers`);
    const planned: Array<{ effects: Effects; fields: Record<AccountKey, string> }> = [];
    for (const [i, t] of (request.transfers as unknown[]).entries()) {
      if (typeof t !== 'object' || t === null) throw new LedgerInputError(`transfers[${i}]`, 'must be a transfer');
      planned.push(await this.planTransfer(t as Record<string, unknown>, `transfers:${key}/${i}`, `transfers[${i}].`));
    }
    const effects: Effects = { entries: planned.flatMap((p) => p.effects.entries), holdOps: [], events: planned.flatMap((p) => p.effects.events) };
    const fields = Object.assign({}, ...planned.map((p) => p.fields)) as Record<AccountKey, string>;
    return this.combiner.submit({
      key,
      method: 'CreateTransfers',
      hash: hashRequest('CreateTransfers', request),
      effects,
      fields,
      respond: (sequence) => ({ entries: effects.entries.map((e) => entryView(e, sequence, this.decimalsOf)) }),
    });
  }

  private async planTransfer(t: { debitAccount?: unknown; creditAccount?: unknown; amount?: unknown }, id: string, prefix: string): Promise<{ effects: Effects; fields: Record<AccountKey, string> }> {
    const debit = parseAccountKey(t.debitAccount, `${prefix}debit_account`);
    const credit = parseAccountKey(t.creditAccount, `${prefix}credit_account`);
    if (debit.kind !== 'customer') throw new LedgerInputError(`${prefix}debit_account`, 'must be a customer account (system accounts move only by deposits, withdrawals and holds)');
    if (debit.key === credit.key) throw new LedgerInputError(`${prefix}credit_account`, 'must differ from debit_account');
    if (debit.asset !== credit.asset) throw new LedgerInputError(`${prefix}credit_account`, 'must be an account of the same asset as debit_account');
    const stored = this.remember(await this.assetOfAccount(debit.key, `${prefix}debit_account`));
    const amount = parseAmount(t.amount, stored.asset.decimals, `${prefix}amount`, { positive: true });
    const { effects } = bookTransfer({ id, debitAccount: debit.key, creditAccount: credit.key, amount });
    return {
      effects,
      fields: { [debit.key]: `${prefix}debit_account`, [credit.key]: `${prefix}credit_account` },
    };
  }

  async listEntries(request: { account?: unknown; pageSize?: unknown; pageToken?: unknown }): Promise<{ entries: EntryView[]; nextPageToken: string }> {
    const account = request.account === undefined || request.account === '' ? null : parseAccountKey(request.account, 'account').key;
    const size = pageSize(request.pageSize, 'page_size', MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
    const after = decodePageToken(request.pageToken);
    if (account !== null && !(await this.repository.accountExists(undefined, account))) throw new UnknownAccountError(account, 'account');
    const rows = await this.repository.entries(account, after, size + 1);
    const page = rows.slice(0, size);
    for (const r of page) for (const p of r.entry.postings) this.remember(await this.assetOfAccount(p.account, 'account'));
    return {
      entries: page.map((r) => entryView(r.entry, r.sequence, this.decimalsOf)),
      nextPageToken: rows.length > size ? encodePageToken(page[page.length - 1]!.rowId) : '',
    };
  }

  async readOutbox(request: { afterSequence?: unknown; limit?: unknown }): Promise<{ events: Array<{ sequence: string; type: string; subject: string; data: string }>; lastSequence: string }> {
    const after = parseUint64(request.afterSequence, 'after_sequence');
    const limit = pageSize(request.limit, 'limit', MAX_OUTBOX_LIMIT, DEFAULT_PAGE_SIZE);
    const [events, last] = await Promise.all([this.repository.outbox(after, limit), this.repository.lastSequence()]);
    return { events: events.map((e) => ({ sequence: e.sequence.toString(), type: e.type, subject: e.subject, data: JSON.stringify(e.data) })), lastSequence: last.toString() };
  }

  /** Loads (and caches) the decimals of an asset so views can format its amounts. */
  rememberAsset(s: StoredAsset): StoredAsset {
    return this.remember(s);
  }
}
