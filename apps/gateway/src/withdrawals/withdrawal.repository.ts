import { Inject, Injectable } from '@nestjs/common';
import { POSTGRES } from '@custody/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { CANCELLABLE_STATES, FINAL_STATES, type Withdrawal, type WithdrawalAttempt, type WithdrawalKind, type WithdrawalPatch, type WithdrawalState } from './withdrawal';

interface Row {
  withdrawal_id: string;
  kind: WithdrawalKind;
  source_index: string;
  position: string;
  created_by: string;
  wallet_id: string;
  chain: string;
  asset: string;
  amount: string;
  destination: string;
  source_address: string | null;
  state: WithdrawalState;
  reason: string;
  version: number;
  attempt: number;
  nonce: string | null;
  fee_estimate: string | null;
  fee_actual: string | null;
  tx_hash: string | null;
  released: boolean;
  replaceable: boolean;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
}

interface AttemptRow {
  withdrawal_id: string;
  attempt: number;
  request_id: string;
  nonce: string;
  max_fee_per_gas: string;
  max_priority_fee_per_gas: string;
  gas: string;
  sign_request_json: string;
  grant_json: string | null;
  raw_tx: Buffer | null;
  tx_hash: string | null;
  broadcast_at: Date | null;
}

/** TypeORM answers an UPDATE or DELETE as `[rows, affected]` and anything else as `rows`. */
function changed<T>(result: [T[], number]): T[] {
  return result[0];
}

const big = (v: string | null): bigint | null => (v === null ? null : BigInt(v));

