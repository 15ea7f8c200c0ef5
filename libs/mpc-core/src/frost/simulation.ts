import { InvalidInputError, type PartyId } from '../errors';
import type { Rng } from '../rng';
import { dkgRound1, type DkgParams } from './dkg/round-1';
import { dkgRound2 } from './dkg/round-2';
import { dkgRound3 } from './dkg/round-3';
import { encodeMessage } from './encoding';
import type { KeyShare } from './key-share';
import type { FrostMessage, Incoming, Outgoing, PublishedCommitment } from './messages';
import { refreshRound1 } from './refresh/round-1';
import { refreshRound2 } from './refresh/round-2';
import { signRound1 } from './sign/round-1';
import { signRound2 } from './sign/round-2';
import { signRound3, type SignResult } from './sign/round-3';
import { InMemoryNonceStore, type NonceStore } from './state';
import type { SuiteName } from './suite';

/**
 * An in-memory run of the FROST protocols between parties in one process: used by the tests, the CLI
 * and the bench. It routes each round's outgoing messages to the recipients' inboxes, encoding every
 * message with the wire codec on the way (so that what is measured is what a node would send).
 * A real node runs the same round functions over its authenticated transport.
 */

/** Counts what crossed the simulated wire. */
export interface WireStats {
  messages: number;
  bytes: number;
}

/** A hook to tamper with messages in tests (a malicious sender); returns the message to deliver. */
export type Tamper = (from: PartyId, to: PartyId, message: FrostMessage) => FrostMessage;

export function newWireStats(): WireStats {
  return { messages: 0, bytes: 0 };
}

/** Delivers one round's outgoing messages of every party; returns each party's inbox. */
export function route<M extends FrostMessage>(
  parties: readonly PartyId[],
  outgoing: ReadonlyMap<PartyId, readonly Outgoing<M>[]>,
  stats: WireStats,
  tamper?: Tamper,
): Map<PartyId, Incoming<M>[]> {
  const inboxes = new Map<PartyId, Incoming<M>[]>(parties.map((p) => [p, []]));
  for (const [from, list] of outgoing) {
    for (const { to, message } of list) {
      const recipients = to === 'all' ? parties.filter((p) => p !== from) : [to];
      for (const r of recipients) {
        const inbox = inboxes.get(r);
        if (!inbox) throw new InvalidInputError('to', `party ${r} is not in this session`);
        const delivered = (tamper ? tamper(from, r, message) : message) as M;
        stats.messages += 1;
        stats.bytes += encodeMessage(delivered).length;
        inbox.push({ from, message: delivered });
      }
    }
  }
  return inboxes;
}

export interface DkgRunOptions {
  readonly suite: SuiteName;
  readonly partyIds: readonly PartyId[];
  readonly threshold: number;
  readonly sessionId: Uint8Array;
  readonly rng: Rng;
  readonly tamper?: Tamper;
  readonly stats?: WireStats;
}

/** Runs a whole DKG; returns every party's key share, in the order of `partyIds`. */
export function runDkg(o: DkgRunOptions): KeyShare[] {
  const stats = o.stats ?? newWireStats();
  const r1 = o.partyIds.map((me) => dkgRound1({ suite: o.suite, sessionId: o.sessionId, partyIds: o.partyIds, threshold: o.threshold, me } satisfies DkgParams, o.rng));
  const in1 = route(o.partyIds, new Map(o.partyIds.map((p, i) => [p, r1[i].outgoing])), stats, o.tamper);
  const r2 = o.partyIds.map((p, i) => dkgRound2(r1[i].state, in1.get(p)!, o.rng));
  const in2 = route(o.partyIds, new Map(o.partyIds.map((p, i) => [p, r2[i].outgoing])), stats, o.tamper);
  return o.partyIds.map((p, i) => dkgRound3(r2[i].state, in2.get(p)!).keyShare);
}

export interface SignRunOptions {
  /** The key shares of the signers (possibly derived / tweaked), ascending by party id. */
  readonly keyShares: readonly KeyShare[];
  readonly message: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly rng: Rng;
  /** Each signer's nonce store (created empty when absent). */
  readonly stores?: ReadonlyMap<PartyId, NonceStore>;
  /** Preprocessed commitments to use, by signer. */
  readonly commitments?: ReadonlyMap<PartyId, PublishedCommitment>;
  /** Passed to every signer's round 1 (see `SignParams`). */
  readonly derivationPath?: readonly number[];
  readonly taproot?: { readonly merkleRoot?: Uint8Array };
  readonly tamper?: Tamper;
  readonly stats?: WireStats;
}

/** Runs a whole signing session among the given signers; returns the result every signer computed. */
export function runSign(o: SignRunOptions): SignResult {
  const stats = o.stats ?? newWireStats();
  const signers = o.keyShares.map((k) => k.partyId);
  const stores = new Map(signers.map((p) => [p, o.stores?.get(p) ?? new InMemoryNonceStore()]));
  const r1 = o.keyShares.map((keyShare) => {
    const commitment = o.commitments?.get(keyShare.partyId);
    return signRound1(
      {
        keyShare,
        sessionId: o.sessionId,
        signers,
        message: o.message,
        ...(commitment ? { commitment } : {}),
        ...(o.derivationPath ? { derivationPath: o.derivationPath } : {}),
        ...(o.taproot ? { taproot: o.taproot } : {}),
      },
      stores.get(keyShare.partyId)!,
      o.rng,
    );
  });
  const in1 = route(signers, new Map(signers.map((p, i) => [p, r1[i].outgoing])), stats, o.tamper);
  const r2 = signers.map((p, i) => signRound2(r1[i].state, in1.get(p)!, stores.get(p)!));
  const in2 = route(signers, new Map(signers.map((p, i) => [p, r2[i].outgoing])), stats, o.tamper);
  const results = signers.map((p, i) => signRound3(r2[i].state, in2.get(p)!).result);
  return results[0];
}

export interface RefreshRunOptions {
  readonly keyShares: readonly KeyShare[];
  readonly sessionId: Uint8Array;
  readonly rng: Rng;
  readonly tamper?: Tamper;
  readonly stats?: WireStats;
}

/** Runs a refresh among all holders of the key; returns the new shares. */
export function runRefresh(o: RefreshRunOptions): KeyShare[] {
  const stats = o.stats ?? newWireStats();
  const parties = o.keyShares.map((k) => k.partyId);
  const r1 = o.keyShares.map((keyShare) => refreshRound1({ keyShare, sessionId: o.sessionId }, o.rng));
  const in1 = route(parties, new Map(parties.map((p, i) => [p, r1[i].outgoing])), stats, o.tamper);
  return parties.map((p, i) => refreshRound2(r1[i].state, in1.get(p)!).keyShare);
}
