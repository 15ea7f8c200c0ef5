import { Inject, Injectable } from '@nestjs/common';
import { POSTGRES } from '@custody/platform';
import type { EventSource, PublicEventDraft, SourceEvent } from '@custody/events-core';
import type { DataSource } from 'typeorm';

/** One event of the public stream. */
export interface StoredEvent {
  readonly seq: bigint;
  readonly type: string;
  readonly resource: string;
  readonly data: Record<string, unknown>;
  readonly occurredAt: Date;
}

interface EventRow {
  seq: string;
  type: string;
  resource: string;
  data: Record<string, unknown>;
  occurred_at: Date;
}

function toEvent(r: EventRow): StoredEvent {
  return { seq: BigInt(r.seq), type: r.type, resource: r.resource, data: r.data, occurredAt: r.occurred_at };
}

/** `gateway.events`, `gateway.event_counter`, `gateway.event_cursors`: the only SQL on the stream. */
@Injectable()
export class EventsRepository {
  constructor(@Inject(POSTGRES) private readonly db: DataSource) {}

  /** The last outbox sequence copied from `source` (0 before the first). */
  async cursor(source: EventSource): Promise<bigint> {
    const rows: Array<{ last_source_seq: string }> = await this.db.query('SELECT last_source_seq FROM gateway.event_cursors WHERE source = $1', [source]);
    return rows[0] ? BigInt(rows[0].last_source_seq) : 0n;
  }

  /**
   * Copies a contiguous run of `source`'s outbox into the stream, in one transaction: the counter
   * row is locked (one writer at a time, so `seq` is gap-free across gateways), the cursor is read
   * again under the lock (another gateway may have copied some meanwhile), the public events of
   * the run after it get the next numbers, and the cursor moves to the run's end. A crash before
   * the commit leaves nothing; after it, the cursor says where to go on. Returns the last `seq`.
   */
  async append(source: EventSource, run: readonly SourceEvent[], toPublic: (e: SourceEvent) => PublicEventDraft | null): Promise<{ copied: number; lastSeq: bigint }> {
    return this.db.transaction(async (m) => {
      const counter: Array<{ last_seq: string }> = await m.query('SELECT last_seq FROM gateway.event_counter WHERE id FOR UPDATE');
      let seq = BigInt(counter[0]!.last_seq);
      await m.query('INSERT INTO gateway.event_cursors (source, last_source_seq) VALUES ($1, 0) ON CONFLICT (source) DO NOTHING', [source]);
      const cursorRows: Array<{ last_source_seq: string }> = await m.query('SELECT last_source_seq FROM gateway.event_cursors WHERE source = $1 FOR UPDATE', [source]);
      const cursor = BigInt(cursorRows[0]!.last_source_seq);
      const fresh = run.filter((e) => e.sequence > cursor);
      if (fresh.length === 0 || fresh[0]!.sequence !== cursor + 1n) return { copied: 0, lastSeq: seq };
      const seqs: string[] = [];
      const types: string[] = [];
      const resources: string[] = [];
      const datas: string[] = [];
      const sourceSeqs: string[] = [];
      for (const event of fresh) {
        const pub = toPublic(event);
        if (!pub) continue;
        seq++;
        seqs.push(seq.toString());
        types.push(pub.type);
        resources.push(pub.resource);
        datas.push(JSON.stringify(pub.data));
        sourceSeqs.push(event.sequence.toString());
      }
      if (seqs.length > 0) {
        await m.query(
          `INSERT INTO gateway.events (seq, type, resource, data, source, source_seq)
           SELECT s, t, r, d::jsonb, $6, ss FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS u(s, t, r, d, ss)`,
          [seqs, types, resources, datas, sourceSeqs, source],
        );
        await m.query('UPDATE gateway.event_counter SET last_seq = $1 WHERE id', [seq.toString()]);
      }
      await m.query('UPDATE gateway.event_cursors SET last_source_seq = $2, updated_at = now() WHERE source = $1', [source, fresh[fresh.length - 1]!.sequence.toString()]);
      return { copied: seqs.length, lastSeq: seq };
    });
  }

  /** Events with `seq > after`, in order, at most `limit`. */
  async after(after: bigint, limit: number): Promise<StoredEvent[]> {
    const rows: EventRow[] = await this.db.query('SELECT seq, type, resource, data, occurred_at FROM gateway.events WHERE seq > $1 ORDER BY seq LIMIT $2', [after.toString(), limit]);
    return rows.map(toEvent);
  }

  async one(seq: bigint): Promise<StoredEvent | undefined> {
    const rows: EventRow[] = await this.db.query('SELECT seq, type, resource, data, occurred_at FROM gateway.events WHERE seq = $1', [seq.toString()]);
    return rows[0] ? toEvent(rows[0]) : undefined;
  }

  /** The last `seq` taken into the stream (0 when empty). */
  async lastSeq(): Promise<bigint> {
    const rows: Array<{ last_seq: string }> = await this.db.query('SELECT last_seq FROM gateway.event_counter WHERE id');
    return BigInt(rows[0]!.last_seq);
  }
}
