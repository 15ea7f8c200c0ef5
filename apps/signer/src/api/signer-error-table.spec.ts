import * as fs from 'node:fs';
import * as path from 'node:path';
import { status } from '@grpc/grpc-js';
import { InvalidInputError, ProtocolAbortError } from '@custody/mpc-core';
import { KeyNotFound } from '../keys/keys.service';
import { InvitationRefused } from '../node/protocol-handler';
import { SessionFailed } from '../sessions/session-errors';
import { classifySignerError, renderSignerErrorTable, SIGNER_ERROR_TABLE, type SignerErrorClass } from './signer-error-table';
import { MAX_STATUS_MESSAGE, toGrpcError } from './signer-errors.filter';

/** One error of every class, as the signer raises it. */
const SAMPLES: Record<SignerErrorClass, unknown> = {
  'invalid-argument': new InvalidInputError('keyId', '"k"… (100000 chars) is not 1..128 characters of [A-Za-z0-9._:-]'),
  'key-not-found': new KeyNotFound('key key-1 is not known to signer 1'),
  refused: new InvitationRefused('grant refused: expired'),
  'session:invitation-refused': new SessionFailed('invitation-refused', [1], 'invitation not accepted (signer 1: request r-1 was signed here before or is being signed)'),
  'session:unavailable': new SessionFailed('unavailable', [3], 'invitation not accepted (signer 3: unreachable)'),
  'session:timeout': new SessionFailed('timeout', [2], 'deadline passed waiting for signer 2 in round 2'),
  'session:protocol-abort': new SessionFailed('protocol-abort', [3], 'protocol aborted in ecdsa-presign/round-2: check pi-enc failed for party 3'),
  'session:aborted-by-peer': new SessionFailed('aborted-by-peer', [2], 'signer 2 aborted the session: bad share'),
  'session:inconsistent': new SessionFailed('inconsistent', [2, 3], 'signers 2, 3 confirmed a different result or saw different broadcasts'),
  'session:local-error': new SessionFailed('local-error', [1], 'signer 1 failed locally (TypeError)'),
  'protocol-abort': new ProtocolAbortError('ecdsa-presign/round-2', [3], 'pi-enc'),
  internal: new TypeError("Cannot read properties of undefined (reading 'x')"),
};

describe('the signer error table', () => {
  it('has one row per error class, and a sample of each class', () => {
    const classes = SIGNER_ERROR_TABLE.map((r) => r.errorClass);
    expect(new Set(classes).size).toBe(classes.length);
    expect([...classes].sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  it.each(SIGNER_ERROR_TABLE.map((row) => [row.errorClass, row] as const))('%s: the filter answers with the row’s code', (errorClass, row) => {
    const sample = SAMPLES[errorClass];
    expect(classifySignerError(sample)).toBe(row);
    const answer = toGrpcError(sample);
    expect(status[answer.code]).toBe(status[row.code]);
    if (errorClass === 'internal') expect(answer.message).toBe('internal error');
    else expect(answer.message).toContain((sample as Error).message);
    // ABORTED always names the culprits.
    if (row.code === status.ABORTED) expect(answer.message).toMatch(/(signers|party|parties) \d/);
  });

  it('calls a code retryable exactly when it is UNAVAILABLE or DEADLINE_EXCEEDED', () => {
    for (const row of SIGNER_ERROR_TABLE) expect([row.errorClass, row.retryable]).toEqual([row.errorClass, row.code === status.UNAVAILABLE || row.code === status.DEADLINE_EXCEEDED]);
  });

  it('uses only the codes of the documented set', () => {
    const allowed = new Set([status.INVALID_ARGUMENT, status.NOT_FOUND, status.FAILED_PRECONDITION, status.DEADLINE_EXCEEDED, status.UNAVAILABLE, status.ABORTED, status.INTERNAL]);
    for (const row of SIGNER_ERROR_TABLE) expect(allowed.has(row.code)).toBe(true);
  });

  it('is the table in the README', () => {
    const readme = fs.readFileSync(path.join(__dirname, '../../../../README.md'), 'utf8');
    expect(readme).toContain(renderSignerErrorTable());
  });

  it('bounds every status message (an HTTP/2 trailer), whatever an error carries', () => {
    const long = new SessionFailed('invitation-refused', [2, 3], `invitation not accepted (${'signer 2: x'.repeat(10_000)})`);
    expect(toGrpcError(long).message.length).toBeLessThanOrEqual(MAX_STATUS_MESSAGE);
    expect(toGrpcError(new InvalidInputError('keyId', 'k'.repeat(100_000))).message.length).toBeLessThanOrEqual(MAX_STATUS_MESSAGE);
  });
});
