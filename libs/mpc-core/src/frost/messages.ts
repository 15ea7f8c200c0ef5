import type { PartyId } from '../errors';
import type { SuiteName } from './suite';

/**
 * Public FROST messages: what crosses the wire between signer nodes. Plain data, no secrets except the
 * point-to-point share messages (`dkg/round-2`, `refresh/round-1-share`), which the transport encrypts to
 * their single recipient. Encodings are in `encoding.ts`; secret state is in `state.ts`.
 *
 * A message carries no sender: the sender comes from the authenticated channel (`Incoming.from`).
 */

/** A message to send: to one party (point to point) or to every other party of the session. */
export interface Outgoing<M> {
  readonly to: PartyId | 'all';
  readonly message: M;
}

/** A message received on an authenticated channel; `from` is set by the transport, never the payload. */
export interface Incoming<M> {
  readonly from: PartyId;
  readonly message: M;
}

interface Base {
  readonly suite: SuiteName;
  /** The execution id of the session (16 to 64 bytes). */
  readonly sessionId: Uint8Array;
}

/**
 * DKG round 1 (broadcast): the sender's Feldman commitment to its polynomial, noble's RFC 9591 / frost-rs
 * proof of knowledge of the constant term, and our session-bound proof of knowledge (`sessionProof`,
 * a Schnorr proof whose challenge binds the session id, the party ids, the prover, the threshold and the
 * whole commitment).
 */
export interface DkgRound1Message extends Base {
  readonly kind: 'dkg/round-1';
  readonly commitment: readonly Uint8Array[];
  readonly proofOfKnowledge: Uint8Array;
  readonly sessionProof: Uint8Array;
}

/** DKG round 2 (point to point, encrypted by the transport): the sender's polynomial at the recipient. */
export interface DkgRound2Message extends Base {
  readonly kind: 'dkg/round-2';
  readonly signingShare: Uint8Array;
}

/** A published nonce commitment pair (RFC 9591 §5.1 `commit`), named by its id for one-time use. */
export interface PublishedCommitment {
  readonly suite: SuiteName;
  readonly partyId: PartyId;
  /** 16 bytes, hex: a hash of the suite, the party and the two commitments. */
  readonly commitmentId: string;
  readonly hiding: Uint8Array;
  readonly binding: Uint8Array;
}

/** Signing round 1 (broadcast): the commitment pair the sender will sign with in this session. */
export interface SignRound1Message extends Base {
  readonly kind: 'sign/round-1';
  readonly commitmentId: string;
  readonly hiding: Uint8Array;
  readonly binding: Uint8Array;
}

/** Signing round 2 (broadcast): the sender's signature share z_i. */
export interface SignRound2Message extends Base {
  readonly kind: 'sign/round-2';
  readonly signatureShare: Uint8Array;
}

/** Refresh round 1 (broadcast): commitments to the coefficients 1..t-1 of a zero-constant polynomial. */
export interface RefreshCommitmentMessage extends Base {
  readonly kind: 'refresh/round-1-commitment';
  readonly commitment: readonly Uint8Array[];
}

/** Refresh round 1 (point to point, encrypted by the transport): the sender's zero-sharing at the recipient. */
export interface RefreshShareMessage extends Base {
  readonly kind: 'refresh/round-1-share';
  readonly share: Uint8Array;
}

export type RefreshMessage = RefreshCommitmentMessage | RefreshShareMessage;

export type FrostMessage =
  | DkgRound1Message
  | DkgRound2Message
  | SignRound1Message
  | SignRound2Message
  | RefreshCommitmentMessage
  | RefreshShareMessage;
