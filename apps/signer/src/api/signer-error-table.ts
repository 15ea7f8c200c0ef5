import { status } from '@grpc/grpc-js';
import { InvalidInputError, ProtocolAbortError } from '@custody/mpc-core';
import { KeyNotFound } from '../keys/keys.service';
import { InvitationRefused } from '../node/protocol-handler';
import { SessionFailed, type SessionFailureKind } from '../sessions/session-errors';

/** Every error class the signer's API answers with; `session:*` are the kinds of `SessionFailed`. */
export type SignerErrorClass = 'invalid-argument' | 'key-not-found' | 'refused' | `session:${SessionFailureKind}` | 'protocol-abort' | 'internal';

export interface SignerErrorRow {
  readonly errorClass: SignerErrorClass;
  /** The error type (and kind) that carries it. */
  readonly raisedAs: string;
  readonly code: status;
  /** Whether the same call, repeated unchanged, can succeed. */
  readonly retryable: boolean;
  readonly meaning: string;
}

/**
 * The one mapping of the signer's errors to gRPC status codes. `SignerErrorsFilter` answers with
 * it, the README's error table is this table (a test renders and compares it), and a test walks
 * every row. UNAVAILABLE and DEADLINE_EXCEEDED are the only codes a retry of the same call can cure.
 */
export const SIGNER_ERROR_TABLE: readonly SignerErrorRow[] = [
  {
    errorClass: 'invalid-argument',
    raisedAs: 'InvalidInputError',
    code: status.INVALID_ARGUMENT,
    retryable: false,
    meaning: 'an argument is malformed or out of range (named in the message); an undecodable or over-1-MiB request is argument `request`',
  },
  { errorClass: 'key-not-found', raisedAs: 'KeyNotFound', code: status.NOT_FOUND, retryable: false, meaning: 'the node asked holds no key with that id' },
  {
    errorClass: 'refused',
    raisedAs: 'InvitationRefused',
    code: status.FAILED_PRECONDITION,
    retryable: false,
    meaning: "the node asked refuses by its own checks: grant refused, request signed before, not a quorum, no such protocol or signer",
  },
  {
    errorClass: 'session:invitation-refused',
    raisedAs: "SessionFailed 'invitation-refused'",
    code: status.FAILED_PRECONDITION,
    retryable: false,
    meaning: 'a participant refused by its own checks (named, with its reason): e.g. a request replayed through another coordinator',
  },
  {
    errorClass: 'session:unavailable',
    raisedAs: "SessionFailed 'unavailable'",
    code: status.UNAVAILABLE,
    retryable: true,
    meaning: 'a participant is unreachable, did not answer the invitation, or could not check it; or the node is shutting down',
  },
  {
    errorClass: 'session:timeout',
    raisedAs: "SessionFailed 'timeout'",
    code: status.DEADLINE_EXCEEDED,
    retryable: true,
    meaning: 'the session deadline passed; the message names the signers and the step waited for',
  },
  {
    errorClass: 'session:protocol-abort',
    raisedAs: "SessionFailed 'protocol-abort'",
    code: status.ABORTED,
    retryable: false,
    meaning: 'a protocol check failed; the culprits are named (retry without them)',
  },
  {
    errorClass: 'session:aborted-by-peer',
    raisedAs: "SessionFailed 'aborted-by-peer'",
    code: status.ABORTED,
    retryable: false,
    meaning: "a participant aborted; its verdict's culprits are named",
  },
  {
    errorClass: 'session:inconsistent',
    raisedAs: "SessionFailed 'inconsistent'",
    code: status.ABORTED,
    retryable: false,
    meaning: 'participants saw different broadcasts or results; the differing signers are named',
  },
  { errorClass: 'session:local-error', raisedAs: "SessionFailed 'local-error'", code: status.INTERNAL, retryable: false, meaning: "the node's own failure inside a session (logged there)" },
  { errorClass: 'protocol-abort', raisedAs: 'ProtocolAbortError', code: status.ABORTED, retryable: false, meaning: 'a protocol check failed outside a session; the culprits are named' },
  { errorClass: 'internal', raisedAs: 'anything else', code: status.INTERNAL, retryable: false, meaning: 'a bug: logged with its stack; the caller learns only "internal error"' },
];

const ROWS = new Map<SignerErrorClass, SignerErrorRow>(SIGNER_ERROR_TABLE.map((row) => [row.errorClass, row]));

/** The row of the table that `error` falls in. */
export function classifySignerError(error: unknown): SignerErrorRow {
  let errorClass: SignerErrorClass = 'internal';
  if (error instanceof InvalidInputError) errorClass = 'invalid-argument';
  else if (error instanceof KeyNotFound) errorClass = 'key-not-found';
  else if (error instanceof InvitationRefused) errorClass = 'refused';
  else if (error instanceof SessionFailed) errorClass = `session:${error.kind}`;
  else if (error instanceof ProtocolAbortError) errorClass = 'protocol-abort';
  return ROWS.get(errorClass) ?? ROWS.get('internal')!;
}

/** The table as the README shows it (Markdown). */
export function renderSignerErrorTable(): string {
  const lines = ['| error | raised as | gRPC code | retry can succeed | meaning |', '| --- | --- | --- | --- | --- |'];
  for (const row of SIGNER_ERROR_TABLE) lines.push(`| \`${row.errorClass}\` | ${row.raisedAs} | \`${status[row.code]}\` | ${row.retryable ? 'yes' : 'no'} | ${row.meaning} |`);
  return lines.join('\n');
}
