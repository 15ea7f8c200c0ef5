/**
 * Errors of the peer-auth library. Messages name the argument or the check, never a key, a seed or
 * a plaintext.
 */

/** The caller's fault: a bad seed, key, id or configuration. Thrown at set-up, not for peer input. */
export class PeerAuthInputError extends Error {
  override readonly name = 'PeerAuthInputError';
  constructor(
    /** The argument or configuration field that was wrong, e.g. `peers[1].publicKey`. */
    readonly argument: string,
    reason: string,
  ) {
    super(`invalid ${argument}: ${reason}`);
  }
}

/** Why an incoming envelope was dropped. */
export type EnvelopeRejectionReason =
  | 'unknown-version'
  | 'unknown-sender'
  | 'bad-signature'
  | 'not-for-me'
  | 'decrypt-failed'
  | 'malformed';

/**
 * An incoming envelope was refused. The only error {@link openEnvelope} throws for anything a peer
 * (or an attacker on the network) can send; `reason` is meant for metrics, `message` for the log.
 * Fields read before the signature is checked (`unknown-version`, `malformed`, `unknown-sender`)
 * are unauthenticated claims and must be logged as such.
 */
export class EnvelopeRejected extends Error {
  override readonly name = 'EnvelopeRejected';
  constructor(
    readonly reason: EnvelopeRejectionReason,
    /** Public detail (a field name, an id); never a key or a payload. */
    readonly detail: string,
  ) {
    super(`peer envelope rejected (${reason}): ${detail}`);
  }
}
