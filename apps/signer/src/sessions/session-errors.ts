import type { PartyId } from '@custody/mpc-core';

/**
 * Why a session ended without a result. Every variant names the parties concerned. The API maps each
 * kind to a gRPC code in one table (apps/signer/src/api/signer-error-table.ts).
 */
export type SessionFailureKind =
  /** Participants refused the invitation by their own checks (each named with its reason): retrying cannot help. */
  | 'invitation-refused'
  /** Participants could not be reached, did not answer, or could not check the invitation; or this node is stopping: a retry can succeed. */
  | 'unavailable'
  /** The deadline passed while waiting for these parties. */
  | 'timeout'
  /** A protocol check failed: these parties cheated (or sent garbage). */
  | 'protocol-abort'
  /** A participant reported an abort of its own (its verdict, relayed). */
  | 'aborted-by-peer'
  /** The parties' views of the broadcasts or of the result differ. */
  | 'inconsistent'
  /** This node could not continue (its own error). */
  | 'local-error';

export class SessionFailed extends Error {
  override readonly name = 'SessionFailed';
  constructor(
    readonly kind: SessionFailureKind,
    readonly parties: readonly PartyId[],
    detail: string,
  ) {
    super(detail);
  }
}
