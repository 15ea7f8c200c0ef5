import { InvalidInputError, ProtocolAbortError, type PartyId, type Rng } from '@custody/mpc-core';
import { auxInfoRound1 } from '@custody/mpc-core/ecdsa/aux-info/round-1';
import { auxInfoRound2 } from '@custody/mpc-core/ecdsa/aux-info/round-2';
import { auxInfoOutput } from '@custody/mpc-core/ecdsa/aux-info/output';
import { assembleKeyShare, type KeyShare } from '@custody/mpc-core/ecdsa/key-share';
import { keygenRound1 } from '@custody/mpc-core/ecdsa/keygen/round-1';
import { keygenRound2 } from '@custody/mpc-core/ecdsa/keygen/round-2';
import { keygenRound3 } from '@custody/mpc-core/ecdsa/keygen/round-3';
import { keygenOutput } from '@custody/mpc-core/ecdsa/keygen/round-4';
import type { KeygenOutput } from '@custody/mpc-core/ecdsa/keygen/state';
import { presignRound1 } from '@custody/mpc-core/ecdsa/presign/round-1';
import { presignRound2 } from '@custody/mpc-core/ecdsa/presign/round-2';
import { presignRound3 } from '@custody/mpc-core/ecdsa/presign/round-3';
import { presignOutput } from '@custody/mpc-core/ecdsa/presign/output';
import { presignBlameOutput, presignBlameRound, presignChiBlameOutput, presignChiBlameRound } from '@custody/mpc-core/ecdsa/presign/blame';
import type { Presignature } from '@custody/mpc-core/ecdsa/presign/state';
import { decodeWire, encodeWire, type Inbox, type Outgoing, type RoundResult } from '@custody/mpc-core/ecdsa/protocol';
import { applyRefresh, refreshRound1 } from '@custody/mpc-core/ecdsa/refresh/refresh';
import { signRound1 } from '@custody/mpc-core/ecdsa/sign/round-1';
import { signOutput, signRound2 } from '@custody/mpc-core/ecdsa/sign/round-2';
import type { EcdsaSignature } from '@custody/mpc-core/ecdsa/signature';
import type { ProtocolDriver, StepResult } from '../sessions/protocol-driver';

/**
 * The fields of each ECDSA message that its sender broadcasts (the same for every recipient), for
 * the echo check; the rest (shares, proofs made against the recipient's parameters) is per recipient.
 */
const BROADCAST_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'keygen/1': ['commitment'],
  'keygen/2': ['decommitment'],
  'keygen/3': ['proof'],
  'aux-info/1': ['N', 's', 't', 'psiMod', 'psiPrm'],
  'aux-info/2': [],
  'presign/1': ['K', 'G'],
  'presign/2': ['Gamma', 'deltaMta'],
  'presign/3': ['delta', 'Delta', 'S', 'rhoCommitment'],
  'sign/1': ['rho', 'view'],
  'sign/2': ['sigma'],
  'presign/blame': ['k', 'rho', 'gamma', 'nu', 'mta'],
};

type Step<Out> = (inbox: Inbox<unknown>, rng: Rng) => { outgoing: readonly Outgoing<unknown>[] } | { output: Out };

const encode = (m: unknown): Uint8Array => new TextEncoder().encode(encodeWire(m));

/** An ECDSA protocol (libs/mpc-core/src/ecdsa) as numbered rounds of per-recipient messages. */
class EcdsaDriver<Out> implements ProtocolDriver<Out> {
  constructor(
    readonly protocol: string,
    private readonly first: (rng: Rng) => readonly Outgoing<unknown>[],
    private readonly steps: readonly Step<Out>[],
    readonly confirm = true,
  ) {}

  get rounds(): number {
    return this.steps.length;
  }

  start(rng: Rng) {
    return this.first(rng).map((o) => ({ to: o.to, payload: encode(o.message) }));
  }

  step(round: number, inbox: ReadonlyMap<PartyId, Uint8Array>, rng: Rng): StepResult<Out> {
    const decoded = new Map<PartyId, unknown>();
    for (const [from, payload] of inbox) {
      try {
        decoded.set(from, decodeWire(new TextDecoder('utf-8', { fatal: true }).decode(payload)));
      } catch (error) {
        const field = error instanceof InvalidInputError ? error.argument : 'encoding';
        throw new ProtocolAbortError(`${this.protocol}/round-${round}`, [from], 'malformed-message', field);
      }
    }
    const result = this.steps[round - 1]!(decoded, rng);
    if ('output' in result) return result;
    return { outgoing: result.outgoing.map((o) => ({ to: o.to, payload: encode(o.message) })) };
  }

