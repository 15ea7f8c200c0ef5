import type { Pool, PoolClient } from 'pg';
import { parseAddress, reportedConfirmations, type Address, type Block, type Hash, type ObservedDeposit, type WatchSet } from '@custody/chain-core';
import { formatAmount } from '@custody/ledger-core';
import { WithdrawalStore, type WithdrawalObservation } from './withdrawal-store';

/** A ledger asset as the indexer needs it: decimals for the wire amount, depth for crediting. */
export interface AssetTerms {
  readonly decimals: number;
  readonly confirmations: number;
}

export interface StoredBlock {
  readonly number: number;
  readonly hash: Hash;
}

/** A ledger write still to deliver, in order of `id`; its idempotency key derives from `id`. */
export interface LedgerCommand {
  readonly id: string;
  /** The deposit it concerns (commands of one subject are delivered in order). */
  readonly subject: string;
  readonly method: 'RecordDeposit' | 'UpdateDepositConfirmations' | 'ReverseDeposit' | 'TransitionWithdrawal';
  readonly request: Record<string, unknown>;
}

export interface BlockEvent {
  readonly sequence: number;
  readonly type: 'block.added' | 'block.removed';
  readonly number: number;
  readonly hash: Hash;
  readonly parentHash: Hash;
}

/** The checkpoint moved under us (another writer, or a stale read): nothing was written; read again. */
export class CheckpointMovedError extends Error {
  override readonly name = 'CheckpointMovedError';
}

export interface ApplyBlocksInput {
  readonly chain: string;
  /** The tip the blocks were fetched against (null: nothing stored yet). */
  readonly expectedTip: StoredBlock | null;
  readonly blocks: readonly Block[];
  readonly deposits: readonly ObservedDeposit[];
  readonly assets: ReadonlyMap<string, AssetTerms>;
  /** The node's safe/finalized number when crediting requires it (null: the node reports none). */
  readonly taggedHead?: number | null;
  /** How many blocks below the tip keep their hash (the reorg window). */
  readonly window: number;
  /** The chain's native asset (withdrawal fees are paid in it; its depth settles withdrawals). */
  readonly nativeAsset?: string;
  /** What the blocks showed about tracked withdrawals (mined with their receipt, or replaced). */
  readonly withdrawals?: readonly WithdrawalObservation[];
}

/** A watched address as stored. */
export interface WatchedAddressRow {
  readonly chain: string;
  readonly address: Address;
  readonly wallet: string;
  readonly createdAt: Date;
}

/** The address is watched for another wallet (or the token's contract / asset for another). */
export class WatchConflictError extends Error {
  override readonly name = 'WatchConflictError';
}

function depositKey(chain: string, txHash: string, logIndex: number): string {
  return `${chain}/${txHash}/${logIndex}`;
}

/**
 * The chain indexer's Postgres state (schema chain_indexer). Every write runs in one transaction under
 * a per-chain advisory lock and checks the tip it was computed against, so a crash at any point
 * leaves either the whole step or none of it, and two writers cannot interleave.
 */
export class IndexerRepository {
  /** The tracked withdrawals (their writes that follow blocks run in this repository's transactions). */
  readonly withdrawals: WithdrawalStore;

  constructor(private readonly pool: Pool) {
    this.withdrawals = new WithdrawalStore(pool);
  }

  async tip(chain: string): Promise<StoredBlock | null> {
    const { rows } = await this.pool.query<{ number: string; hash: Hash }>('SELECT number, hash FROM chain_indexer.blocks WHERE chain = $1 ORDER BY number DESC LIMIT 1', [chain]);
    return rows[0] ? { number: Number(rows[0].number), hash: rows[0].hash } : null;
  }

  /** The stored hashes by height (the reorg window). */
  async storedHashes(chain: string): Promise<Map<number, Hash>> {
    const { rows } = await this.pool.query<{ number: string; hash: Hash }>('SELECT number, hash FROM chain_indexer.blocks WHERE chain = $1 ORDER BY number', [chain]);
    return new Map(rows.map((r) => [Number(r.number), r.hash]));
  }

