/** An argument a caller gave is invalid: `field` names it, `reason` says why (a client's mistake, never a bug). */
export class EventsInputError extends Error {
  override readonly name = 'EventsInputError';

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
  }
}

/** Clip a value for a message: at most 64 characters, JSON-quoted. */
export function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 61)}...` : text);
}
