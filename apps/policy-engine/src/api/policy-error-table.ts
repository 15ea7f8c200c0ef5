import { status } from '@grpc/grpc-js';
import { PolicyInputError, PolicyValidationError } from '@custody/policy-core';
import { SignGrantInputError } from '@custody/sign-grant';
import { AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied } from '../errors';

export type PolicyErrorClass = 'invalid-argument' | 'invalid-document' | 'not-found' | 'already-exists' | 'failed-precondition' | 'permission-denied' | 'internal';

export interface PolicyErrorRow {
  readonly errorClass: PolicyErrorClass;
  readonly raisedAs: string;
  readonly code: status;
  readonly meaning: string;
}

/** The one mapping of the policy engine's errors to gRPC status codes (the README shows it). */
export const POLICY_ERROR_TABLE: readonly PolicyErrorRow[] = [
  { errorClass: 'invalid-argument', raisedAs: 'InvalidArgument, PolicyInputError, SignGrantInputError', code: status.INVALID_ARGUMENT, meaning: 'a field is malformed or out of range; the message names it' },
  { errorClass: 'invalid-document', raisedAs: 'PolicyValidationError', code: status.INVALID_ARGUMENT, meaning: 'a policy document was refused: each problem as `<JSON pointer>: <reason>`; nothing of it applies' },
  { errorClass: 'not-found', raisedAs: 'NotFound', code: status.NOT_FOUND, meaning: 'no request, proposal, version or address-book entry with that id' },
  { errorClass: 'already-exists', raisedAs: 'AlreadyExists', code: status.ALREADY_EXISTS, meaning: 'the id is taken by different content (an identical retry is answered with the first result)' },
  { errorClass: 'failed-precondition', raisedAs: 'FailedPrecondition', code: status.FAILED_PRECONDITION, meaning: 'the state forbids it: no admin quorum yet, proposal not open or outdated, request already decided' },
  { errorClass: 'permission-denied', raisedAs: 'PermissionDenied', code: status.PERMISSION_DENIED, meaning: 'not a current admin / registered approver, or a signature that does not verify' },
  { errorClass: 'internal', raisedAs: 'anything else', code: status.INTERNAL, meaning: 'a bug: logged with its stack; the caller learns only "internal error"' },
];

const ROWS = new Map(POLICY_ERROR_TABLE.map((row) => [row.errorClass, row]));

export function classifyPolicyError(error: unknown): PolicyErrorRow {
  let c: PolicyErrorClass = 'internal';
  if (error instanceof PolicyValidationError) c = 'invalid-document';
  else if (error instanceof InvalidArgument || error instanceof PolicyInputError || error instanceof SignGrantInputError) c = 'invalid-argument';
  else if (error instanceof NotFound) c = 'not-found';
  else if (error instanceof AlreadyExists) c = 'already-exists';
  else if (error instanceof FailedPrecondition) c = 'failed-precondition';
  else if (error instanceof PermissionDenied) c = 'permission-denied';
  return ROWS.get(c)!;
}

export function renderPolicyErrorTable(): string {
  const lines = ['| error | raised as | gRPC code | meaning |', '| --- | --- | --- | --- |'];
  for (const row of POLICY_ERROR_TABLE) lines.push(`| \`${row.errorClass}\` | ${row.raisedAs} | \`${status[row.code]}\` | ${row.meaning} |`);
  return lines.join('\n');
}
