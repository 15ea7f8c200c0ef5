import type { Pool, PoolClient } from 'pg';
import {
  reportedConfirmations,
  withdrawalFee,
  withdrawalLedgerEvent,
  withdrawalReorgEvent,
  type Address,
  type Hash,
  type TrackedWithdrawal,
  type WithdrawalLedgerOutcome,
} from '@custody/chain-core';
import { formatAmount } from '@custody/ledger-core';

export type TrackingStatus = 'pending' | 'mined' | 'replaced' | 'dropped';

/** A tracked withdrawal as stored (chain_indexer.withdrawals). */
export interface WithdrawalTrackingRow {
  readonly id: string;
  readonly chain: string;
  readonly sender: Address;
  readonly nonce: number;
  readonly txHashes: readonly Hash[];
  readonly status: TrackingStatus;
  /** mined: the hash mined; replaced: null. */
  readonly txHash: Hash | null;
  /** mined / replaced: the block (replaced with an unknown replacement: the tip it was noticed at). */
  readonly blockNumber: number | null;
  readonly blockHash: Hash | null;
  readonly success: boolean | null;
  readonly gasUsed: bigint | null;
  readonly effectiveGasPrice: bigint | null;
  /** replaced: the transaction that used the nonce ('' when it was not in a block read). */
  readonly replacedBy: string | null;
  readonly ledgerOutcome: WithdrawalLedgerOutcome;
  readonly ledgerRefusal: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What a block (or a receipt) showed about a tracked withdrawal. */
export type WithdrawalObservation =
  | {
      readonly kind: 'mined';
      readonly id: string;
      readonly txHash: Hash;
      readonly blockNumber: number;
      readonly blockHash: Hash;
      readonly success: boolean;
      readonly gasUsed: bigint;
      readonly effectiveGasPrice: bigint;
    }
  | { readonly kind: 'replaced'; readonly id: string; readonly by: Hash | ''; readonly blockNumber: number; readonly blockHash: Hash };

/** A TrackWithdrawal that contradicts the stored row (another chain, sender or nonce, or the nonce of another withdrawal). */
export class TrackingConflictError extends Error {
  override readonly name = 'TrackingConflictError';
}

/** The ledger commands the withdrawal store asks for (delivered like the deposits'). */
export interface WithdrawalCommand {
  readonly subject: string;
  readonly method: 'TransitionWithdrawal';
  readonly request: Record<string, unknown>;
}

interface Row {
  withdrawal_id: string;
  chain: string;
  sender: Address;
  nonce: string;
  tx_hashes: Hash[];
  status: TrackingStatus;
  tx_hash: Hash | null;
  block_number: string | null;
  block_hash: Hash | null;
  receipt_success: boolean | null;
  gas_used: string | null;
  effective_gas_price: string | null;
  replaced_by: string | null;
  ledger_outcome: WithdrawalLedgerOutcome;
  ledger_refusal: string | null;
  created_at: Date;
  updated_at: Date;
}

function fromRow(r: Row): WithdrawalTrackingRow {
  return {
    id: r.withdrawal_id,
    chain: r.chain,
    sender: r.sender,
    nonce: Number(r.nonce),
    txHashes: r.tx_hashes,
    status: r.status,
    txHash: r.tx_hash,
    blockNumber: r.block_number === null ? null : Number(r.block_number),
    blockHash: r.block_hash,
    success: r.receipt_success,
    gasUsed: r.gas_used === null ? null : BigInt(r.gas_used),
    effectiveGasPrice: r.effective_gas_price === null ? null : BigInt(r.effective_gas_price),
    replacedBy: r.replaced_by,
    ledgerOutcome: r.ledger_outcome,
    ledgerRefusal: r.ledger_refusal,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const SUBJECT = (id: string): string => `withdrawal/${id}`;

/**
 * The tracked withdrawals' SQL. The writes that follow blocks take the indexer's transaction
 * (a PoolClient inside IndexerRepository's per-chain lock), so a withdrawal's status, the ledger
 * command it causes and the checkpoint commit together.
 */
export class WithdrawalStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Tracks a withdrawal, or adds hashes to one tracked with the same chain, sender and nonce (a row
   * seen replaced by one of the hashes added, the ledger not told yet, is open again: it was its own).
   * Refused (TrackingConflictError) when the stored row has another chain, sender or nonce, when the
   * nonce is another withdrawal's, or when the hashes would exceed `maxHashes`.
   */
  async track(input: { id: string; chain: string; sender: Address; nonce: number; txHashes: readonly Hash[] }, maxHashes: number): Promise<WithdrawalTrackingRow> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended('chain_indexer:' || $1, 0))", [input.chain]);
      const existing = await client.query<Row>('SELECT * FROM chain_indexer.withdrawals WHERE withdrawal_id = $1', [input.id]);
      let row: Row;
      if (existing.rows[0]) {
        const e = existing.rows[0];
        if (e.chain !== input.chain || e.sender !== input.sender || Number(e.nonce) !== input.nonce) {
          throw new TrackingConflictError(`withdrawal ${input.id} is tracked with another chain, sender or nonce (${e.chain} ${e.sender} nonce ${e.nonce})`);
        }
        const hashes = [...new Set([...e.tx_hashes, ...input.txHashes])];
        if (hashes.length > maxHashes) throw new TrackingConflictError(`withdrawal ${input.id} would track ${hashes.length} hashes, over the limit of ${maxHashes}`);
        if (hashes.length === e.tx_hashes.length) row = e;
        else if (e.status === 'replaced' && e.replaced_by && hashes.includes(e.replaced_by as Hash) && (e.ledger_outcome === '' || e.ledger_outcome === 'unconfirm')) {
          // The "replacement" seen in a block is its own transaction, tracked late (the ledger not told
          // yet): open again, so that the next check finds it mined from its receipt.
          const updated = await client.query<Row>(
            `UPDATE chain_indexer.withdrawals SET tx_hashes = $2, status = 'pending', block_number = NULL, block_hash = NULL, replaced_by = NULL, updated_at = now() WHERE withdrawal_id = $1 RETURNING *`,
            [input.id, hashes],
          );
          row = updated.rows[0]!;
        } else {
          const updated = await client.query<Row>('UPDATE chain_indexer.withdrawals SET tx_hashes = $2, updated_at = now() WHERE withdrawal_id = $1 RETURNING *', [input.id, hashes]);
          row = updated.rows[0]!;
        }
      } else {
        const other = await client.query<{ withdrawal_id: string }>('SELECT withdrawal_id FROM chain_indexer.withdrawals WHERE chain = $1 AND sender = $2 AND nonce = $3', [input.chain, input.sender, input.nonce]);
        if (other.rows[0]) throw new TrackingConflictError(`nonce ${input.nonce} of ${input.sender} is tracked for withdrawal ${other.rows[0].withdrawal_id}`);
        const inserted = await client.query<Row>('INSERT INTO chain_indexer.withdrawals (withdrawal_id, chain, sender, nonce, tx_hashes) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
          input.id,
          input.chain,
          input.sender,
          input.nonce,
          [...new Set(input.txHashes)],
        ]);
        row = inserted.rows[0]!;
      }
      await client.query('COMMIT');
      return fromRow(row);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async get(id: string): Promise<WithdrawalTrackingRow | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM chain_indexer.withdrawals WHERE withdrawal_id = $1', [id]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /** The withdrawals still looked for (pending, or dropped: it may be broadcast again). */
  async open(chain: string): Promise<TrackedWithdrawal[]> {
    const { rows } = await this.pool.query<Row>("SELECT * FROM chain_indexer.withdrawals WHERE chain = $1 AND status IN ('pending', 'dropped') ORDER BY withdrawal_id", [chain]);
    return rows.map((r) => ({ id: r.withdrawal_id, sender: r.sender, nonce: Number(r.nonce), txHashes: r.tx_hashes }));
  }

