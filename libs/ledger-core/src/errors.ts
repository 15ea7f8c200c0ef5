/**
 * Errors of the ledger core. Three kinds, as everywhere in this project: the caller's bad input
 * (`LedgerInputError`, names the field), a refusal by the rules of the books (illegal transition,
 * insufficient funds, idempotency conflict, unknown account), and bugs (plain `Error`). Messages
 * never echo a long input in full.
 */

/** Bad input: the field that was wrong and why. Maps to INVALID_ARGUMENT. */
export class LedgerInputError extends Error {
  override readonly name: string = 'LedgerInputError';
  /** The field or argument, e.g. `amount` or `postings[1].account` (a path longer than 200 characters is shortened). */
  readonly field: string;
  constructor(
    field: string,
    /** Why it was refused, without echoing the value. */
    readonly reason: string,
  ) {
    const short = clip(field, 200);
    super(`invalid ${short}: ${reason}`);
    this.field = short;
  }
}

/** A lifecycle event that the state machine does not allow from the current state. FAILED_PRECONDITION. */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  constructor(
    /** Which state machine: `hold`, `deposit` or `withdrawal`. */
    readonly machine: string,
    readonly from: string,
    readonly event: string,
    /** Why, when the state alone does not say it (e.g. `the deadline has passed`). */
    readonly detail?: string,
  ) {
    super(`illegal ${machine} transition: '${event}' from '${from}'${detail ? ` (${detail})` : ''}`);
  }
}

/**
 * A change would make an account flagged `debitsMustNotExceedCredits` negative, counting holds
 * (debits posted + debits pending > credits posted). FAILED_PRECONDITION.
 */
export class InsufficientFundsError extends Error {
  override readonly name = 'InsufficientFundsError';
  constructor(
    readonly account: string,
    /** Credits posted − debits posted − debits pending before the change (may be negative only for a bug). */
    readonly available: bigint,
    /** How much more the change needs than is available. */
    readonly shortfall: bigint,
  ) {
    super(`insufficient funds in ${clip(account)}: available ${available}, short by ${shortfall}`);
  }
}

/** A posting or hold names an account the balances do not know. */
export class UnknownAccountError extends Error {
  override readonly name = 'UnknownAccountError';
  constructor(
    readonly account: string,
    /** Where it was named, e.g. `postings[0].account`. */
    readonly field: string,
  ) {
    super(`unknown account at ${field}: ${clip(account)}`);
  }
}

/** The same idempotency key was used with a different request body. ALREADY_EXISTS / ABORTED. */
export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
  constructor(readonly key: string) {
    super(`idempotency key ${clip(key)} was used before with a different request`);
  }
}

/** Shorten a value for an error message. */
export function clip(value: string, max = 80): string {
  return value.length <= max ? value : `${value.slice(0, max)}…(${value.length} chars)`;
}
