import type { ProtocolDriver } from '../sessions/protocol-driver';
import type { SessionInvite, SessionProtocol } from './session-invite';

/** A session ready to run at this node: the driver, and what to do with the output. */
export interface PreparedSession<Out> {
  readonly driver: ProtocolDriver<Out>;
  /** Keeps the output, not yet usable; returns the digest of its public part for the confirmation. */
  stage(output: Out): Promise<Uint8Array>;
  commit(output: Out): Promise<void>;
  discard(output: Out): Promise<void>;
  /** Clean-up when the session fails, staged or not (e.g. the signing request marked failed). */
  failed?(): Promise<void>;
}

/**
 * One protocol's rules at this node: whether an invitation is acceptable (the node's own checks:
 * key, shares, grant, one-time values), and how to run it. Coordinator and participants use the
 * same `prepare`, so the coordinator holds itself to every check it expects of the others.
 */
export interface ProtocolHandler<Out = unknown> {
  readonly protocol: SessionProtocol;
  prepare(invite: SessionInvite, sessionId: Uint8Array, self: number): Promise<PreparedSession<Out>>;
}

/** An invitation this node refuses; the reason goes back to the coordinator (no secrets in it). */
export class InvitationRefused extends Error {
  override readonly name = 'InvitationRefused';
}
