import type { DKG_Secret, NonceCommitments } from '@noble/curves/abstract/frost.js';
import { InvalidInputError, type PartyId } from '../errors';
import type { KeyShare } from './key-share';
import type { DkgRound1Message, PublishedCommitment, SignRound1Message } from './messages';
import type { SuiteName } from './suite';

/**
 * SECRET per-party state of the FROST rounds. Never serialized by the wire codec, never logged.
 * A round consumes its input state: passing the same state object to a round twice is refused
 * ({@link consumeState}), so a round cannot be re-run with the same secrets.
 */

/** The parameters every party of a session agrees on before round 1. */
export interface SessionParams {
  readonly suite: SuiteName;
  readonly sessionId: Uint8Array;
  /** Every party of the session, ascending. */
  readonly partyIds: readonly PartyId[];
  readonly me: PartyId;
}

export interface DkgRound1State extends SessionParams {
  readonly step: 'dkg/after-round-1';
  readonly threshold: number;
  /** noble's DKG secret package (polynomial coefficients). */
  readonly nobleSecret: DKG_Secret;
  readonly ownRound1: DkgRound1Message;
}

export interface DkgRound2State extends SessionParams {
  readonly step: 'dkg/after-round-2';
  readonly threshold: number;
  readonly nobleSecret: DKG_Secret;
  /** Every party's verified round-1 message (own included), ascending by party id. */
  readonly round1: readonly { readonly from: PartyId; readonly message: DkgRound1Message }[];
}

/** One preprocessed nonce pair: SECRET. Lives in a {@link NonceStore} until consumed once. */
export interface NonceRecord {
  readonly commitment: PublishedCommitment;
  readonly hiding: Uint8Array;
  readonly binding: Uint8Array;
}

/**
 * Where a node keeps its preprocessed nonces. `consume` must return the record AND delete it in one
 * step (in a database: `DELETE … RETURNING` or `UPDATE … SET consumed_at = now() WHERE … AND
 * consumed_at IS NULL RETURNING …`), before a signature share leaves the node.
 */
export interface NonceStore {
  /** Stores a record; refuses an id that this store has ever held (so a consumed nonce cannot come back). */
  put(record: NonceRecord): void;
  /** Returns the record and deletes it; `undefined` if unknown or already consumed. */
  consume(commitmentId: string): NonceRecord | undefined;
  /** Whether an unconsumed record with this id is held. */
  has(commitmentId: string): boolean;
}

/** An in-memory {@link NonceStore} for tests, the CLI and the bench (a node uses its database). */
export class InMemoryNonceStore implements NonceStore {
  private readonly records = new Map<string, NonceRecord>();
  private readonly everSeen = new Set<string>();

  put(record: NonceRecord): void {
    const id = record.commitment.commitmentId;
    if (this.everSeen.has(id)) throw new InvalidInputError('record.commitment.commitmentId', 'this nonce id was already stored once');
    this.everSeen.add(id);
    this.records.set(id, record);
  }

  consume(commitmentId: string): NonceRecord | undefined {
    const record = this.records.get(commitmentId);
    this.records.delete(commitmentId);
    return record;
  }

  has(commitmentId: string): boolean {
    return this.records.has(commitmentId);
  }

  get size(): number {
    return this.records.size;
  }
}

export interface SignRound1State {
  readonly step: 'sign/after-round-1';
  readonly keyShare: KeyShare;
  readonly sessionId: Uint8Array;
  readonly signers: readonly PartyId[];
  readonly message: Uint8Array;
  readonly own: SignRound1Message;
}

export interface SignRound2State {
  readonly step: 'sign/after-round-2';
  readonly keyShare: KeyShare;
  readonly sessionId: Uint8Array;
  readonly signers: readonly PartyId[];
  readonly message: Uint8Array;
  /** noble's commitment list of the signers, in the order of `signers`. */
  readonly commitmentList: readonly NonceCommitments[];
  readonly ownShare: Uint8Array;
}

export interface RefreshRound1State {
  readonly step: 'refresh/after-round-1';
  readonly keyShare: KeyShare;
  readonly sessionId: Uint8Array;
  /** Our own zero-sharing evaluated at our own id. */
  readonly ownShare: bigint;
  readonly ownCommitment: readonly Uint8Array[];
}

const consumed = new WeakSet<object>();

/** Marks a round's input state as used; throws if it was used before (a round runs once per state). */
export function consumeState(state: object, argument = 'state'): void {
  if (consumed.has(state)) throw new InvalidInputError(argument, 'this round state was already consumed by a round');
  consumed.add(state);
}