  async watchSet(chain: string, nativeAsset: string): Promise<WatchSet> {
    const addresses = await this.pool.query<{ address: string; wallet: string }>('SELECT address, wallet FROM chain_indexer.watched_addresses WHERE chain = $1', [chain]);
    const tokens = await this.pool.query<{ contract: string; asset: string }>('SELECT contract, asset FROM chain_indexer.tokens WHERE chain = $1', [chain]);
    return {
      addresses: new Map(addresses.rows.map((r) => [parseAddress(r.address, 'watched_addresses.address'), r.wallet])),
      tokens: new Map(tokens.rows.map((r) => [parseAddress(r.contract, 'tokens.contract'), r.asset])),
      nativeAsset,
    };
  }

  /** Registers a custody address (EIP-55 or lower-case) of a wallet; registering it again for the same wallet is a no-op. */
  async watchAddress(chain: string, address: string, wallet: string): Promise<Address> {
    return (await this.watch(chain, address, wallet)).address;
  }

  /** As watchAddress, returning the stored row; WatchConflictError when the address is another wallet's. */
  async watch(chain: string, address: string, wallet: string): Promise<WatchedAddressRow> {
    const a = parseAddress(address, 'address');
    const { rows } = await this.pool.query<{ wallet: string; created_at: Date }>(
      `INSERT INTO chain_indexer.watched_addresses (chain, address, wallet) VALUES ($1, $2, $3)
       ON CONFLICT (chain, address) DO UPDATE SET chain = EXCLUDED.chain RETURNING wallet, created_at`,
      [chain, a, wallet],
    );
    if (rows[0]!.wallet !== wallet) throw new WatchConflictError(`address ${a} is already watched for another wallet`);
    return { chain, address: a, wallet, createdAt: rows[0]!.created_at };
  }

  /** Watched addresses in address order after `after` (optionally one wallet's), at most `limit`. */
  async watchedAddresses(chain: string, options: { wallet?: string; after?: string; limit: number }): Promise<WatchedAddressRow[]> {
    const { rows } = await this.pool.query<{ address: Address; wallet: string; created_at: Date }>(
      `SELECT address, wallet, created_at FROM chain_indexer.watched_addresses
        WHERE chain = $1 AND ($2::text IS NULL OR wallet = $2) AND ($3::text IS NULL OR address > $3)
        ORDER BY address LIMIT $4`,
      [chain, options.wallet ?? null, options.after ?? null, options.limit],
    );
    return rows.map((r) => ({ chain, address: r.address, wallet: r.wallet, createdAt: r.created_at }));
  }

