import { InvalidInputError, type PartyId } from '@custody/mpc-core';
import { IDENTIFIER_MAX_LENGTH, IDENTIFIER_PATTERN, LIMITS } from '@custody/sign-grant';

/**
 * The checks of signer.v1.SignerService's arguments, made before any database or peer call. Each
 * throws `InvalidInputError` naming the argument (INVALID_ARGUMENT); an echoed value is cut to its
 * first `ECHO_CHARS` characters and its length.
 */

/** How much of a caller's value an error message repeats. */
export const ECHO_CHARS = 32;
/** Signer ids, as in the peer directory: 1..255. */
export const MAX_SIGNER_ID = 255;
/** Session deadlines a caller may ask for; 0 (or unset) means the node's SIGNER_SESSION_TIMEOUT_MS. */
export const MIN_TIMEOUT_MS = 100;
/** (As long as the latest deadline an invitation may carry: SignerNode's MAX_SESSION_MS.) */
export const MAX_TIMEOUT_MS = 10 * 60_000;
/** Presignatures one Presign call may make. */
export const MAX_PRESIGN_COUNT = 100;

/** A value as an error message may show it: JSON-quoted (a NUL shows as \u0000), cut to `ECHO_CHARS` plus its length. */
export function echo(value: string): string {
  if (value.length <= ECHO_CHARS) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, ECHO_CHARS))}… (${value.length} chars)`;
}

/** A key id (or any identifier): libs/sign-grant's grammar, 1..128 characters of [A-Za-z0-9._:-]. */
export function identifier(argument: string, value: unknown): string {
  if (typeof value !== 'string') throw new InvalidInputError(argument, 'must be a string');
  if (value.length === 0) throw new InvalidInputError(argument, 'is required');
  if (value.length > IDENTIFIER_MAX_LENGTH || !IDENTIFIER_PATTERN.test(value)) {
    throw new InvalidInputError(argument, `${echo(value)} is not 1..${IDENTIFIER_MAX_LENGTH} characters of [A-Za-z0-9._:-]`);
  }
  return value;
}

/**
 * A set of signers: integers 1..255, no duplicates, at least `min` of them (2 unless a threshold
 * asks for more), including `self` (the node asked coordinates). Returned sorted ascending.
 */
export function signerSet(argument: string, value: unknown, self: PartyId, min = 2): PartyId[] {
  if (!Array.isArray(value)) throw new InvalidInputError(argument, 'must be a list of signer ids');
  if (value.length > MAX_SIGNER_ID) throw new InvalidInputError(argument, `must list at most ${MAX_SIGNER_ID} signers, got ${value.length}`);
  const seen = new Set<number>();
  for (let i = 0; i < value.length; i++) {
    const id: unknown = value[i];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > MAX_SIGNER_ID) {
      throw new InvalidInputError(`${argument}[${i}]`, `must be a signer id in 1..${MAX_SIGNER_ID}, got ${typeof id === 'number' ? id : typeof id}`);
    }
    if (seen.has(id)) throw new InvalidInputError(argument, `signer ${id} is listed twice`);
    seen.add(id);
  }
  if (value.length < min) throw new InvalidInputError(argument, `must list at least ${min} signers, got ${value.length}`);
  if (!seen.has(self)) throw new InvalidInputError(argument, `must include signer ${self}, the node asked`);
  return [...seen].sort((a, b) => a - b);
}

/** A requested session deadline in ms: 0 or unset for the node's default, else MIN_TIMEOUT_MS..MAX_TIMEOUT_MS. */
export function sessionTimeout(value: unknown): number | undefined {
  if (value === undefined || value === 0) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_TIMEOUT_MS || value > MAX_TIMEOUT_MS) {
    throw new InvalidInputError('timeoutMs', `must be 0 (the node's default) or ${MIN_TIMEOUT_MS}..${MAX_TIMEOUT_MS} ms, got ${typeof value === 'number' ? value : typeof value}`);
  }
  return value;
}

/** A key's threshold: an integer from 2 to the number of participants. */
export function threshold(value: unknown, participants: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 2 || value > participants) {
    throw new InvalidInputError('threshold', `must be 2..${participants} (the participants listed), got ${typeof value === 'number' ? value : typeof value}`);
  }
  return value;
}

/** How many presignatures to make: 1..MAX_PRESIGN_COUNT. */
export function presignCount(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PRESIGN_COUNT) {
    throw new InvalidInputError('count', `must be 1..${MAX_PRESIGN_COUNT}`);
  }
  return value;
}

export interface SignArguments {
  /** The signers, sorted, including the node asked. */
  readonly participants: PartyId[];
  readonly timeoutMs: number | undefined;
}

/** Sign's arguments other than the grant (which libs/sign-grant decodes and checks). */
export function signArguments(signers: unknown, signingInput: Uint8Array, timeoutMs: unknown, self: PartyId): SignArguments {
  const participants = signerSet('signers', signers, self);
  if (signingInput.length > LIMITS.maxMessageBytes) throw new InvalidInputError('signingInput', `must be at most ${LIMITS.maxMessageBytes} bytes, got ${signingInput.length}`);
  return { participants, timeoutMs: sessionTimeout(timeoutMs) };
}

export interface PresignArguments extends SignArguments {
  readonly keyId: string;
  readonly count: number;
}

/** Presign's arguments. */
export function presignArguments(keyId: unknown, signers: unknown, count: unknown, timeoutMs: unknown, self: PartyId): PresignArguments {
  return { keyId: identifier('keyId', keyId), participants: signerSet('signers', signers, self), count: presignCount(count), timeoutMs: sessionTimeout(timeoutMs) };
}
