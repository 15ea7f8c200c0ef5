import { Inject, Injectable } from '@nestjs/common';
import { POSTGRES } from '@custody/platform';
import type { MessageHash } from '@custody/sign-grant';
import type { DataSource } from 'typeorm';
import type { MessageRecord, MessageState } from './message';

interface Row {
  message_id: string;
  position: string;
  wallet_id: string;
  message: Buffer;
  hash: MessageHash;
  state: MessageState;
  reason: string;
  signature: Buffer | null;
  recovery_id: number | null;
  created_by: string;
  created_at: Date;
}

const COLUMNS = 'message_id, position::text AS position, wallet_id, message, hash, state, reason, signature, recovery_id, created_by, created_at';

function toRecord(r: Row): MessageRecord {
  return {
    messageId: r.message_id,
    position: r.position,
    walletId: r.wallet_id,
    message: new Uint8Array(r.message),
    hash: r.hash,
    state: r.state,
    reason: r.reason,
    signature: r.signature ? new Uint8Array(r.signature) : undefined,
    recoveryId: r.recovery_id ?? undefined,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

/** `gateway.messages`: every state change is one guarded UPDATE, so that a stale step changes nothing. */
@Injectable()
export class MessagesRepository {
  constructor(@Inject(POSTGRES) private readonly db: DataSource) {}

  async insert(m: { messageId: string; walletId: string; message: Uint8Array; hash: MessageHash; createdBy: string }): Promise<MessageRecord> {
    const rows: Row[] = await this.db.query(
      `INSERT INTO gateway.messages (message_id, wallet_id, message, hash, state, created_by) VALUES ($1, $2, $3, $4, 'evaluating', $5) RETURNING ${COLUMNS}`,
      [m.messageId, m.walletId, Buffer.from(m.message), m.hash, m.createdBy],
    );
    return toRecord(rows[0]!);
  }

  async find(messageId: string): Promise<MessageRecord | undefined> {
    const rows: Row[] = await this.db.query(`SELECT ${COLUMNS} FROM gateway.messages WHERE message_id = $1`, [messageId]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Moves the message to `to` if it is in one of `from`; the updated record, or `undefined` if it was not. */
  async transition(messageId: string, from: readonly MessageState[], to: MessageState, fields: { reason?: string; grantJson?: string } = {}): Promise<MessageRecord | undefined> {
    const [rows]: [Row[], number] = await this.db.query(
      `UPDATE gateway.messages SET state = $3, reason = COALESCE($4, reason), grant_json = COALESCE($5, grant_json), updated_at = now()
       WHERE message_id = $1 AND state = ANY($2::text[]) RETURNING ${COLUMNS}`,
      [messageId, [...from], to, fields.reason ?? null, fields.grantJson ?? null],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Records the signature: it wins over any state but `signed` (a signature, once made, is the truth). */
  async recordSignature(messageId: string, signature: Uint8Array, recoveryId: number): Promise<MessageRecord | undefined> {
    const [rows]: [Row[], number] = await this.db.query(
      `UPDATE gateway.messages SET state = 'signed', signature = $2, recovery_id = $3, reason = '', updated_at = now()
       WHERE message_id = $1 AND state <> 'signed' RETURNING ${COLUMNS}`,
      [messageId, Buffer.from(signature), recoveryId],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Ids of messages not finished (re-driven into the queue at start-up: a step is safe to run twice). */
  async waiting(limit: number): Promise<string[]> {
    const rows: Array<{ message_id: string }> = await this.db.query(`SELECT message_id FROM gateway.messages WHERE state IN ('evaluating', 'pending-approval', 'signing') ORDER BY position LIMIT $1`, [limit]);
    return rows.map((r) => r.message_id);
  }
}