  /** Pending ↔ dropped, as the node's mempool says (only rows still open change). */
  async markDropped(chain: string, ids: readonly string[], dropped: boolean): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(`UPDATE chain_indexer.withdrawals SET status = $3, updated_at = now() WHERE chain = $1 AND withdrawal_id = ANY($2::text[]) AND status = $4`, [
      chain,
      ids,
      dropped ? 'dropped' : 'pending',
      dropped ? 'pending' : 'dropped',
    ]);
  }

  /** Stores what the blocks showed (only for rows still open: a row settles once per branch). */
  async observe(client: PoolClient, chain: string, observations: readonly WithdrawalObservation[]): Promise<void> {
    for (const o of observations) {
      if (o.kind === 'mined') {
        await client.query(
          `UPDATE chain_indexer.withdrawals SET status = 'mined', tx_hash = $3, block_number = $4, block_hash = $5, receipt_success = $6, gas_used = $7, effective_gas_price = $8,
                  replaced_by = NULL, updated_at = now()
            WHERE chain = $1 AND withdrawal_id = $2 AND status IN ('pending', 'dropped')`,
          [chain, o.id, o.txHash, o.blockNumber, o.blockHash, o.success, o.gasUsed.toString(), o.effectiveGasPrice.toString()],
        );
      } else {
        await client.query(
          `UPDATE chain_indexer.withdrawals SET status = 'replaced', tx_hash = NULL, block_number = $3, block_hash = $4, receipt_success = NULL, gas_used = NULL, effective_gas_price = NULL,
                  replaced_by = $5, updated_at = now()
            WHERE chain = $1 AND withdrawal_id = $2 AND status IN ('pending', 'dropped')`,
          [chain, o.id, o.blockNumber, o.blockHash, o.by],
        );
      }
    }
  }

  /**
   * The ledger commands of the settled withdrawals whose block has reached `depth` at `tip` (and
   * the safe / finalized tag when one is configured): confirm with the fee paid, or fail (reverted,
   * or the nonce used by another transaction). Marks what the ledger is told.
   */
  async settle(client: PoolClient, chain: string, tip: number, depth: number, nativeDecimals: number, taggedHead: number | null | undefined): Promise<WithdrawalCommand[]> {
    const { rows } = await client.query<Row>(
      `SELECT * FROM chain_indexer.withdrawals WHERE chain = $1 AND status IN ('mined', 'replaced') AND ledger_outcome IN ('', 'unconfirm') AND block_number <= $2 ORDER BY block_number, withdrawal_id`,
      [chain, tip],
    );
    const commands: WithdrawalCommand[] = [];
    for (const r of rows.map(fromRow)) {
      if (reportedConfirmations(r.blockNumber!, tip, depth, taggedHead) < depth) continue;
      const event = withdrawalLedgerEvent({ status: r.status as 'mined' | 'replaced', success: r.success, ledgerOutcome: r.ledgerOutcome });
      if (event === null) continue;
      let request: Record<string, unknown>;
      if (event === 'confirm') {
        request = { id: r.id, event, feeActual: formatAmount(withdrawalFee({ gasUsed: r.gasUsed!, effectiveGasPrice: r.effectiveGasPrice! }), nativeDecimals) };
      } else if (r.status === 'mined') {
        request = { id: r.id, event, reason: `reverted on chain in block ${r.blockNumber} (tx ${r.txHash})` };
      } else {
        request = { id: r.id, event, reason: r.replacedBy ? `replaced: nonce ${r.nonce} used by tx ${r.replacedBy}` : `replaced: nonce ${r.nonce} of ${r.sender} used by a transaction not among its hashes` };
      }
      commands.push({ subject: SUBJECT(r.id), method: 'TransitionWithdrawal', request });
      await client.query('UPDATE chain_indexer.withdrawals SET ledger_outcome = $2, updated_at = now() WHERE withdrawal_id = $1', [r.id, event]);
    }
    return commands;
  }

  /**
   * A reorg down to `ancestor`: every withdrawal settled above it is open again (its transaction may
   * be mined on the new branch); a confirmed one is unconfirmed in the ledger (back to broadcast);
   * one the ledger already failed cannot be undone (counted in `stuck`, for a loud log).
   */
  async reorg(client: PoolClient, chain: string, ancestor: number): Promise<{ commands: WithdrawalCommand[]; reopened: number; stuck: string[] }> {
    const { rows } = await client.query<Row>(
      `SELECT * FROM chain_indexer.withdrawals WHERE chain = $1 AND status IN ('mined', 'replaced') AND block_number > $2 ORDER BY withdrawal_id FOR UPDATE`,
      [chain, ancestor],
    );
    const commands: WithdrawalCommand[] = [];
    const stuck: string[] = [];
    for (const r of rows.map(fromRow)) {
      const event = withdrawalReorgEvent(r.ledgerOutcome);
      if (event === 'unconfirm') commands.push({ subject: SUBJECT(r.id), method: 'TransitionWithdrawal', request: { id: r.id, event } });
      if (event === 'stuck') stuck.push(r.id);
      await client.query(
        `UPDATE chain_indexer.withdrawals SET status = 'pending', tx_hash = NULL, block_number = NULL, block_hash = NULL, receipt_success = NULL, gas_used = NULL,
                effective_gas_price = NULL, replaced_by = NULL, ledger_outcome = $2, updated_at = now()
          WHERE withdrawal_id = $1`,
        [r.id, event === 'unconfirm' ? 'unconfirm' : r.ledgerOutcome],
      );
    }
    return { commands, reopened: rows.length, stuck };
  }

  /** The ledger refused a withdrawal's command for good: recorded on the row for GetWithdrawalTracking. */
  async refused(subject: string, refusal: string): Promise<void> {
    if (!subject.startsWith('withdrawal/')) return;
    await this.pool.query('UPDATE chain_indexer.withdrawals SET ledger_refusal = $2, updated_at = now() WHERE withdrawal_id = $1', [subject.slice('withdrawal/'.length), refusal]);
  }
}
