/**
 * The policy engine's domain errors (no transport types here): apps/policy-engine/src/api/
 * policy-error-table.ts maps each to one gRPC code. Messages name the field and never echo a long input.
 */

/** A request field is malformed or out of range: the caller's fault. `field` is the proto field or a JSON path. */
export class InvalidArgument extends Error {
  override readonly name = 'InvalidArgument';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`invalid ${field}: ${reason}`);
  }
}

export class NotFound extends Error {
  override readonly name = 'NotFound';
  constructor(
    readonly what: string,
    id: string,
  ) {
    super(`${what} ${clip(id)} not found`);
  }
}

/** The resource exists already with different content (a retry with identical content is answered, not refused). */
export class AlreadyExists extends Error {
  override readonly name = 'AlreadyExists';
  constructor(
    readonly what: string,
    id: string,
    detail = 'exists with different content',
  ) {
    super(`${what} ${clip(id)} ${detail}`);
  }
}

/** The state forbids the operation (no quorum yet, proposal not open, request already decided). */
export class FailedPrecondition extends Error {
  override readonly name = 'FailedPrecondition';
}

/** The caller is not who may do this (not an admin, not a registered approver, bad signature). */
export class PermissionDenied extends Error {
  override readonly name = 'PermissionDenied';
}

/** A value for a message: at most `max` characters, quoted. */
export function clip(value: string, max = 64): string {
  const s = JSON.stringify(value.length > max ? value.slice(0, max) : value);
  return value.length > max ? `${s}…(${value.length} chars)` : s;
}
