import {
  InvalidInputError,
  ProtocolAbortError,
  type PartyId,
  type Rng,
} from '@custody/mpc-core';
import {
  decodeMessage,
  dkgRound1,
  dkgRound2,
  dkgRound3,
  encodeMessage,
  refreshRound1,
  refreshRound2,
  signRound1,
  signRound2,
  signRound3,
  type FrostMessage,
  type Incoming,
  type KeyShare as FrostKeyShare,
  type Outgoing,
  type SignResult,
  type SuiteName,
  type TakenNonce,
} from '@custody/mpc-core/frost';
import type { ProtocolDriver, StepResult } from '../sessions/protocol-driver';
import { broadcastItems, bundleFor, decodeBundle } from './bundle';

type Step<Out> = (incoming: Incoming<FrostMessage>[], rng: Rng) => { outgoing: Outgoing<FrostMessage>[] } | { output: Out };

/** Decodes one sender's bundle into FROST messages, blaming the sender for anything malformed. */
function incomingFrom(protocol: string, round: number, inbox: ReadonlyMap<PartyId, Uint8Array>): Incoming<FrostMessage>[] {
  const incoming: Incoming<FrostMessage>[] = [];
  for (const [from, payload] of inbox) {
    try {
      for (const item of decodeBundle(payload)) incoming.push({ from, message: decodeMessage(item.bytes) });
    } catch (error) {
      if (error instanceof InvalidInputError) throw new ProtocolAbortError(`${protocol}/round-${round}`, [from], 'malformed-message', error.argument);
      throw error;
    }
  }
  return incoming;
}

/** A FROST protocol as numbered rounds of bundled messages (see bundle.ts). */
class FrostDriver<Out> implements ProtocolDriver<Out> {
  constructor(
    readonly protocol: string,
    private readonly self: PartyId,
    private readonly participants: readonly PartyId[],
    private readonly first: (rng: Rng) => Outgoing<FrostMessage>[],
    private readonly steps: readonly Step<Out>[],
    readonly confirm = true,
  ) {}

  get rounds(): number {
    return this.steps.length;
  }

  start(rng: Rng) {
    return bundleFor(this.self, this.participants, this.first(rng), encodeMessage);
  }

  step(round: number, inbox: ReadonlyMap<PartyId, Uint8Array>, rng: Rng): StepResult<Out> {
    const result = this.steps[round - 1]!(incomingFrom(this.protocol, round, inbox), rng);
    if ('output' in result) return result;
    return { outgoing: bundleFor(this.self, this.participants, result.outgoing, encodeMessage) };
  }

  broadcastPart(_round: number, payload: Uint8Array): Uint8Array | undefined {
    return broadcastItems(payload);
  }
}

export function frostKeygenDriver(p: { suite: SuiteName; sessionId: Uint8Array; self: PartyId; participants: readonly PartyId[]; threshold: number }): ProtocolDriver<FrostKeyShare> {
  let r1: ReturnType<typeof dkgRound1>['state'];
  let r2: ReturnType<typeof dkgRound2>['state'];
  return new FrostDriver<FrostKeyShare>(
    `${p.suite}-keygen`,
    p.self,
    p.participants,
    (rng) => {
      const r = dkgRound1({ suite: p.suite, sessionId: p.sessionId, partyIds: p.participants, threshold: p.threshold, me: p.self }, rng);
      r1 = r.state;
      return r.outgoing;
    },
    [
      (incoming, rng) => {
        const r = dkgRound2(r1, incoming as Incoming<never>[], rng);
        r2 = r.state;
        return { outgoing: r.outgoing };
      },
      (incoming) => ({ output: dkgRound3(r2, incoming as Incoming<never>[]).keyShare }),
    ],
  );
}

export function frostRefreshDriver(p: { sessionId: Uint8Array; self: PartyId; keyShare: FrostKeyShare }): ProtocolDriver<FrostKeyShare> {
  let r1: ReturnType<typeof refreshRound1>['state'];
  return new FrostDriver<FrostKeyShare>(
    `${p.keyShare.publicPackage.suite}-refresh`,
    p.self,
    p.keyShare.publicPackage.partyIds,
    (rng) => {
      const r = refreshRound1({ keyShare: p.keyShare, sessionId: p.sessionId }, rng);
      r1 = r.state;
      return r.outgoing;
    },
    [(incoming) => ({ output: refreshRound2(r1, incoming as Incoming<never>[]).keyShare })],
  );
}

/**
 * Signing with one nonce pair that the node has already consumed from its database (`takeNonce` over
 * its durable store, so it can never be used again, whatever happens to this session) or made fresh
 * for this session; the pair lives only in the taken nonce's store, in this driver's memory.
 */
export function frostSignDriver(p: { sessionId: Uint8Array; self: PartyId; signers: readonly PartyId[]; keyShare: FrostKeyShare; message: Uint8Array; nonce: TakenNonce }): ProtocolDriver<SignResult> {
  const store = p.nonce.store;
  let r1: ReturnType<typeof signRound1>['state'];
  let r2: ReturnType<typeof signRound2>['state'];
  return new FrostDriver<SignResult>(
    `${p.keyShare.publicPackage.suite}-sign`,
    p.self,
    p.signers,
    (rng) => {
      const r = signRound1({ keyShare: p.keyShare, sessionId: p.sessionId, signers: p.signers, message: p.message, commitment: p.nonce.commitment }, store, rng);
      r1 = r.state;
      return r.outgoing;
    },
    [
      (incoming) => {
        const r = signRound2(r1, incoming as Incoming<never>[], store);
        r2 = r.state;
        return { outgoing: r.outgoing };
      },
      (incoming) => ({ output: signRound3(r2, incoming as Incoming<never>[]).result }),
    ],
    // signRound3 verifies every share and the aggregate signature before it returns.
    false,
  );
}
