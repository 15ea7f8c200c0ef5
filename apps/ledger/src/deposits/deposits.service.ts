import { Injectable } from '@nestjs/common';
import {
  customerAccount,
  depositId,
  LedgerInputError,
  parseAmount,
  seeDeposit,
  spendable,
  systemAccounts,
  transitionDeposit,
  validateIdentifier,
  type Deposit,
  type DepositEvent,
  type AccountKey,
  type Account,
  type DepositTransition,
} from '@custody/ledger-core';
import { depositView, type DepositView } from '../api/views';
import { BooksService } from '../books/books.service';
import { ConflictError, NotFoundError } from '../books/books.errors';
import type { StoredAsset } from '../books/books.repository';
import { fromDocument, toDocument } from '../books/document';
import type { Tx } from '../books/sql';

/** Deposit addresses as the chain indexer reports them: 1..128 of [A-Za-z0-9]. */
const ADDRESS_PATTERN = /^[A-Za-z0-9]{1,128}$/;

/** Most events in one ApplyDepositEvents call. */
export const MAX_DEPOSIT_EVENTS = 1000;

type RecordRequest = {
  idempotencyKey?: unknown;
  chain?: unknown;
  txHash?: unknown;
  logIndex?: unknown;
  asset?: unknown;
  wallet?: unknown;
  address?: unknown;
  amount?: unknown;
  confirmations?: unknown;
};
type UpdateRequest = { idempotencyKey?: unknown; deposit?: unknown; confirmations?: unknown };
type ReverseRequest = { idempotencyKey?: unknown; deposit?: unknown; remove?: unknown; confirmations?: unknown };

/** One deposit write, validated, as IdempotentWriter runs it: the single call's method, key and request (for the request hash). */
interface PlannedWrite {
  readonly method: 'RecordDeposit' | 'UpdateDepositConfirmations' | 'ReverseDeposit';
  /** The deposit the write changes. */
  readonly deposit: string;
  /** A first sighting's customer account (opened by it when the deposit is new) and the asset's id; the others' accounts are read from the stored deposit. */
  readonly opens?: { readonly account: Account; readonly assetId: string; readonly touches: readonly AccountKey[] };
  readonly idempotencyKey: unknown;
  readonly request: unknown;
  readonly run: (tx: Tx) => Promise<DepositView>;
}

interface DepositRow {
  deposit: Deposit;
  address: string;
}

/** Every account a deposit's transitions can book to: its customer account and its asset's system accounts. */
function depositAccounts(wallet: string, asset: { chain: string; code: string }): AccountKey[] {
  return [customerAccount(wallet, asset).key, ...Object.values(systemAccounts(asset)).map((a) => a.key)];
}

function uint32(value: unknown, field: string): number {
  const v = value ?? 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new LedgerInputError(field, 'must be an integer in 0..2^32-1');
  return v;
}

/**
 * Deposits from the chain indexer, keyed by (chain, tx hash, log index): seen (a pending credit to
 * the wallet's account, opened if needed), credited at the asset's confirmation depth, reversed by a
 * reorg (back to pending or removed), even after crediting. A repeated event for the same key never
 * credits twice: it is a confirmation update of the stored deposit.
 */
@Injectable()
export class DepositsService {
  constructor(private readonly books: BooksService) {}

  async record(request: RecordRequest): Promise<DepositView> {
    const w = await this.planRecord(request);
    return this.books.writer.write(w.method, request.idempotencyKey, request, w.run);
  }

  async updateConfirmations(request: UpdateRequest): Promise<DepositView> {
    const w = this.planUpdate(request);
    await this.assetOf(w.id); // NOT_FOUND before the key is taken, as ever
    return this.books.writer.write(w.method, request.idempotencyKey, request, w.run);
  }

  async reverse(request: ReverseRequest): Promise<DepositView> {
    const w = this.planReverse(request);
    await this.assetOf(w.id);
    return this.books.writer.write(w.method, request.idempotencyKey, request, w.run);
  }

  /**
   * ApplyDepositEvents: up to MAX_DEPOSIT_EVENTS events (seen, confirmations, reverse), in order, in one
   * transaction with one commit (IdempotentWriter.writeEach), each exactly as its single call
   * (RecordDeposit, UpdateDepositConfirmations, ReverseDeposit: same validation, same key, method and
   * request hash, so a retry by either call gets the same answer), each answered on its own. An event
   * may name a deposit seen earlier in the same batch.
   */
  async applyEvents(request: { events?: unknown }): Promise<Array<{ deposit: DepositView } | { error: unknown }>> {
    const events = request.events;
    if (!Array.isArray(events) || events.length === 0 || events.length > MAX_DEPOSIT_EVENTS) throw new LedgerInputError('events', `must hold 1..${MAX_DEPOSIT_EVENTS} events`);
    const planned: Array<PlannedWrite | { error: unknown }> = [];
    for (const [i, e] of (events as unknown[]).entries()) {
      try {
        planned.push(await this.planEvent(e, `events[${i}]`));
      } catch (error) {
        planned.push({ error });
      }
    }
    const writes = planned.filter((p): p is PlannedWrite => !('error' in p));
    const answers = writes.length > 0 ? await this.books.writer.writeEach(writes, (tx) => this.lockAhead(tx, writes)) : [];
    let next = 0;
    return planned.map((p) => {
      if ('error' in p) return p;
      const a = answers[next++]!;
      return 'ok' in a ? { deposit: a.ok } : a;
    });
  }