  broadcastPart(_round: number, payload: Uint8Array): Uint8Array | undefined {
    try {
      const message = decodeWire(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as Record<string, unknown>;
      const fields = BROADCAST_FIELDS[String(message.kind)];
      if (!fields || fields.length === 0) return undefined;
      return encode(Object.fromEntries(fields.map((f) => [f, message[f] ?? null])));
    } catch {
      return undefined; // the round rejects it, naming the sender
    }
  }
}

function chain<S, M>(set: (s: S) => void, r: RoundResult<S, M>): { outgoing: readonly Outgoing<unknown>[] } {
  set(r.state);
  return { outgoing: r.outgoing };
}

/** Key generation then auxiliary information (Paillier and ring-Pedersen with Πmod, Πprm, Πfac). */
export function ecdsaKeygenDriver(p: { sessionId: Uint8Array; self: PartyId; participants: readonly PartyId[]; threshold: number; paillierBits: number; paillierMaxBits: number; primes: readonly [bigint, bigint] }): ProtocolDriver<KeyShare> {
  let k1: Parameters<typeof keygenRound2>[0];
  let k2: Parameters<typeof keygenRound3>[0];
  let k3: Parameters<typeof keygenOutput>[0];
  let keygen: KeygenOutput;
  let a1: Parameters<typeof auxInfoRound2>[0];
  let a2: Parameters<typeof auxInfoOutput>[0];
  return new EcdsaDriver<KeyShare>(
    'ecdsa-keygen',
    (rng) => chain((s) => (k1 = s), keygenRound1({ sessionId: p.sessionId, self: p.self, partyIds: p.participants, threshold: p.threshold, mode: 'keygen' }, rng)).outgoing,
    [
      (inbox, rng) => chain((s) => (k2 = s), keygenRound2(k1, inbox as Inbox<never>, rng)),
      (inbox, rng) => chain((s) => (k3 = s), keygenRound3(k2, inbox as Inbox<never>, rng)),
      (inbox, rng) => {
        keygen = keygenOutput(k3, inbox as Inbox<never>);
        return chain((s) => (a1 = s), auxInfoRound1({ sessionId: p.sessionId, self: p.self, partyIds: p.participants, paillierBits: p.paillierBits, maxPaillierBits: p.paillierMaxBits, primes: p.primes }, rng));
      },
      (inbox, rng) => chain((s) => (a2 = s), auxInfoRound2(a1, inbox as Inbox<never>, rng)),
      (inbox) => ({ output: assembleKeyShare(keygen, auxInfoOutput(a2, inbox as Inbox<never>)) }),
    ],
  );
}

/** Refresh: a sharing of zero added to every share (same public key); Paillier keys are kept. */
export function ecdsaRefreshDriver(p: { sessionId: Uint8Array; keyShare: KeyShare }): ProtocolDriver<KeyShare> {
  let k1: Parameters<typeof keygenRound2>[0];
  let k2: Parameters<typeof keygenRound3>[0];
  let k3: Parameters<typeof keygenOutput>[0];
  return new EcdsaDriver<KeyShare>(
    'ecdsa-refresh',
    (rng) => chain((s) => (k1 = s), refreshRound1({ sessionId: p.sessionId, keyShare: p.keyShare }, rng)).outgoing,
    [
      (inbox, rng) => chain((s) => (k2 = s), keygenRound2(k1, inbox as Inbox<never>, rng)),
      (inbox, rng) => chain((s) => (k3 = s), keygenRound3(k2, inbox as Inbox<never>, rng)),
      (inbox) => ({ output: applyRefresh(p.keyShare, keygenOutput(k3, inbox as Inbox<never>)) }),
    ],
  );
}

/**
 * Presigning's three rounds, then `then` with the presignature. When δ does not check out (every
 * party sees the same broadcast values, so all of them do this together), a blame round follows
 * instead: each party opens its δ-side values and the one with a wrong δ_j or a false opening is
 * named. When δ checks but ΣS_j ≠ δ·X, the χ blame round follows: each party opens k_j, γ_j and
 * proves the images of its χ-MtA masks, and the one with a wrong S_j is named. `blamed()` tells the
 * next step whether it is in a blame round.
 */
function presignSteps<Out>(p: { sessionId: Uint8Array; keyShare: KeyShare; signers: readonly PartyId[] }, then: (presignature: Presignature) => { outgoing: readonly Outgoing<unknown>[] } | { output: Out }) {
  let s1: Parameters<typeof presignRound2>[0];
  let s2: Parameters<typeof presignRound3>[0];
  let s3: Parameters<typeof presignOutput>[0];
  let blame: Parameters<typeof presignBlameOutput>[0] | undefined;
  let chiBlame: Parameters<typeof presignChiBlameOutput>[0] | undefined;
  return {
    first: (rng: Rng) => chain((s) => (s1 = s), presignRound1({ sessionId: p.sessionId, keyShare: p.keyShare, signers: p.signers }, rng)).outgoing,
    steps: [
      (inbox: Inbox<unknown>, rng: Rng) => chain((s) => (s2 = s), presignRound2(s1, inbox as Inbox<never>, rng)),
      (inbox: Inbox<unknown>, rng: Rng) => chain((s) => (s3 = s), presignRound3(s2, inbox as Inbox<never>, rng)),
      (inbox: Inbox<unknown>, rng: Rng) => {
        try {
          return then(presignOutput(s3, inbox as Inbox<never>));
        } catch (error) {
          if (error instanceof ProtocolAbortError && error.check === 'delta-consistency') return chain((s) => (blame = s), presignBlameRound(s3, inbox as Inbox<never>));
          if (error instanceof ProtocolAbortError && error.check === 'chi-consistency') return chain((s) => (chiBlame = s), presignChiBlameRound(s3, inbox as Inbox<never>, rng));
          throw error;
        }
      },
    ] as Step<Out>[],
    /** Round 4 after a δ or χ mismatch: the blame names the culprit (the blame outputs always throw). */
    blameStep: (inbox: Inbox<unknown>): never => (chiBlame ? presignChiBlameOutput(chiBlame, inbox as Inbox<never>) : presignBlameOutput(blame!, inbox as Inbox<never>)),
    blamed: (): boolean => blame !== undefined || chiBlame !== undefined,
  };
}

/** Presigning (CGGMP21, three rounds): one presignature for this signer set, independent of any message. */
export function ecdsaPresignDriver(p: { sessionId: Uint8Array; keyShare: KeyShare; signers: readonly PartyId[] }): ProtocolDriver<Presignature> {
  const { first, steps, blameStep } = presignSteps<Presignature>(p, (presignature) => ({ output: presignature }));
  return new EcdsaDriver<Presignature>('ecdsa-presign', first, [...steps, blameStep]);
}

/**
 * The online phase (two rounds: reveal ρ_i, then σ_i) with a presignature the node already consumed
 * from its database. No confirmation round: ρ_j is checked against the commitment every signer
 * echo-confirmed when presigning (and each reveal carries the digest of the sender's commitments),
 * and signOutput verifies the combined signature under the (child) public key before it returns.
 */
export function ecdsaSignDriver(p: { presignature: Presignature; keyShare: KeyShare; digest: Uint8Array; tweak?: bigint }): ProtocolDriver<EcdsaSignature> {
  let s1: Parameters<typeof signRound2>[0];
  let s2: Parameters<typeof signOutput>[0];
  return new EcdsaDriver<EcdsaSignature>(
    'ecdsa-sign',
    () => chain((s) => (s1 = s), signRound1({ presignature: p.presignature, keyShare: p.keyShare, digest: p.digest, tweak: p.tweak })).outgoing,
    [(inbox) => chain((s) => (s2 = s), signRound2(s1, inbox as Inbox<never>)), (inbox) => ({ output: signOutput(s2, inbox as Inbox<never>) })],
    false,
  );
}

/**
 * Presigning and signing in one session (no presignature was ready): three presigning rounds, then
 * the reveal and σ rounds (five; four when presigning ends in the blame round). Without the
 * confirmation round a presign broadcast is not echo-checked here; an inconsistent ρ commitment is
 * caught by the reveal's commitment digest (`rho-view`) before any σ is sent.
 */
export function ecdsaPresignAndSignDriver(p: { sessionId: Uint8Array; keyShare: KeyShare; signers: readonly PartyId[]; digest: Uint8Array; tweak?: bigint }): ProtocolDriver<EcdsaSignature> {
  let s1: Parameters<typeof signRound2>[0];
  let s2: Parameters<typeof signOutput>[0];
  const { first, steps, blameStep, blamed } = presignSteps<EcdsaSignature>(p, (presignature) =>
    chain((s) => (s1 = s), signRound1({ presignature, keyShare: p.keyShare, digest: p.digest, tweak: p.tweak })),
  );
  return new EcdsaDriver<EcdsaSignature>(
    'ecdsa-sign',
    first,
    [
      ...steps,
      (inbox) => (blamed() ? blameStep(inbox) : chain((s) => (s2 = s), signRound2(s1, inbox as Inbox<never>))),
      (inbox) => ({ output: signOutput(s2, inbox as Inbox<never>) }),
    ],
    false,
  );
}
