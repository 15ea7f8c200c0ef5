import { status } from '@grpc/grpc-js';
import { IdempotencyConflictError, IllegalTransitionError, InsufficientFundsError, LedgerInputError, UnknownAccountError } from '@custody/ledger-core';
import { ConflictError, LockTimeoutError, NotFoundError, StoredRefusal, UnknownAssetError } from '../books/books.errors';
import { DatabaseUnavailableError } from '../books/sql';
import { RequestUndecodable } from './request-decoding';

/** Every error class the ledger's API answers with. */
export type LedgerErrorClass =
  | 'invalid-argument'
  | 'not-found'
  | 'illegal-transition'
  | 'insufficient-funds'
  | 'idempotency-conflict'
  | 'already-exists'
  | 'busy'
  | 'unavailable'
  | 'internal';

export interface LedgerErrorRow {
  readonly errorClass: LedgerErrorClass;
  readonly raisedAs: string;
  readonly code: status;
  /** Whether the same call, repeated unchanged, can succeed. */
  readonly retryable: boolean;
  readonly meaning: string;
}

/**
 * The one mapping of the ledger's errors to gRPC status codes; `LedgerErrorsFilter` answers with
 * it and the README's table is rendered from it. A refusal stored with an idempotency key is
 * answered again with its class (StoredRefusal).
 */
export const LEDGER_ERROR_TABLE: readonly LedgerErrorRow[] = [
  {
    errorClass: 'invalid-argument',
    raisedAs: 'LedgerInputError, UnknownAssetError, UnknownAccountError, RequestUndecodable',
    code: status.INVALID_ARGUMENT,
    retryable: false,
    meaning: 'a field is malformed, out of range, too long, or names an unknown asset or account; the message starts with `invalid <field>`',
  },
  { errorClass: 'not-found', raisedAs: 'NotFoundError', code: status.NOT_FOUND, retryable: false, meaning: 'no hold, deposit or withdrawal with that id' },
  {
    errorClass: 'illegal-transition',
    raisedAs: "IllegalTransitionError, StoredRefusal 'illegal-transition'",
    code: status.FAILED_PRECONDITION,
    retryable: false,
    meaning: 'the lifecycle does not allow that event from the current state (named with the event); nothing changed',
  },
  {
    errorClass: 'insufficient-funds',
    raisedAs: "InsufficientFundsError, StoredRefusal 'insufficient-funds'",
    code: status.FAILED_PRECONDITION,
    retryable: false,
    meaning: 'the change would take a flagged account below zero, counting held amounts; nothing changed',
  },
  {
    errorClass: 'idempotency-conflict',
    raisedAs: 'IdempotencyConflictError',
    code: status.ALREADY_EXISTS,
    retryable: false,
    meaning: 'the idempotency key was used before with another method or request body',
  },
  { errorClass: 'already-exists', raisedAs: 'ConflictError', code: status.ALREADY_EXISTS, retryable: false, meaning: 'an asset, hold, deposit or withdrawal with that identity exists with other attributes' },
  {
    errorClass: 'busy',
    raisedAs: 'LockTimeoutError',
    code: status.ABORTED,
    retryable: true,
    meaning: 'a concurrent request with the same idempotency key (or on the same account) did not finish within LEDGER_IDEMPOTENCY_WAIT_MS; retry with the same key',
  },
  {
    errorClass: 'unavailable',
    raisedAs: 'DatabaseUnavailableError',
    code: status.UNAVAILABLE,
    retryable: true,
    meaning: 'no database connection within LEDGER_DB_ACQUIRE_TIMEOUT_MS (every connection busy, or Postgres unreachable); nothing was written',
  },
  { errorClass: 'internal', raisedAs: 'anything else', code: status.INTERNAL, retryable: false, meaning: 'a bug: logged with its stack; the caller learns only "internal error"' },
];

const ROWS = new Map<LedgerErrorClass, LedgerErrorRow>(LEDGER_ERROR_TABLE.map((row) => [row.errorClass, row]));

export function classifyLedgerError(error: unknown): LedgerErrorRow {
  let errorClass: LedgerErrorClass = 'internal';
  if (error instanceof LedgerInputError || error instanceof UnknownAssetError || error instanceof UnknownAccountError || error instanceof RequestUndecodable) errorClass = 'invalid-argument';
  else if (error instanceof NotFoundError) errorClass = 'not-found';
  else if (error instanceof IllegalTransitionError) errorClass = 'illegal-transition';
  else if (error instanceof InsufficientFundsError) errorClass = 'insufficient-funds';
  else if (error instanceof StoredRefusal) errorClass = error.kind;
  else if (error instanceof IdempotencyConflictError) errorClass = 'idempotency-conflict';
  else if (error instanceof ConflictError) errorClass = 'already-exists';
  else if (error instanceof LockTimeoutError) errorClass = 'busy';
  else if (error instanceof DatabaseUnavailableError) errorClass = 'unavailable';
  return ROWS.get(errorClass)!;
}

/** The table as the README shows it (Markdown). */
export function renderLedgerErrorTable(): string {
  const lines = ['| error | raised as | gRPC code | retry can succeed | meaning |', '| --- | --- | --- | --- | --- |'];
  for (const row of LEDGER_ERROR_TABLE) lines.push(`| \`${row.errorClass}\` | ${row.raisedAs} | \`${status[row.code]}\` | ${row.retryable ? 'yes' : 'no'} | ${row.meaning} |`);
  return lines.join('\n');
}
