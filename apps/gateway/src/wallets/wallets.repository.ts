import { Inject, Injectable } from '@nestjs/common';
import { POSTGRES } from '@custody/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { CustodyClass, DepositAddressRecord, Wallet, WalletScheme } from './wallet';

interface WalletRow {
  wallet_id: string;
  position: string;
  display_name: string;
  scheme: WalletScheme;
  key_id: string;
  public_key: Buffer;
  chain_code: Buffer;
  threshold: number;
  participants: number[];
  custody: CustodyClass;
  created_by: string;
  created_at: Date;
}

interface AddressRow {
  address_id: string;
  position: string;
  wallet_id: string;
  chain: string;
  address_index: number;
  address: string;
  public_key: Buffer;
  created_by: string;
  created_at: Date;
}

const WALLET_COLUMNS = 'wallet_id, position::text AS position, display_name, scheme, key_id, public_key, chain_code, threshold, participants, custody, created_by, created_at';
const ADDRESS_COLUMNS = 'address_id, position::text AS position, wallet_id, chain, address_index, address, public_key, created_by, created_at';

function toWallet(r: WalletRow): Wallet {
  return {
    walletId: r.wallet_id,
    position: r.position,
    displayName: r.display_name,
    scheme: r.scheme,
    keyId: r.key_id,
    publicKey: new Uint8Array(r.public_key),
    chainCode: new Uint8Array(r.chain_code),
    threshold: r.threshold,
    participants: r.participants.map(Number),
    custody: r.custody,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

function toAddress(r: AddressRow): DepositAddressRecord {
  return {
    addressId: r.address_id,
    position: r.position,
    walletId: r.wallet_id,
    chain: r.chain,
    index: r.address_index,
    address: r.address,
    publicKey: new Uint8Array(r.public_key),
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

export type NewWallet = Omit<Wallet, 'position' | 'createdAt'>;

/** `gateway.wallets` and `gateway.addresses`: the only SQL on them. */
@Injectable()
export class WalletsRepository {
  constructor(@Inject(POSTGRES) private readonly db: DataSource) {}

  async insertWallet(w: NewWallet): Promise<Wallet> {
    const rows: WalletRow[] = await this.db.query(
      `INSERT INTO gateway.wallets (wallet_id, display_name, scheme, key_id, public_key, chain_code, threshold, participants, custody, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${WALLET_COLUMNS}`,
      [w.walletId, w.displayName, w.scheme, w.keyId, Buffer.from(w.publicKey), Buffer.from(w.chainCode), w.threshold, [...w.participants], w.custody, w.createdBy],
    );
    return toWallet(rows[0]!);
  }

  async findWallet(walletId: string): Promise<Wallet | undefined> {
    const rows: WalletRow[] = await this.db.query(`SELECT ${WALLET_COLUMNS} FROM gateway.wallets WHERE wallet_id = $1`, [walletId]);
    return rows[0] ? toWallet(rows[0]) : undefined;
  }

  /** Wallets in creation order after `afterPosition`, at most `limit`. */
  async listWallets(afterPosition: string | undefined, limit: number): Promise<Wallet[]> {
    const rows: WalletRow[] = await this.db.query(`SELECT ${WALLET_COLUMNS} FROM gateway.wallets WHERE ($1::bigint IS NULL OR position > $1::bigint) ORDER BY position LIMIT $2`, [
      afterPosition ?? null,
      limit,
    ]);
    return rows.map(toWallet);
  }

  /**
   * Takes the wallet's next child index and inserts the address `derive(index)` gives, in one
   * transaction: the `UPDATE … RETURNING` locks the wallet row, so concurrent calls get distinct
   * indexes in order and an index is used only if its address was stored. `registered` runs before
   * the commit (the indexer watching the address): if it fails, nothing is stored and the index is
   * not used. `undefined`: no wallet.
   */
  async insertNextAddress(
    walletId: string,
    derive: (index: number) => { addressId: string; chain: string; address: string; publicKey: Uint8Array; createdBy: string },
    registered: (address: DepositAddressRecord) => Promise<void> = () => Promise.resolve(),
  ): Promise<DepositAddressRecord | undefined> {
    return this.db.transaction(async (m: EntityManager) => {
      const [taken]: [Array<{ index: number }>, number] = await m.query(
        'UPDATE gateway.wallets SET next_address_index = next_address_index + 1 WHERE wallet_id = $1 RETURNING next_address_index - 1 AS index',
        [walletId],
      );
      const index = taken[0]?.index;
      if (index === undefined) return undefined;
      const a = derive(index);
      const rows: AddressRow[] = await m.query(
        `INSERT INTO gateway.addresses (address_id, wallet_id, chain, address_index, address, public_key, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${ADDRESS_COLUMNS}`,
        [a.addressId, walletId, a.chain, index, a.address, Buffer.from(a.publicKey), a.createdBy],
      );
      const stored = toAddress(rows[0]!);
      await registered(stored);
      return stored;
    });
  }

  async findAddress(walletId: string, addressId: string): Promise<DepositAddressRecord | undefined> {
    const rows: AddressRow[] = await this.db.query(`SELECT ${ADDRESS_COLUMNS} FROM gateway.addresses WHERE wallet_id = $1 AND address_id = $2`, [walletId, addressId]);
    return rows[0] ? toAddress(rows[0]) : undefined;
  }

  async listAddresses(walletId: string, afterPosition: string | undefined, limit: number): Promise<DepositAddressRecord[]> {
    const rows: AddressRow[] = await this.db.query(
      `SELECT ${ADDRESS_COLUMNS} FROM gateway.addresses WHERE wallet_id = $1 AND ($2::bigint IS NULL OR position > $2::bigint) ORDER BY position LIMIT $3`,
      [walletId, afterPosition ?? null, limit],
    );
    return rows.map(toAddress);
  }
}