  /** Registers a token contract as a ledger asset; the same pair again is a no-op, another pairing a WatchConflictError. */
  async registerToken(chain: string, contract: string, asset: string): Promise<Address> {
    const c = parseAddress(contract, 'contract');
    await this.pool.query('INSERT INTO chain_indexer.tokens (chain, contract, asset) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [chain, c, asset]);
    const { rows } = await this.pool.query<{ contract: string; asset: string }>('SELECT contract, asset FROM chain_indexer.tokens WHERE chain = $1 AND (contract = $2 OR asset = $3)', [chain, c, asset]);
    if (rows.length !== 1 || rows[0]!.contract !== c || rows[0]!.asset !== asset) {
      throw new WatchConflictError(`contract ${c} or asset ${asset} is already registered with another (${rows.map((r) => `${r.contract} as ${r.asset}`).join(', ')})`);
    }
    return c;
  }

  private async transaction<T>(chain: string, body: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended('chain_indexer:' || $1, 0))", [chain]);
      const result = await body(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async checkTip(client: PoolClient, chain: string, expected: StoredBlock | null): Promise<void> {
    const { rows } = await client.query<{ number: string; hash: Hash }>('SELECT number, hash FROM chain_indexer.blocks WHERE chain = $1 ORDER BY number DESC LIMIT 1', [chain]);
    const tip = rows[0] ? { number: Number(rows[0].number), hash: rows[0].hash } : null;
    if ((tip === null) !== (expected === null) || (tip && expected && (tip.number !== expected.number || tip.hash !== expected.hash))) {
      throw new CheckpointMovedError(`chain ${chain}: the stored tip is ${tip ? `${tip.number} ${tip.hash}` : 'empty'}, not the ${expected ? expected.number : 'empty'} this step was computed from`);
    }
  }

  private async nextSequence(client: PoolClient, chain: string): Promise<number> {
    const { rows } = await client.query<{ s: string }>('SELECT COALESCE(max(sequence), 0) AS s FROM chain_indexer.block_events WHERE chain = $1', [chain]);
    return Number(rows[0]!.s) + 1;
  }

  /** Stores commands; their ids (the delivery order and idempotency keys) follow the list's order. */
  private async commands(client: PoolClient, chain: string, list: ReadonlyArray<{ subject: string; method: LedgerCommand['method']; request: Record<string, unknown> }>): Promise<void> {
    if (list.length === 0) return;
    await client.query(
      `INSERT INTO chain_indexer.ledger_commands (chain, subject, method, request)
       SELECT $1, s, m, r::jsonb FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS x(s, m, r, o) ORDER BY o`,
      [chain, list.map((c) => c.subject), list.map((c) => c.method), list.map((c) => JSON.stringify(c.request))],
    );
  }

  /**
   * Stores a run of canonical blocks on top of the expected tip, their deposits (each a RecordDeposit
   * command), the new confirmation counts of every deposit not yet settled (UpdateDepositConfirmations),
   * a block.added event per block, and drops hashes below the window. All or nothing.
   */
  async applyBlocks(input: ApplyBlocksInput): Promise<void> {
    const { chain, blocks } = input;
    if (blocks.length === 0) return;
    const newTip = blocks[blocks.length - 1]!.number;
    await this.transaction(chain, async (client) => {
      await this.checkTip(client, chain, input.expectedTip);
      let sequence = await this.nextSequence(client, chain);
      const numbers: string[] = [];
      const hashes: string[] = [];
      const parents: string[] = [];
      const sequences: string[] = [];
      for (const b of blocks) {
        numbers.push(String(b.number));
        hashes.push(b.hash);
        parents.push(b.parentHash);
        sequences.push(String(sequence++));
      }
      await client.query(
        `INSERT INTO chain_indexer.blocks (chain, number, hash, parent_hash) SELECT $1, n::bigint, h, p FROM unnest($2::text[], $3::text[], $4::text[]) AS t(n, h, p)`,
        [chain, numbers, hashes, parents],
      );
      await client.query(
        `INSERT INTO chain_indexer.block_events (chain, sequence, type, number, hash, parent_hash)
         SELECT $1, s::bigint, 'block.added', n::bigint, h, p FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS t(s, n, h, p)`,
        [chain, sequences, numbers, hashes, parents],
      );
      const commands: Array<{ subject: string; method: LedgerCommand['method']; request: Record<string, unknown> }> = [];
      const rows = input.deposits.map((d) => {
        const terms = this.terms(input.assets, d.asset);
        const confirmations = reportedConfirmations(d.blockNumber, newTip, terms.confirmations, input.taggedHead);
        commands.push({
          subject: depositKey(chain, d.txHash, d.logIndex),
          method: 'RecordDeposit',
          request: { chain, txHash: d.txHash, logIndex: d.logIndex, asset: d.asset, wallet: d.wallet, address: d.address, amount: formatAmount(d.amount, terms.decimals), confirmations },
        });
        return { d, confirmations, settled: confirmations >= terms.confirmations };
      });
      if (rows.length > 0) {
        await client.query(
          `INSERT INTO chain_indexer.deposits (chain, tx_hash, log_index, block_number, block_hash, asset, wallet, address, amount, confirmations, settled)
           SELECT $1, t, l::bigint, b::bigint, bh, a, w, ad, am::numeric, c::integer, s::boolean
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) AS x(t, l, b, bh, a, w, ad, am, c, s)`,
          [
            chain,
            rows.map((r) => r.d.txHash),
            rows.map((r) => String(r.d.logIndex)),
            rows.map((r) => String(r.d.blockNumber)),
            rows.map((r) => r.d.blockHash),
            rows.map((r) => r.d.asset),
            rows.map((r) => r.d.wallet),
            rows.map((r) => r.d.address),
            rows.map((r) => r.d.amount.toString()),
            rows.map((r) => String(r.confirmations)),
            rows.map((r) => String(r.settled)),
          ],
        );
      }
      const fresh = new Set(commands.map((c) => c.subject));
      const unsettled = await client.query<{ tx_hash: string; log_index: string; block_number: string; asset: string; confirmations: number }>(
        'SELECT tx_hash, log_index, block_number, asset, confirmations FROM chain_indexer.deposits WHERE chain = $1 AND NOT settled ORDER BY block_number, tx_hash, log_index',
        [chain],
      );
      const updates: Array<{ txHash: string; logIndex: number; confirmations: number; settled: boolean }> = [];
      for (const r of unsettled.rows) {
        const logIndex = Number(r.log_index);
        const key = depositKey(chain, r.tx_hash, logIndex);
        if (fresh.has(key)) continue;
        const terms = this.terms(input.assets, r.asset);
        const confirmations = reportedConfirmations(Number(r.block_number), newTip, terms.confirmations, input.taggedHead);
        if (confirmations === r.confirmations) continue;
        updates.push({ txHash: r.tx_hash, logIndex, confirmations, settled: confirmations >= terms.confirmations });
        commands.push({ subject: key, method: 'UpdateDepositConfirmations', request: { deposit: { chain, txHash: r.tx_hash, logIndex }, confirmations } });
      }
      if (updates.length > 0) {
        await client.query(
          `UPDATE chain_indexer.deposits d SET confirmations = x.c::integer, settled = x.s::boolean
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS x(t, l, c, s)
            WHERE d.chain = $1 AND d.tx_hash = x.t AND d.log_index = x.l::bigint`,
          [chain, updates.map((u) => u.txHash), updates.map((u) => String(u.logIndex)), updates.map((u) => String(u.confirmations)), updates.map((u) => String(u.settled))],
        );
      }
      if (input.nativeAsset !== undefined) commands.push(...(await this.settleWithdrawals(client, chain, newTip, input.nativeAsset, input.assets, input.withdrawals ?? [], input.taggedHead)));
      await this.commands(client, chain, commands);
      await client.query('DELETE FROM chain_indexer.blocks WHERE chain = $1 AND number <= $2', [chain, newTip - input.window]);
    });
  }

  private async settleWithdrawals(
    client: PoolClient,
    chain: string,
    tip: number,
    nativeAsset: string,
    assets: ReadonlyMap<string, AssetTerms>,
    observations: readonly WithdrawalObservation[],
    taggedHead: number | null | undefined,
  ): Promise<Array<{ subject: string; method: LedgerCommand['method']; request: Record<string, unknown> }>> {
    await this.withdrawals.observe(client, chain, observations);
    const terms = this.terms(assets, nativeAsset);
    return this.withdrawals.settle(client, chain, tip, terms.confirmations, terms.decimals, taggedHead);
  }

  /**
   * Withdrawals found mined or replaced in blocks already stored (tracked after their block was
   * read, or noticed by their nonce): stored, and settled in the ledger if deep enough. Refused
   * (CheckpointMovedError) when the tip moved since they were checked.
   */
  async applyWithdrawalObservations(input: {
    chain: string;
    expectedTip: StoredBlock;
    nativeAsset: string;
    assets: ReadonlyMap<string, AssetTerms>;
    observations: readonly WithdrawalObservation[];
    taggedHead?: number | null;
  }): Promise<void> {
    const { chain } = input;
    await this.transaction(chain, async (client) => {
      await this.checkTip(client, chain, input.expectedTip);
      const commands = await this.settleWithdrawals(client, chain, input.expectedTip.number, input.nativeAsset, input.assets, input.observations, input.taggedHead);
      await this.commands(client, chain, commands);
    });
  }

  /**
   * Undoes the stored blocks above the common ancestor (a reorg): a block.removed event for each,
   * highest first; every deposit in them deleted and reversed in the ledger (ReverseDeposit, removed;
   * a deposit mined again on the new branch is recorded again when that block is read). All or nothing;
   * refused if the stored hashes are no longer the ones the fork search saw.
   */
  async applyReorg(chain: string, expectedTip: StoredBlock, ancestor: StoredBlock): Promise<{ removed: number; reversed: number; reopened: number; stuck: string[] }> {
    return this.transaction(chain, async (client) => {
      await this.checkTip(client, chain, expectedTip);
      const anchor = await client.query('SELECT 1 FROM chain_indexer.blocks WHERE chain = $1 AND number = $2 AND hash = $3', [chain, ancestor.number, ancestor.hash]);
      if (anchor.rowCount !== 1) throw new CheckpointMovedError(`chain ${chain}: block ${ancestor.number} ${ancestor.hash} is no longer stored`);
      const orphaned = await client.query<{ number: string; hash: Hash; parent_hash: Hash }>(
        'DELETE FROM chain_indexer.blocks WHERE chain = $1 AND number > $2 RETURNING number, hash, parent_hash',
        [chain, ancestor.number],
      );
      const blocks = orphaned.rows.map((r) => ({ number: Number(r.number), hash: r.hash, parentHash: r.parent_hash })).sort((a, b) => b.number - a.number);
      let sequence = await this.nextSequence(client, chain);
      for (const b of blocks) {
        await client.query("INSERT INTO chain_indexer.block_events (chain, sequence, type, number, hash, parent_hash) VALUES ($1, $2, 'block.removed', $3, $4, $5)", [
          chain,
          sequence++,
          b.number,
          b.hash,
          b.parentHash,
        ]);
      }
      const deposits = await client.query<{ tx_hash: string; log_index: string }>(
        'DELETE FROM chain_indexer.deposits WHERE chain = $1 AND block_number > $2 RETURNING tx_hash, log_index, block_number',
        [chain, ancestor.number],
      );
      const ordered = deposits.rows.map((r) => ({ txHash: r.tx_hash, logIndex: Number(r.log_index) })).sort((a, b) => (a.txHash < b.txHash ? -1 : a.txHash > b.txHash ? 1 : a.logIndex - b.logIndex));
      const withdrawals = await this.withdrawals.reorg(client, chain, ancestor.number);
      await this.commands(client, chain, [
        ...ordered.map((d) => ({ subject: depositKey(chain, d.txHash, d.logIndex), method: 'ReverseDeposit' as const, request: { deposit: { chain, txHash: d.txHash, logIndex: d.logIndex }, remove: true } })),
        ...withdrawals.commands,
      ]);
      return { removed: blocks.length, reversed: ordered.length, reopened: withdrawals.reopened, stuck: withdrawals.stuck };
    });
  }

  /** Ledger commands not yet delivered, oldest first. */
  async pendingCommands(limit: number): Promise<LedgerCommand[]> {
    const { rows } = await this.pool.query<{ id: string; subject: string; method: LedgerCommand['method']; request: Record<string, unknown> }>(
      'SELECT id, subject, method, request FROM chain_indexer.ledger_commands WHERE delivered_at IS NULL ORDER BY id LIMIT $1',
      [limit],
    );
    return rows.map((r) => ({ id: r.id, subject: r.subject, method: r.method, request: r.request }));
  }

  async markDelivered(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query('UPDATE chain_indexer.ledger_commands SET delivered_at = now() WHERE id = ANY($1::bigint[])', [ids]);
  }

  /** A command the ledger refused for good: done (never retried), with the ledger's answer kept. */
  async markRefused(command: Pick<LedgerCommand, 'id' | 'subject'>, refusal: string): Promise<void> {
    await this.pool.query('UPDATE chain_indexer.ledger_commands SET delivered_at = now(), refusal = $2 WHERE id = $1', [command.id, refusal]);
    await this.withdrawals.refused(command.subject, refusal);
  }

  /** The block event stream after `after`, in sequence order (gap-free per chain). */
  async events(chain: string, after: number, limit: number): Promise<BlockEvent[]> {
    const { rows } = await this.pool.query<{ sequence: string; type: BlockEvent['type']; number: string; hash: Hash; parent_hash: Hash }>(
      'SELECT sequence, type, number, hash, parent_hash FROM chain_indexer.block_events WHERE chain = $1 AND sequence > $2 ORDER BY sequence LIMIT $3',
      [chain, after, limit],
    );
    return rows.map((r) => ({ sequence: Number(r.sequence), type: r.type, number: Number(r.number), hash: r.hash, parentHash: r.parent_hash }));
  }

  private terms(assets: ReadonlyMap<string, AssetTerms>, asset: string): AssetTerms {
    const t = assets.get(asset);
    if (!t) throw new Error(`asset ${asset} is not known to the ledger (create it there before registering it here)`);
    return t;
  }
}