function toWithdrawal(r: Row): Withdrawal {
  return {
    id: r.withdrawal_id,
    kind: r.kind,
    sourceIndex: Number(r.source_index),
    position: String(r.position),
    createdBy: r.created_by,
    walletId: r.wallet_id,
    chain: r.chain,
    asset: r.asset,
    amount: BigInt(r.amount),
    destination: r.destination,
    sourceAddress: r.source_address,
    state: r.state,
    reason: r.reason,
    version: r.version,
    attempt: r.attempt,
    nonce: r.nonce === null ? null : Number(r.nonce),
    feeEstimate: big(r.fee_estimate),
    feeActual: big(r.fee_actual),
    txHash: r.tx_hash,
    released: r.released,
    replaceable: r.replaceable,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toAttempt(r: AttemptRow): WithdrawalAttempt {
  return {
    withdrawalId: r.withdrawal_id,
    attempt: r.attempt,
    requestId: r.request_id,
    nonce: Number(r.nonce),
    maxFeePerGas: BigInt(r.max_fee_per_gas),
    maxPriorityFeePerGas: BigInt(r.max_priority_fee_per_gas),
    gas: BigInt(r.gas),
    signRequestJson: r.sign_request_json,
    grantJson: r.grant_json,
    rawTx: r.raw_tx === null ? null : new Uint8Array(r.raw_tx),
    txHash: r.tx_hash,
    broadcastAt: r.broadcast_at,
  };
}

/** The wallet a withdrawal sends from: its key at the signers (gateway.wallets, issue 13). */
export interface WalletKey {
  readonly walletId: string;
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly chainCode: Uint8Array;
  readonly custody: 'hot' | 'cold';
}

const FINAL_LIST = FINAL_STATES.map((s) => `'${s}'`).join(', ');
const CANCELLABLE_LIST = CANCELLABLE_STATES.map((s) => `'${s}'`).join(', ');

/** `gateway.withdrawals`, `withdrawal_attempts`, `evm_nonces`, `evm_free_nonces`: the only SQL of the pipeline. */
@Injectable()
export class WithdrawalRepository {
  constructor(@Inject(POSTGRES) private readonly db: DataSource) {}

  async insert(w: { id: string; createdBy: string; walletId: string; chain: string; asset: string; amount: bigint; destination: string; expiresAt: Date }): Promise<Withdrawal> {
    const rows: Row[] = await this.db.query(
      `INSERT INTO gateway.withdrawals (withdrawal_id, created_by, wallet_id, chain, asset, amount, destination, state, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'requested', $8) RETURNING *`,
      [w.id, w.createdBy, w.walletId, w.chain, w.asset, w.amount.toString(), w.destination, w.expiresAt],
    );
    return toWithdrawal(rows[0]!);
  }

  /**
   * A sweep of deposit address `sourceIndex` of the wallet to its sending address; undefined when
   * one is open for that address already (the partial unique index decides, across processes).
   */
  async insertSweep(w: { id: string; createdBy: string; walletId: string; chain: string; asset: string; amount: bigint; sourceIndex: number; destination: string; expiresAt: Date }): Promise<Withdrawal | undefined> {
    const rows: Row[] = await this.db.query(
      `INSERT INTO gateway.withdrawals (withdrawal_id, kind, source_index, created_by, wallet_id, chain, asset, amount, destination, state, expires_at)
       VALUES ($1, 'sweep', $2, $3, $4, $5, $6, $7, $8, 'requested', $9)
       ON CONFLICT (wallet_id, chain, source_index) WHERE kind = 'sweep' AND state <> 'confirmed' AND (state NOT IN ('failed', 'denied', 'rejected', 'expired', 'cancelled') OR NOT released)
       DO NOTHING RETURNING *`,
      [w.id, w.sourceIndex, w.createdBy, w.walletId, w.chain, w.asset, w.amount.toString(), w.destination, w.expiresAt],
    );
    return rows[0] ? toWithdrawal(rows[0]) : undefined;
  }

  /** The deposit addresses (child index ≥ 1) of hot wallets on `chain`: what the sweeper looks at. */
  async sweepableAddresses(chain: string): Promise<Array<{ walletId: string; index: number; address: string }>> {
    const rows: { wallet_id: string; address_index: number; address: string }[] = await this.db.query(
      `SELECT a.wallet_id, a.address_index, a.address FROM gateway.addresses a JOIN gateway.wallets w ON w.wallet_id = a.wallet_id
        WHERE a.chain = $1 AND a.address_index >= 1 AND w.custody = 'hot' AND w.scheme = 'ecdsa-secp256k1' ORDER BY a.position`,
      [chain],
    );
    return rows.map((r) => ({ walletId: r.wallet_id, index: r.address_index, address: r.address }));
  }

  async find(id: string): Promise<Withdrawal | undefined> {
    const rows: Row[] = await this.db.query('SELECT * FROM gateway.withdrawals WHERE withdrawal_id = $1', [id]);
    return rows[0] ? toWithdrawal(rows[0]) : undefined;
  }

  /** In creation order, after `afterPosition`, optionally of one wallet. */
  async list(walletId: string | undefined, afterPosition: string | undefined, limit: number): Promise<Withdrawal[]> {
    const rows: Row[] = await this.db.query(
      `SELECT * FROM gateway.withdrawals WHERE ($1::text IS NULL OR wallet_id = $1) AND ($2::bigint IS NULL OR position > $2) ORDER BY position LIMIT $3`,
      [walletId ?? null, afterPosition ?? null, limit],
    );
    return rows.map(toWithdrawal);
  }

  /** Compare and set: applies `patch` only if the row is still at `version`; undefined otherwise. */
  async transition(id: string, version: number, patch: WithdrawalPatch): Promise<Withdrawal | undefined> {
    const rows: Row[] = changed<Row>(await this.db.query(
      `UPDATE gateway.withdrawals SET state = $3, version = version + 1, updated_at = now(),
         reason = COALESCE($4, reason), source_address = COALESCE($5, source_address), fee_estimate = COALESCE($6, fee_estimate),
         fee_actual = COALESCE($7, fee_actual), tx_hash = COALESCE($8, tx_hash), attempt = COALESCE($9, attempt),
         released = COALESCE($10, released), replaceable = COALESCE($11, replaceable)
       WHERE withdrawal_id = $1 AND version = $2 RETURNING *`,
      [
        id,
        version,
        patch.state,
        patch.reason === undefined ? null : patch.reason.slice(0, 1024),
        patch.sourceAddress ?? null,
        patch.feeEstimate?.toString() ?? null,
        patch.feeActual?.toString() ?? null,
        patch.txHash ?? null,
        patch.attempt ?? null,
        patch.released ?? null,
        patch.replaceable ?? null,
      ],
    ));
    return rows[0] ? toWithdrawal(rows[0]) : undefined;
  }

  /**
   * Cancels a withdrawal that nothing was signed for: one statement, so it races safely with the
   * sign step's claim (`approved` → `signing`). Undefined when it is not (or no longer) cancellable.
   */
  async cancel(id: string, reason: string): Promise<Withdrawal | undefined> {
    const rows: Row[] = changed<Row>(await this.db.query(
      `UPDATE gateway.withdrawals w SET state = 'cancelled', reason = $2, version = version + 1, updated_at = now()
       WHERE withdrawal_id = $1 AND state IN (${CANCELLABLE_LIST})
         AND NOT EXISTS (SELECT 1 FROM gateway.withdrawal_attempts a WHERE a.withdrawal_id = w.withdrawal_id AND a.raw_tx IS NOT NULL)
       RETURNING *`,
      [id, reason],
    ));
    return rows[0] ? toWithdrawal(rows[0]) : undefined;
  }

  /** Every withdrawal the pipeline still has work for: not final, or final but not yet released. */
  async open(limit: number): Promise<Withdrawal[]> {
    const rows: Row[] = await this.db.query(
      `SELECT * FROM gateway.withdrawals WHERE state NOT IN (${FINAL_LIST}) OR (state <> 'confirmed' AND NOT released) ORDER BY updated_at LIMIT $1`,
      [limit],
    );
    return rows.map(toWithdrawal);
  }

  /**
   * Withdrawals whose settlement the ledger undid (withdrawal.state_changed confirmed → broadcast in the
   * public stream, after the pipeline's cursor), confirmed here; and the last event seq read. The caller
   * reopens those the ledger still has in broadcast, then moves the cursor (`unconfirmedRead`).
   */
  async unconfirmedByLedger(limit: number): Promise<{ ids: string[]; lastSeq: bigint; more: boolean }> {
    const [cursor] = (await this.db.query("SELECT last_seq FROM gateway.pipeline_cursors WHERE name = 'reorg-reopen'")) as { last_seq: string }[];
    const after = BigInt(cursor?.last_seq ?? '0');
    const rows: { seq: string; resource: string }[] = await this.db.query(
      `SELECT seq, resource FROM gateway.events
        WHERE seq > $1 AND type = 'withdrawal.state_changed' AND data->>'from' = 'confirmed' AND data->>'to' = 'broadcast'
        ORDER BY seq LIMIT $2`,
      [after.toString(), limit],
    );
    const [top] = (await this.db.query('SELECT last_seq FROM gateway.event_counter')) as { last_seq: string }[];
    // A full page: read on from its last event; otherwise everything up to the stream's head was seen.
    const lastSeq = rows.length === limit ? BigInt(rows[rows.length - 1]!.seq) : BigInt(top?.last_seq ?? after.toString());
    const ids = [...new Set(rows.map((r) => r.resource.slice(r.resource.lastIndexOf('/') + 1)))];
    const confirmed: { withdrawal_id: string }[] = ids.length ? await this.db.query("SELECT withdrawal_id FROM gateway.withdrawals WHERE withdrawal_id = ANY($1::text[]) AND state = 'confirmed'", [ids]) : [];
    return { ids: confirmed.map((r) => r.withdrawal_id), lastSeq, more: rows.length === limit };
  }

  async unconfirmedRead(lastSeq: bigint): Promise<void> {
    await this.db.query("UPDATE gateway.pipeline_cursors SET last_seq = GREATEST(last_seq, $1), updated_at = now() WHERE name = 'reorg-reopen'", [lastSeq.toString()]);
  }

  /** confirmed → broadcast (a reorg orphaned the block that settled it): the confirm step runs again. */
  async reopen(id: string, reason: string): Promise<Withdrawal | undefined> {
    const rows: Row[] = changed<Row>(await this.db.query(
      "UPDATE gateway.withdrawals SET state = 'broadcast', fee_actual = NULL, reason = $2, version = version + 1, updated_at = now() WHERE withdrawal_id = $1 AND state = 'confirmed' RETURNING *",
      [id, reason.slice(0, 1024)],
    ));
    return rows[0] ? toWithdrawal(rows[0]) : undefined;
  }

  async wallet(walletId: string): Promise<WalletKey | undefined> {
    const rows: { wallet_id: string; key_id: string; public_key: Buffer; chain_code: Buffer; custody: 'hot' | 'cold'; scheme: string }[] = await this.db.query(
      'SELECT wallet_id, key_id, public_key, chain_code, custody, scheme FROM gateway.wallets WHERE wallet_id = $1',
      [walletId],
    );
    const r = rows[0];
    if (!r || r.scheme !== 'ecdsa-secp256k1') return undefined;
    return { walletId: r.wallet_id, keyId: r.key_id, publicKey: new Uint8Array(r.public_key), chainCode: new Uint8Array(r.chain_code), custody: r.custody };
  }

  /**
   * The nonce `withdrawalId` sends with from `address`: the one it holds, else the lowest given back,
   * else the next fresh one (at least `chainNext`, the node's pending count). One transaction under
   * the address row's lock; the unique index on (chain, source_address, nonce) backs it.
   */
  async takeNonce(withdrawalId: string, chain: string, address: string, chainNext: number): Promise<number> {
    return this.db.transaction(async (m: EntityManager) => {
      await m.query('INSERT INTO gateway.evm_nonces (chain, address, next_nonce) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [chain, address, chainNext]);
      const [counter]: { next_nonce: string }[] = await m.query('SELECT next_nonce FROM gateway.evm_nonces WHERE chain = $1 AND address = $2 FOR UPDATE', [chain, address]);
      const [held]: { nonce: string | null }[] = await m.query('SELECT nonce FROM gateway.withdrawals WHERE withdrawal_id = $1 FOR UPDATE', [withdrawalId]);
      if (held?.nonce !== null && held?.nonce !== undefined) return Number(held.nonce);
      const freed: { nonce: string }[] = changed<{ nonce: string }>(await m.query(
        `DELETE FROM gateway.evm_free_nonces WHERE (chain, address, nonce) IN
           (SELECT chain, address, nonce FROM gateway.evm_free_nonces WHERE chain = $1 AND address = $2 ORDER BY nonce LIMIT 1) RETURNING nonce`,
        [chain, address],
      ));
      let nonce: number;
      if (freed[0]) nonce = Number(freed[0].nonce);
      else {
        nonce = Math.max(Number(counter!.next_nonce), chainNext);
        await m.query('UPDATE gateway.evm_nonces SET next_nonce = $3 WHERE chain = $1 AND address = $2', [chain, address, nonce + 1]);
      }
      await m.query('UPDATE gateway.withdrawals SET nonce = $2 WHERE withdrawal_id = $1', [withdrawalId, nonce]);
      return nonce;
    });
  }

  /** Gives the withdrawal's nonce back (it never broadcast a transaction): the next withdrawal of the address takes it. */
  async giveBackNonce(withdrawalId: string): Promise<void> {
    await this.db.transaction(async (m: EntityManager) => {
      const rows: { chain: string; source_address: string; nonce: string | null }[] = await m.query('SELECT chain, source_address, nonce FROM gateway.withdrawals WHERE withdrawal_id = $1 FOR UPDATE', [withdrawalId]);
      const r = rows[0];
      if (!r || r.nonce === null) return;
      const sent: unknown[] = await m.query('SELECT 1 FROM gateway.withdrawal_attempts WHERE withdrawal_id = $1 AND broadcast_at IS NOT NULL', [withdrawalId]);
      if (sent.length > 0) return;
      await m.query('UPDATE gateway.withdrawals SET nonce = NULL WHERE withdrawal_id = $1', [withdrawalId]);
      await m.query('INSERT INTO gateway.evm_free_nonces (chain, address, nonce) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [r.chain, r.source_address, r.nonce]);
    });
  }

  async attempts(withdrawalId: string): Promise<WithdrawalAttempt[]> {
    const rows: AttemptRow[] = await this.db.query('SELECT * FROM gateway.withdrawal_attempts WHERE withdrawal_id = $1 ORDER BY attempt', [withdrawalId]);
    return rows.map(toAttempt);
  }

  /** Records attempt `a` of a withdrawal; a second call for the same attempt keeps the first. */
  async insertAttempt(a: Omit<WithdrawalAttempt, 'grantJson' | 'rawTx' | 'txHash' | 'broadcastAt'>): Promise<WithdrawalAttempt> {
    await this.db.query(
      `INSERT INTO gateway.withdrawal_attempts (withdrawal_id, attempt, request_id, nonce, max_fee_per_gas, max_priority_fee_per_gas, gas, sign_request_json)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (withdrawal_id, attempt) DO NOTHING`,
      [a.withdrawalId, a.attempt, a.requestId, a.nonce, a.maxFeePerGas.toString(), a.maxPriorityFeePerGas.toString(), a.gas.toString(), a.signRequestJson],
    );
    const rows: AttemptRow[] = await this.db.query('SELECT * FROM gateway.withdrawal_attempts WHERE withdrawal_id = $1 AND attempt = $2', [a.withdrawalId, a.attempt]);
    return toAttempt(rows[0]!);
  }

  async setGrant(withdrawalId: string, attempt: number, grantJson: string): Promise<void> {
    await this.db.query('UPDATE gateway.withdrawal_attempts SET grant_json = $3 WHERE withdrawal_id = $1 AND attempt = $2', [withdrawalId, attempt, grantJson]);
  }

  /** Stores the signed transaction; the first stored one wins (a signature is never replaced). */
  async setSigned(withdrawalId: string, attempt: number, rawTx: Uint8Array, txHash: string): Promise<WithdrawalAttempt> {
    await this.db.query('UPDATE gateway.withdrawal_attempts SET raw_tx = $3, tx_hash = $4 WHERE withdrawal_id = $1 AND attempt = $2 AND raw_tx IS NULL', [withdrawalId, attempt, Buffer.from(rawTx), txHash]);
    const rows: AttemptRow[] = await this.db.query('SELECT * FROM gateway.withdrawal_attempts WHERE withdrawal_id = $1 AND attempt = $2', [withdrawalId, attempt]);
    return toAttempt(rows[0]!);
  }

  async setBroadcast(withdrawalId: string, attempt: number): Promise<void> {
    await this.db.query('UPDATE gateway.withdrawal_attempts SET broadcast_at = COALESCE(broadcast_at, now()) WHERE withdrawal_id = $1 AND attempt = $2', [withdrawalId, attempt]);
  }
}
