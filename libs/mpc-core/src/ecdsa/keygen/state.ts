import type { PartyId } from '../../errors';
import type { FeldmanPolynomial } from '../../math/vss';
import type { SchnorrCommitment } from '../../zk/pi-sch';
import type { Point } from '../curve';

/** Secret state of the key generation (never serialized by the wire codec). */
export interface KeygenParams {
  readonly sessionId: Uint8Array;
  readonly self: PartyId;
  /** All parties, ascending. */
  readonly partyIds: readonly PartyId[];
  /** Number of signers needed (polynomial degree t − 1). */
  readonly threshold: number;
  /** `keygen`: a fresh key; `refresh`: a sharing of zero (a_0 = 0, commitments from a_1). */
  readonly mode: 'keygen' | 'refresh';
}

export interface KeygenRound1State {
  readonly kind: 'keygen/state-1';
  readonly params: KeygenParams;
  readonly polynomial: FeldmanPolynomial;
  readonly commitments: readonly Point[];
  readonly schnorr: SchnorrCommitment;
  readonly rid: Uint8Array;
  readonly u: Uint8Array;
}

export interface KeygenRound2State extends Omit<KeygenRound1State, 'kind'> {
  readonly kind: 'keygen/state-2';
  readonly received: ReadonlyMap<PartyId, string>;
}

export interface KeygenRound3State {
  readonly kind: 'keygen/state-3';
  readonly params: KeygenParams;
  readonly schnorrA: ReadonlyMap<PartyId, Point>;
  readonly commitments: ReadonlyMap<PartyId, readonly Point[]>;
  readonly share: bigint;
  readonly rid: Uint8Array;
}

/** What key generation (or the zero-sharing of a refresh) gives each party. */
export interface KeygenOutput {
  readonly sessionId: Uint8Array;
  readonly self: PartyId;
  readonly partyIds: readonly PartyId[];
  readonly threshold: number;
  readonly mode: 'keygen' | 'refresh';
  /** Own Shamir share x_i (in refresh: the share of zero to add). */
  readonly share: bigint;
  /** Every party's public share X_j = x_j·G (refresh: the public image of its zero share; may be the identity). */
  readonly publicShares: ReadonlyMap<PartyId, Point>;
  /** The group public key (keygen only; the identity in refresh). */
  readonly publicKey: Point;
  /** 32 bytes derived from every party's committed randomness (keygen's chain code). */
  readonly chainCode: Uint8Array;
}
