/**
 * The public events of the custody service: what an institution sees of every state change, on
 * one gap-free stream. Each is copied from one service's outbox (`source`, its sequence number);
 * this module decides which outbox events are public and what they are called. Bookkeeping the
 * institution does not act on (holds, internal transfers) stays internal.
 */

/** Every public event type (Standard Webhooks style: hierarchical, `[a-z_]` between dots). */
export const PUBLIC_EVENT_TYPES = [
  'deposit.seen',
  'deposit.confirmations',
  'deposit.credited',
  'deposit.reversed',
  'withdrawal.state_changed',
  'approval.required',
  'approval.given',
  'approval.rejected',
  'policy.activated',
] as const;
export type PublicEventType = (typeof PUBLIC_EVENT_TYPES)[number];

export function isPublicEventType(value: unknown): value is PublicEventType {
  return typeof value === 'string' && (PUBLIC_EVENT_TYPES as readonly string[]).includes(value);
}

/** The sources the relay copies from, each an outbox numbered gap-free from 1. */
export const EVENT_SOURCES = ['ledger', 'policy'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/** One event as a source's outbox gives it. */
export interface SourceEvent {
  readonly sequence: bigint;
  readonly type: string;
  /** The id of the deposit, withdrawal, request or policy the event is about. */
  readonly subject: string;
  /** A JSON object. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** What the relay stores for a public event (the stream gives it its `seq`). */
export interface PublicEventDraft {
  readonly type: PublicEventType;
  /** The public resource name, e.g. `deposits/{id}`. */
  readonly resource: string;
  readonly data: Readonly<Record<string, unknown>>;
}

const LEDGER: Readonly<Record<string, { type: PublicEventType; collection: string } | undefined>> = {
  'deposit.seen': { type: 'deposit.seen', collection: 'deposits' },
  'deposit.confirmations': { type: 'deposit.confirmations', collection: 'deposits' },
  'deposit.credited': { type: 'deposit.credited', collection: 'deposits' },
  'deposit.reversed': { type: 'deposit.reversed', collection: 'deposits' },
  'withdrawal.state_changed': { type: 'withdrawal.state_changed', collection: 'withdrawals' },
};

const POLICY: Readonly<Record<string, { type: PublicEventType; collection: string } | undefined>> = {
  'approval.required': { type: 'approval.required', collection: 'approvals' },
  'approval.given': { type: 'approval.given', collection: 'approvals' },
  'approval.rejected': { type: 'approval.rejected', collection: 'approvals' },
  'policy.activated': { type: 'policy.activated', collection: 'policies' },
};

/**
 * The public form of a source event, or `null` when the event is internal (the relay still moves
 * its cursor past it). Unknown types are internal: a source that adds one publishes nothing until
 * it is named here.
 */
export function toPublicEvent(source: EventSource, event: SourceEvent): PublicEventDraft | null {
  const mapping = (source === 'ledger' ? LEDGER : POLICY)[event.type];
  if (!mapping) return null;
  return Object.freeze({ type: mapping.type, resource: `${mapping.collection}/${event.subject}`, data: Object.freeze({ ...event.data }) });
}

/**
 * Checks that `events` continue the source's outbox right after `cursor` without a gap, in order.
 * Returns the prefix that does (an outbox is gap-free, so anything else is a source bug or a read
 * racing a writer; the relay copies the prefix and reads the rest again).
 */
export function contiguousAfter(cursor: bigint, events: readonly SourceEvent[]): SourceEvent[] {
  const out: SourceEvent[] = [];
  let expected = cursor + 1n;
  for (const event of events) {
    if (event.sequence < expected) continue;
    if (event.sequence !== expected) break;
    out.push(event);
    expected++;
  }
  return out;
}
