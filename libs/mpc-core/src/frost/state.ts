import type { DKG_Secret, NonceCommitments } from '@noble/curves/abstract/frost.js';
import { InvalidInputError, type PartyId } from '../errors';
import type { KeyShare } from './key-share';
import type { DkgRound1Message, PublishedCommitment, SignRound1Message } from './messages';
import { wasImported } from './sign/imported-nonces';
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
 * Where the signing rounds find this party's nonces: `preprocess` puts fresh records in, round 2
 * consumes the one it signs with. `consume` must return the record AND delete it in one step, before a
 * signature share leaves the node.
 *
 * A record that was stored outside the process (a node's nonce pool: `encodeNonceRecord`, sealed in
 * its database) becomes usable again ONLY through `takeNonce` (encoding.ts), which reads it from the
 * node's {@link DurableNonceStore}; there is no public decoder of a nonce record.
 */
export interface NonceStore {
  /** Stores a record; refuses an id that this store has ever held (so a consumed nonce cannot come back). */
  put(record: NonceRecord): void;
  /** Returns the record and deletes it; `undefined` if unknown or already consumed. */
  consume(commitmentId: string): NonceRecord | undefined;
  /** Whether an unconsumed record with this id is held. */
  has(commitmentId: string): boolean;
}

/**
 * The node's durable nonce store, the only source from which a stored nonce record becomes usable
 * again (through `takeNonce`, encoding.ts). The node implements it on its database; the library cannot
 * check the atomicity it relies on, so it is the node's duty (README, "How to use this securely").
 */
export interface DurableNonceStore {
  /**
   * Consumes one nonce record in ONE atomic step and returns its encoding (`encodeNonceRecord`):
   * marked used and its stored secret erased before the promise resolves, e.g. `UPDATE … SET
   * consumed_at = now(), sealed = '{}' WHERE id = … AND consumed_at IS NULL RETURNING …` (the old
   * value). A record is returned at most once, whatever the concurrency, retries, crashes or
   * restarts; `undefined` when none is left. The returned bytes are wiped by `takeNonce`.
   */
  consumeEncoded(): Promise<Uint8Array | undefined>;
}

/** A nonce pair taken from a {@link DurableNonceStore}, for ONE signing session. */
export interface TakenNonce {
  /** The public commitment to announce: `signRound1`'s `params.commitment`. */
  readonly commitment: PublishedCommitment;
  /** A store holding only this pair, until `signRound2` consumes it. */
  readonly store: NonceStore;
}

/**
 * An in-memory {@link NonceStore} for tests, the CLI, the bench, and one session's taken nonce (a node
 * keeps its pool in its database). Refuses a record it has held before, and a record that was
 * imported with `takeNonce` in this process (that one lives only in the store `takeNonce` made).
 */
export class InMemoryNonceStore implements NonceStore {
  private readonly records = new Map<string, NonceRecord>();
  private readonly everSeen = new Set<string>();

  put(record: NonceRecord): void {
    if (typeof record !== 'object' || record === null || typeof record.commitment !== 'object' || record.commitment === null) {
      throw new InvalidInputError('record', 'expected a nonce record');
    }
    const id = record.commitment.commitmentId;
    if (typeof id !== 'string') throw new InvalidInputError('record.commitment.commitmentId', 'expected a hex string');
    if (this.everSeen.has(id)) throw new InvalidInputError('record.commitment.commitmentId', 'this nonce id was already stored once');
    if (wasImported(id)) throw new InvalidInputError('record.commitment.commitmentId', 'this nonce was taken from a durable store in this process: it cannot be stored again');
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
