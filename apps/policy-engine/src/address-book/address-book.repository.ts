import { Inject, Injectable } from '@nestjs/common';
import { POSTGRES } from '@custody/platform';
import type { AddressBookEntry } from '@custody/policy-core';
import type { DataSource } from 'typeorm';
import { autocommit, type Sql } from '../storage/transaction';

export interface AddressBookRecord extends AddressBookEntry {
  readonly label: string;
}

interface EntryRow {
  entry_id: string;
  chain_id: number;
  address: string;
  tags: string[];
  label: string;
}

function entry(row: EntryRow): AddressBookRecord {
  return { id: row.entry_id, chainId: row.chain_id, address: row.address, tags: row.tags, label: row.label };
}

/** SQL of the address book. Deleted entries are kept (deleted_at), never reused silently. */
@Injectable()
export class AddressBookRepository {
  private readonly sql: Sql;

  constructor(@Inject(POSTGRES) dataSource: DataSource) {
    this.sql = autocommit(dataSource);
  }

  /** The live entries for one (chain, address): zero or one. */
  async entriesFor(chainId: number, address: string, sql: Sql = this.sql): Promise<AddressBookRecord[]> {
    const rows = await sql<EntryRow>('SELECT entry_id, chain_id, address, tags, label FROM policy.address_book WHERE chain_id = $1 AND address = $2 AND deleted_at IS NULL', [chainId, address]);
    return rows.map(entry);
  }

  async get(id: string, sql: Sql = this.sql): Promise<AddressBookRecord | undefined> {
    const rows = await sql<EntryRow>('SELECT entry_id, chain_id, address, tags, label FROM policy.address_book WHERE entry_id = $1 AND deleted_at IS NULL', [id]);
    return rows[0] ? entry(rows[0]) : undefined;
  }

  async list(filter: { chainId?: number; tag?: string }): Promise<AddressBookRecord[]> {
    const rows = await this.sql<EntryRow>(
      `SELECT entry_id, chain_id, address, tags, label FROM policy.address_book
       WHERE deleted_at IS NULL AND ($1::integer IS NULL OR chain_id = $1) AND ($2::text IS NULL OR $2 = ANY(tags))
       ORDER BY entry_id LIMIT 10000`,
      [filter.chainId ?? null, filter.tag ?? null],
    );
    return rows.map(entry);
  }

  /** Inserts or replaces an entry (caller's transaction). A live entry of another id at the same address is refused by the unique index. */
  async upsert(sql: Sql, e: AddressBookRecord): Promise<void> {
    await sql(
      `INSERT INTO policy.address_book (entry_id, chain_id, address, tags, label) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (entry_id) DO UPDATE SET chain_id = EXCLUDED.chain_id, address = EXCLUDED.address, tags = EXCLUDED.tags,
         label = EXCLUDED.label, updated_at = now(), deleted_at = NULL`,
      [e.id, e.chainId, e.address, [...e.tags], e.label],
    );
  }

  async delete(sql: Sql, id: string): Promise<void> {
    await sql('UPDATE policy.address_book SET deleted_at = now(), updated_at = now() WHERE entry_id = $1 AND deleted_at IS NULL', [id]);
  }
}
