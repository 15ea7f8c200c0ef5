import { LedgerInputError } from './errors';
import type { HoldOp, JournalEntry, LedgerChange } from './journal';

/**
 * What a lifecycle transition implies, for the service to persist in one transaction: journal
 * entries, hold operations, and outbox events (the service gives each its gap-free sequence number).
 */
export const OUTBOX_EVENT_TYPES = [
  'hold.created',
  'hold.posted',
  'hold.voided',
  'hold.expired',
  'deposit.seen',
  'deposit.confirmations',
  'deposit.credited',
  'deposit.reversed',
  'withdrawal.state_changed',
  'transfer.booked',
] as const;
export type OutboxEventType = (typeof OUTBOX_EVENT_TYPES)[number];

/** Event payload values: amounts as decimal strings of base units, never numbers. */
export type EventValue = string | number | boolean | null;

export interface OutboxEventDraft {
  readonly type: OutboxEventType;
  /** The id of the hold, deposit or withdrawal. */
  readonly subject: string;
  readonly data: Readonly<Record<string, EventValue>>;
}

export interface Effects extends LedgerChange {
  readonly entries: readonly JournalEntry[];
  readonly holdOps: readonly HoldOp[];
  readonly events: readonly OutboxEventDraft[];
}

export const NO_EFFECTS: Effects = Object.freeze({ entries: Object.freeze([]), holdOps: Object.freeze([]), events: Object.freeze([]) });

/** Concatenate effects in order. */
export function combineEffects(...parts: readonly Effects[]): Effects {
  return Object.freeze({
    entries: Object.freeze(parts.flatMap((p) => p.entries)),
    holdOps: Object.freeze(parts.flatMap((p) => p.holdOps)),
    events: Object.freeze(parts.flatMap((p) => p.events)),
  });
}

/** A time argument: milliseconds since the epoch, a non-negative safe integer. */
export function checkTime(now: unknown, field = 'now'): number {
  if (typeof now !== 'number' || !Number.isSafeInteger(now) || now < 0) {
    throw new LedgerInputError(field, 'must be a non-negative safe integer of milliseconds since the epoch');
  }
  return now;
}