  /**
   * A batch's locks, taken before its first write and in the order a single deposit write takes them:
   * the deposits' advisory locks (ids sorted); the customer accounts its new deposits open (keys
   * sorted: an account another writer is opening is waited for here, not while holding the outbox
   * counter); then every balance any of its events can touch (each deposit's customer account and
   * its asset's system accounts), by account id. So the batch never waits for an account or a
   * balance while it holds the outbox counter, which single writes take last.
   */
  private async lockAhead(tx: Tx, writes: readonly PlannedWrite[]): Promise<void> {
    const ids = [...new Set(writes.map((w) => w.deposit))].sort();
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended(t.id, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n) ORDER BY t.n', [ids]);
    const stored = await tx.query<{ deposit_id: string; wallet: string; chain: string; code: string }>(
      'SELECT d.deposit_id, d.wallet, s.chain, s.code FROM ledger.deposits d JOIN ledger.assets s ON s.id = d.asset_id WHERE d.deposit_id = ANY($1::text[])',
      [ids],
    );
    const keys = new Set<AccountKey>();
    for (const r of stored) for (const k of depositAccounts(r.wallet, { chain: r.chain, code: r.code })) keys.add(k);
    const known = new Set(stored.map((r) => r.deposit_id));
    const opens = new Map<AccountKey, { account: Account; assetId: string }>();
    for (const w of writes) {
      if (!w.opens || known.has(w.deposit)) continue;
      opens.set(w.opens.account.key, w.opens);
      for (const k of w.opens.touches) keys.add(k);
    }
    for (const key of [...opens.keys()].sort()) await this.books.repository.insertAccount(tx, opens.get(key)!.account, opens.get(key)!.assetId);
    if (keys.size > 0) await this.books.repository.lockBalances(tx, [...keys]);
  }

  private async planEvent(value: unknown, field: string): Promise<PlannedWrite> {
    if (typeof value !== 'object' || value === null) throw new LedgerInputError(field, 'must be a deposit event');
    const e = value as { seen?: unknown; confirmations?: unknown; reverse?: unknown };
    const given = (['seen', 'confirmations', 'reverse'] as const).filter((k) => e[k] !== undefined && e[k] !== null);
    if (given.length !== 1) throw new LedgerInputError(field, 'must hold exactly one of seen, confirmations, reverse');
    const kind = given[0]!;
    const body = e[kind];
    if (typeof body !== 'object' || body === null) throw new LedgerInputError(`${field}.${kind}`, 'must be a request');
    if (kind === 'seen') return this.planRecord(body as RecordRequest);
    if (kind === 'confirmations') return this.planUpdate(body as UpdateRequest);
    return this.planReverse(body as ReverseRequest);
  }

