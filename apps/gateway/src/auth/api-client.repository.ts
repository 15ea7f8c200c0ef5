import { Inject, Injectable } from '@nestjs/common';
import { POSTGRES } from '@custody/platform';
import type { DataSource } from 'typeorm';
import { isRole, type ApiClient, type Role } from './api-client';

interface ApiClientRow {
  client_id: string;
  public_key: Buffer;
  roles: string[];
  disabled: boolean;
  created_at: Date;
  disabled_at: Date | null;
}

function toClient(row: ApiClientRow): ApiClient {
  return {
    clientId: row.client_id,
    publicKey: new Uint8Array(row.public_key),
    roles: row.roles.filter(isRole),
    disabled: row.disabled,
    createdAt: row.created_at,
    disabledAt: row.disabled_at ?? undefined,
  };
}

const COLUMNS = 'client_id, public_key, roles, disabled, created_at, disabled_at';

/** `gateway.api_clients`: the only SQL on API clients. */
@Injectable()
export class ApiClientRepository {
  constructor(@Inject(POSTGRES) private readonly db: DataSource) {}

  async find(clientId: string): Promise<ApiClient | undefined> {
    const rows: ApiClientRow[] = await this.db.query(`SELECT ${COLUMNS} FROM gateway.api_clients WHERE client_id = $1`, [clientId]);
    return rows[0] ? toClient(rows[0]) : undefined;
  }

  /** Inserts a client; `undefined` if the id is taken. */
  async create(clientId: string, publicKey: Uint8Array, roles: readonly Role[], tx: Pick<DataSource, 'query'> = this.db): Promise<ApiClient | undefined> {
    const rows: ApiClientRow[] = await tx.query(
      `INSERT INTO gateway.api_clients (client_id, public_key, roles) VALUES ($1, $2, $3) ON CONFLICT (client_id) DO NOTHING RETURNING ${COLUMNS}`,
      [clientId, Buffer.from(publicKey), roles],
    );
    return rows[0] ? toClient(rows[0]) : undefined;
  }

  /** Clients in id order after `after`, at most `limit`. */
  async list(after: string | undefined, limit: number): Promise<ApiClient[]> {
    const rows: ApiClientRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM gateway.api_clients WHERE ($1::text IS NULL OR client_id > $1) ORDER BY client_id LIMIT $2`,
      [after ?? null, limit],
    );
    return rows.map(toClient);
  }

  /** Disables a client (idempotent); `undefined` if there is none. */
  async disable(clientId: string, tx: Pick<DataSource, 'query'> = this.db): Promise<ApiClient | undefined> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
    const [rows]: [ApiClientRow[], number] = await tx.query(
      `UPDATE gateway.api_clients SET disabled = true, disabled_at = COALESCE(disabled_at, now()) WHERE client_id = $1 RETURNING ${COLUMNS}`,
      [clientId],
    );
    return rows[0] ? toClient(rows[0]) : undefined;
  }
}
