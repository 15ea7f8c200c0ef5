import * as fs from 'node:fs';
import * as path from 'node:path';
import { status } from '@grpc/grpc-js';
import { IdempotencyConflictError, IllegalTransitionError, InsufficientFundsError, LedgerInputError, UnknownAccountError } from '@custody/ledger-core';
import { ConflictError, LockTimeoutError, NotFoundError, StoredRefusal, UnknownAssetError } from '../books/books.errors';
import { DatabaseUnavailableError } from '../books/sql';
import { classifyLedgerError, LEDGER_ERROR_TABLE, renderLedgerErrorTable, type LedgerErrorClass } from './ledger-error-table';
import { MAX_STATUS_MESSAGE, toGrpcError } from './ledger-errors.filter';
import { RequestUndecodable } from './request-decoding';

/** Errors of every class, as the ledger raises them. */
const SAMPLES: Record<LedgerErrorClass, unknown[]> = {
  'invalid-argument': [new LedgerInputError('amount', 'must have at most 6 fraction digits'), new UnknownAssetError('evm-1/NOPE', 'asset'), new UnknownAccountError('customer/x/evm-1/USDC', 'debit_account'), new RequestUndecodable('is not a valid protobuf message of its type')],
  'not-found': [new NotFoundError('hold', 'h1')],
  'illegal-transition': [new IllegalTransitionError('withdrawal', 'confirmed', 'approve'), new StoredRefusal('illegal-transition', "illegal withdrawal transition: 'approve' from 'confirmed'")],
  'insufficient-funds': [new InsufficientFundsError('customer/w/evm-1/USDC', 5n, 1n), new StoredRefusal('insufficient-funds', 'insufficient funds in customer/w/evm-1/USDC: available 5, short by 1')],
  'idempotency-conflict': [new IdempotencyConflictError('k1')],
  'already-exists': [new ConflictError('hold h1 exists')],
  busy: [new LockTimeoutError('timed out waiting')],
  unavailable: [new DatabaseUnavailableError('timeout exceeded when trying to connect')],
  internal: [new TypeError("Cannot read properties of undefined (reading 'x')"), 'a string'],
};

const CODES: Record<LedgerErrorClass, status> = {
  'invalid-argument': status.INVALID_ARGUMENT,
  'not-found': status.NOT_FOUND,
  'illegal-transition': status.FAILED_PRECONDITION,
  'insufficient-funds': status.FAILED_PRECONDITION,
  'idempotency-conflict': status.ALREADY_EXISTS,
  'already-exists': status.ALREADY_EXISTS,
  busy: status.ABORTED,
  unavailable: status.UNAVAILABLE,
  internal: status.INTERNAL,
};

describe('the ledger error table', () => {
  it('has one row per class and classifies every sample into its row, with the documented code', () => {
    const classes = LEDGER_ERROR_TABLE.map((r) => r.errorClass);
    expect(new Set(classes).size).toBe(classes.length);
    expect(new Set(classes)).toEqual(new Set(Object.keys(SAMPLES)));
    for (const [errorClass, samples] of Object.entries(SAMPLES) as Array<[LedgerErrorClass, unknown[]]>) {
      for (const sample of samples) {
        const row = classifyLedgerError(sample);
        expect({ errorClass, got: row.errorClass, code: row.code }).toEqual({ errorClass, got: errorClass, code: CODES[errorClass] });
      }
    }
  });

  it('answers an internal error with "internal error" only, and names the field of an invalid argument first', () => {
    expect(toGrpcError(new TypeError('secret detail'))).toEqual({ code: status.INTERNAL, message: 'internal error' });
    expect(toGrpcError(new UnknownAccountError('customer/x/evm-1/USDC', 'credit_account')).message).toMatch(/^invalid credit_account: unknown account /);
    expect(toGrpcError(new LedgerInputError('amount', 'must not be empty')).message).toBe('invalid amount: must not be empty');
  });

  it('bounds every status message', () => {
    expect(toGrpcError(new ConflictError('x'.repeat(100_000))).message.length).toBeLessThanOrEqual(MAX_STATUS_MESSAGE);
  });

  it('only ABORTED and UNAVAILABLE are retryable', () => {
    for (const row of LEDGER_ERROR_TABLE) expect({ c: row.errorClass, retryable: row.retryable }).toEqual({ c: row.errorClass, retryable: row.code === status.ABORTED || row.code === status.UNAVAILABLE });
  });

  it('is the table in the README', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(renderLedgerErrorTable());
  });
});