  private async planRecord(request: RecordRequest): Promise<PlannedWrite & { method: 'RecordDeposit' }> {
    const stored = this.books.rememberAsset(await this.books.asset(request.chain, request.asset, { chain: 'chain', code: 'asset' }));
    const txHash = this.txHash(request.txHash);
    const logIndex = uint32(request.logIndex, 'log_index');
    const wallet = validateIdentifier(request.wallet, 'wallet');
    if (typeof request.address !== 'string' || !ADDRESS_PATTERN.test(request.address)) throw new LedgerInputError('address', 'must be 1..128 characters of [A-Za-z0-9]');
    const address = request.address;
    const amount = parseAmount(request.amount, stored.asset.decimals, 'amount', { positive: true });
    const confirmations = uint32(request.confirmations, 'confirmations');
    const id = depositId(stored.asset.chain, txHash, logIndex);
    return {
      method: 'RecordDeposit',
      deposit: id,
      opens: { account: customerAccount(wallet, stored.asset), assetId: stored.id, touches: depositAccounts(wallet, stored.asset) },
      idempotencyKey: request.idempotencyKey,
      request,
      run: async (tx) => {
        const existing = await this.lock(tx, id);
        if (existing) {
          const d = existing.deposit;
          if (d.wallet !== wallet || d.amount !== amount || d.asset !== `${stored.asset.chain}/${stored.asset.code}` || existing.address !== address) {
            throw new ConflictError(`deposit ${id} was recorded with another wallet, asset, address or amount`);
          }
          return this.apply(tx, existing, transitionDeposit(d, { type: 'observe', confirmations }), stored);
        }
        await this.books.repository.insertAccount(tx, customerAccount(wallet, stored.asset), stored.id);
        const seen = seeDeposit({ chain: stored.asset.chain, txHash, logIndex, wallet, asset: stored.asset, amount, confirmations, requiredConfirmations: stored.confirmations });
        await this.books.commit(tx, seen.effects);
        await tx.query(
          `INSERT INTO ledger.deposits (deposit_id, chain, tx_hash, log_index, asset_id, wallet, address, amount, confirmations, state, document)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [id, stored.asset.chain, txHash, logIndex, stored.id, wallet, address, amount.toString(), seen.deposit.confirmations, seen.deposit.state, toDocument(seen.deposit)],
        );
        return depositView(seen.deposit, address, stored.asset.decimals);
      },
    };
  }

  private planUpdate(request: UpdateRequest): PlannedWrite & { id: string } {
    const id = this.ref(request.deposit);
    const confirmations = uint32(request.confirmations, 'confirmations');
    return {
      id,
      deposit: id,
      method: 'UpdateDepositConfirmations',
      idempotencyKey: request.idempotencyKey,
      request,
      run: async (tx) => {
        const row = await this.lock(tx, id);
        if (!row) throw new NotFoundError('deposit', id);
        const stored = await this.assetOf(id, tx);
        return this.apply(tx, row, transitionDeposit(row.deposit, { type: 'observe', confirmations }), stored);
      },
    };
  }

  private planReverse(request: ReverseRequest): PlannedWrite & { id: string } {
    const id = this.ref(request.deposit);
    if (request.remove !== undefined && typeof request.remove !== 'boolean') throw new LedgerInputError('remove', 'must be a boolean');
    const remove = request.remove === true;
    const confirmations = uint32(request.confirmations, 'confirmations');
    return {
      id,
      deposit: id,
      method: 'ReverseDeposit',
      idempotencyKey: request.idempotencyKey,
      request,
      run: async (tx) => {
        const row = await this.lock(tx, id);
        if (!row) throw new NotFoundError('deposit', id);
        const stored = await this.assetOf(id, tx);
        const d = row.deposit;
        // Lock every account a reversal may touch, in id order, before reading what the customer can
        // still give back: nothing can spend it between this read and the commit.
        const customer = customerAccount(d.wallet, stored.asset).key;
        const locked = await this.books.repository.lockBalances(tx, [customer, ...Object.values(systemAccounts(stored.asset)).map((a) => a.key)]);
        const balance = locked.get(customer)?.balance;
        const customerAvailable = balance ? spendable(balance) : 0n;
        const event: DepositEvent = remove ? { type: 'reorg', outcome: 'removed', customerAvailable } : { type: 'reorg', outcome: 'pending', confirmations, customerAvailable };
        return this.apply(tx, row, transitionDeposit(d, event), stored);
      },
    };
  }

  private async apply(tx: Tx, row: DepositRow, t: DepositTransition, stored: StoredAsset): Promise<DepositView> {
    if (t.effects.events.length > 0) await this.books.commit(tx, t.effects);
    await tx.query('UPDATE ledger.deposits SET confirmations = $2, state = $3, document = $4, updated_at = now() WHERE deposit_id = $1', [
      t.deposit.id,
      t.deposit.confirmations,
      t.deposit.state,
      toDocument(t.deposit),
    ]);
    return depositView(t.deposit, row.address, stored.asset.decimals);
  }

  /** The deposit row, locked; an advisory lock on its id first, so two first sightings of one deposit run one after the other. */
  private async lock(tx: Tx, id: string): Promise<DepositRow | null> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [id]);
    const rows = await tx.query<{ document: unknown; address: string }>('SELECT document, address FROM ledger.deposits WHERE deposit_id = $1 FOR UPDATE', [id]);
    return rows.length ? { deposit: fromDocument<Deposit>(rows[0]!.document), address: rows[0]!.address } : null;
  }

  private async assetOf(id: string, tx?: Tx): Promise<StoredAsset> {
    const rows = await this.books.repository.depositAsset(id, tx);
    if (!rows) throw new NotFoundError('deposit', id);
    return this.books.rememberAsset(rows);
  }

  private txHash(value: unknown, field = 'tx_hash'): string {
    if (typeof value !== 'string' || !/^[A-Za-z0-9]{1,128}$/.test(value)) throw new LedgerInputError(field, 'must be 1..128 characters of [A-Za-z0-9]');
    return value;
  }

  private ref(value: unknown): string {
    if (typeof value !== 'object' || value === null) throw new LedgerInputError('deposit', 'is required (chain, tx_hash, log_index)');
    const r = value as { chain?: unknown; txHash?: unknown; logIndex?: unknown };
    const chain = validateIdentifier(r.chain, 'deposit.chain');
    return depositId(chain, this.txHash(r.txHash, 'deposit.tx_hash'), uint32(r.logIndex, 'deposit.log_index'));
  }
}
