/**
 * Errors of the sign-grant library. Messages name fields, ids and checks; never a secret key.
 */

/** The caller's fault (the policy engine building a grant, or a signer's own configuration). */
export class SignGrantInputError extends Error {
  override readonly name = 'SignGrantInputError';
  constructor(
    /** The argument or field that was wrong, e.g. `grant.request.requestId`. */
    readonly argument: string,
    reason: string,
  ) {
    super(`invalid ${argument}: ${reason}`);
  }
}

export type GrantRefusalReason =
  | 'bad-engine-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'lifetime-too-long'
  | 'digest-mismatch'
  | 'unknown-approver'
  | 'bad-approval-signature'
  | 'duplicate-approver'
  | 'insufficient-approvals'
  | 'malformed'
  | 'version-not-accepted';

/** A signer refuses a grant: no round may start. `reason` for metrics and the audit log. */
export class GrantRefused extends Error {
  override readonly name = 'GrantRefused';
  constructor(
    readonly reason: GrantRefusalReason,
    /** Public detail: a field, an approver id, times. */
    readonly detail: string,
  ) {
    super(`sign grant refused (${reason}): ${detail}`);
  }
}
