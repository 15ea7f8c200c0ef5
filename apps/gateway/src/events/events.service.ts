import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import type { GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';
import { EventsRepository, type StoredEvent } from './events.repository';

/** An event as the public API shows it (REST JSON; gRPC `custody.v1.Event` has `data` as JSON text). */
export interface EventView {
  seq: string;
  type: string;
  resource: string;
  occurTime: string;
  data: Record<string, unknown>;
}

export function eventView(e: StoredEvent): EventView {
  return { seq: e.seq.toString(), type: e.type, resource: e.resource, occurTime: e.occurredAt.toISOString(), data: e.data };
}

export const DEFAULT_EVENT_PAGE = 100;
export const MAX_EVENT_PAGE = 1000;
const MAX_SEQ = 2n ** 63n - 1n;

/** A sequence number given by a client: a decimal integer 0..2^63-1. */
export function parseSeq(value: unknown, field: string): bigint {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^(0|[1-9]\d{0,18})$/.test(text) || BigInt(text) > MAX_SEQ) throw new ApiError('invalid-argument', `${field} must be a sequence number, a decimal integer 0..${MAX_SEQ}`);
  return BigInt(text);
}

export function parseEventPageSize(value: unknown, field = 'page_size'): number {
  const n = typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > MAX_EVENT_PAGE) throw new ApiError('invalid-argument', `${field} must be an integer 0..${MAX_EVENT_PAGE}`);
  return n === 0 ? DEFAULT_EVENT_PAGE : n;
}

/**
 * Reading the stream: a page after a sequence number, or an endless ordered feed from one. A feed
 * that has caught up waits for the relay's notice (this gateway) or the next poll of the counter
 * (events another gateway took in), so it never misses or reorders one.
 */
@Injectable()
export class EventsService implements OnApplicationShutdown {
  private readonly waiters = new Set<() => void>();
  private readonly listeners: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly events: EventsRepository,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async list(after: bigint, pageSize: number): Promise<{ events: StoredEvent[]; nextAfter: bigint }> {
    const events = await this.events.after(after, pageSize);
    return { events, nextAfter: events.length > 0 ? events[events.length - 1]!.seq : after };
  }

  /** Every event after `after`, in order, then each new one, until `signal` aborts. */
  async *feed(after: bigint, signal: AbortSignal): AsyncGenerator<StoredEvent> {
    let cursor = after;
    while (!signal.aborted && !this.closed) {
      const page = await this.events.after(cursor, DEFAULT_EVENT_PAGE);
      for (const event of page) {
        if (signal.aborted) return;
        yield event;
        cursor = event.seq;
      }
      if (page.length < DEFAULT_EVENT_PAGE) await this.waitForNews(signal);
    }
  }

  /** The relay took events in, up to `lastSeq`. */
  notify(_lastSeq: bigint): void {
    for (const w of [...this.waiters]) w();
    for (const l of this.listeners) l();
  }

  /** Called whenever this gateway's relay took new events in (the webhook dispatcher listens). */
  onNotify(listener: () => void): void {
    this.listeners.push(listener);
  }

  onApplicationShutdown(): void {
    this.closed = true;
    for (const w of [...this.waiters]) w();
  }

  private waitForNews(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.config.events.streamPollMs);
      signal.addEventListener('abort', done);
      this.waiters.add(done);
    });
  }
}
