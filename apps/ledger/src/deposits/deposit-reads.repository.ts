import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { formatAmount } from '@custody/ledger-core';
import type { DepositView } from '../api/views';
import { LEDGER_POOL } from '../ledger.tokens';

interface Row {
  deposit_id: string;
  chain: string;
  tx_hash: string;
  log_index: number;
  code: string;
  decimals: number;
  wallet: string;
  address: string;
  amount: string;
  confirmations: number;
  state: string;
}

const SELECT = `SELECT d.deposit_id, d.chain, d.tx_hash, d.log_index, a.code, a.decimals, d.wallet, d.address, d.amount::text AS amount, d.confirmations, d.state
  FROM ledger.deposits d JOIN ledger.assets a ON a.id = d.asset_id`;

function view(r: Row): DepositView {
  return {
    id: r.deposit_id,
    chain: r.chain,
    txHash: r.tx_hash,
    logIndex: r.log_index,
    asset: r.code,
    wallet: r.wallet,
    address: r.address,
    amount: formatAmount(BigInt(r.amount), r.decimals),
    confirmations: r.confirmations,
    state: r.state,
  };
}

/** Read-only SQL over `ledger.deposits` for GetDeposit / ListDeposits (no lock, no write). */
@Injectable()
export class DepositReadsRepository {
  constructor(@Inject(LEDGER_POOL) private readonly pool: Pool) {}

  async find(id: string): Promise<DepositView | undefined> {
    const { rows } = await this.pool.query<Row>(`${SELECT} WHERE d.deposit_id = $1`, [id]);
    return rows[0] ? view(rows[0]) : undefined;
  }

  /** A wallet's deposits in id order after `after`, at most `limit`. */
  async list(wallet: string, after: string | undefined, limit: number): Promise<DepositView[]> {
    const { rows } = await this.pool.query<Row>(`${SELECT} WHERE d.wallet = $1 AND ($2::text IS NULL OR d.deposit_id > $2) ORDER BY d.deposit_id LIMIT $3`, [wallet, after ?? null, limit]);
    return rows.map(view);
  }
}
