/**
 * The three kinds of error of the threshold protocols (house style, rule 6):
 * - {@link InvalidInputError}: the caller's fault (a malformed value, an argument out of range);
 * - {@link ProtocolAbortError}: a party misbehaved; names the culprits and the check that failed;
 * - {@link InternalError}: a bug in our code.
 * Messages never carry secret values (shares, nonces, Paillier factors): only names of checks and ids.
 */

/** A party id: 1-based, as in the Shamir evaluation points. */
export type PartyId = number;

export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(
    /** The argument or field that was wrong, e.g. `keyShare.publicKey`. */
    readonly argument: string,
    reason: string,
  ) {
    super(`invalid ${argument}: ${reason}`);
  }
}

export class ProtocolAbortError extends Error {
  override readonly name = 'ProtocolAbortError';
  constructor(
    /** The protocol and round, e.g. `ecdsa-presign/round-2`. */
    readonly round: string,
    /** The parties whose messages failed the check; never empty. */
    readonly culprits: readonly PartyId[],
    /** A short name of the failed check, e.g. `pi-enc`, `vss-share`, `pi-mod`. */
    readonly check: string,
    /** Public detail for the auditor (never a secret value). */
    readonly evidence?: string,
  ) {
    super(
      `protocol aborted in ${round}: check ${check} failed for part${culprits.length === 1 ? 'y' : 'ies'} ${culprits.join(', ')}` +
        (evidence ? ` (${evidence})` : ''),
    );
  }
}

export class InternalError extends Error {
  override readonly name = 'InternalError';
}
