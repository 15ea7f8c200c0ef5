import type { DKG_Round1 } from '@noble/curves/abstract/frost.js';
import { InternalError, InvalidInputError, ProtocolAbortError, type PartyId } from '../../errors';
import type { Rng } from '../../rng';
import { intake, nobleRng } from '../common';
import { nobleId } from '../key-share';
import type { DkgRound1Message, DkgRound2Message, Incoming, Outgoing } from '../messages';
import { consumeState, type DkgRound1State, type DkgRound2State } from '../state';
import { getSuite, type FrostSuite } from '../suite';
import { verifySession } from './session-proof';

const ROUND = 'frost-dkg/round-2';

export function toNobleRound1(suite: FrostSuite, from: PartyId, m: DkgRound1Message): DKG_Round1 {
  return {
    identifier: nobleId(suite, from),
    commitment: m.commitment.map((c) => Uint8Array.from(c)),
    proofOfKnowledge: Uint8Array.from(m.proofOfKnowledge),
  };
}

/**
 * DKG round 2. Verifies every round-1 broadcast (suite, session id, commitment of length t with valid
 * points, our session-bound proof, noble's proof of knowledge), naming every party that fails, then
 * sends each other party its share f_i(j) (point to point; the transport encrypts it).
 */
export function dkgRound2(
  state: DkgRound1State,
  inbox: readonly Incoming<DkgRound1Message>[],
  rng: Rng,
): { state: DkgRound2State; outgoing: Outgoing<DkgRound2Message>[] } {
  if (typeof state !== 'object' || state === null || state.step !== 'dkg/after-round-1') throw new InvalidInputError('state', 'expected the state after DKG round 1');
  consumeState(state);
  try {
    return round2(state, inbox, rng);
  } catch (error) {
    // an aborted DKG is over: wipe the polynomial (best effort, BigInts cannot be zeroized)
    getSuite(state.suite).frost.DKG.clean(state.nobleSecret);
    throw error;
  }
}

function round2(
  state: DkgRound1State,
  inbox: readonly Incoming<DkgRound1Message>[],
  rng: Rng,
): { state: DkgRound2State; outgoing: Outgoing<DkgRound2Message>[] } {
  const suite = getSuite(state.suite);
  const others = state.partyIds.filter((p) => p !== state.me);
  const got = intake<DkgRound1Message>(ROUND, suite, state.sessionId, others, 'dkg/round-1', inbox, (m) => {
    if (!Array.isArray(m.commitment) || m.commitment.length !== state.threshold) {
      throw new InvalidInputError('commitment', `expected ${state.threshold} points`);
    }
    m.commitment.forEach((c, i) => suite.parsePoint(c, `commitment[${i}]`));
    if (!(m.proofOfKnowledge instanceof Uint8Array) || m.proofOfKnowledge.length !== suite.signatureLength) {
      throw new InvalidInputError('proofOfKnowledge', `expected ${suite.signatureLength} bytes`);
    }
    if (!(m.sessionProof instanceof Uint8Array) || m.sessionProof.length !== suite.pointLength + suite.scalarLength) {
      throw new InvalidInputError('sessionProof', `expected ${suite.pointLength + suite.scalarLength} bytes`);
    }
  });
  // Our session-bound proof first: it names a replayed or copied round-1 message.
  const badSession = others.filter((p) => {
    const m = got.get(p)!;
    try {
      return !verifySession(suite, state.sessionId, state.partyIds, p, state.threshold, m.commitment, m.sessionProof);
    } catch {
      return true;
    }
  });
  if (badSession.length > 0) throw new ProtocolAbortError(ROUND, badSession, 'session-proof', 'proof of knowledge not bound to this session, parties and commitment');
  const packages = others.map((p) => toNobleRound1(suite, p, got.get(p)!));
  let shares: Record<string, { signingShare: Uint8Array }>;
  try {
    shares = suite.frost.DKG.round2(state.nobleSecret, packages);
  } catch (error) {
    // Name the parties whose noble proof of knowledge fails on its own.
    const culprits = blameProofOfKnowledge(suite, state.threshold, others, packages, rng);
    if (culprits.length > 0) throw new ProtocolAbortError(ROUND, culprits, 'proof-of-knowledge');
    throw new InternalError(`noble DKG round 2 failed without a culprit: ${error instanceof Error ? error.message : 'unknown'}`);
  }
  const outgoing: Outgoing<DkgRound2Message>[] = others.map((p) => {
    const share = shares[nobleId(suite, p)];
    if (!share) throw new InternalError('noble DKG round 2 returned no share for a party');
    return { to: p, message: { kind: 'dkg/round-2', suite: suite.name, sessionId: state.sessionId, signingShare: Uint8Array.from(share.signingShare) } };
  });
  const round1 = [...state.partyIds].map((p) => ({ from: p, message: p === state.me ? state.ownRound1 : got.get(p)! }));
  const next: DkgRound2State = {
    step: 'dkg/after-round-2',
    suite: state.suite,
    sessionId: state.sessionId,
    partyIds: state.partyIds,
    me: state.me,
    threshold: state.threshold,
    nobleSecret: state.nobleSecret,
    round1,
  };
  return { state: next, outgoing };
}

/**
 * Names the parties whose noble proof of knowledge fails on its own. noble checks the proofs inside
 * `DKG.round2` over a whole set of n-1 packages, so each suspect package is probed in a throw-away DKG
 * of t+1 parties whose other t-1 packages are made (and so known good) by the probe itself. Only run
 * on the failure path.
 */
function blameProofOfKnowledge(suite: FrostSuite, t: number, others: readonly PartyId[], packages: readonly DKG_Round1[], rng: Rng): PartyId[] {
  const culprits: PartyId[] = [];
  others.forEach((p, i) => {
    // t ids other than the suspect's: one for the probe, t-1 for the known-good filler packages
    const freeIds: number[] = [];
    for (let id = 1; freeIds.length < t; id++) if (id !== p) freeIds.push(id);
    const [probeId, ...fillerIds] = freeIds;
    const probe = suite.frost.DKG.round1(nobleId(suite, probeId), { min: t, max: t + 1 }, undefined, nobleRng(rng));
    const fillers = fillerIds.map((id) => suite.frost.DKG.round1(nobleId(suite, id), { min: t, max: t + 1 }, undefined, nobleRng(rng)));
    try {
      suite.frost.DKG.round2(probe.secret, [packages[i], ...fillers.map((f) => f.public)]);
    } catch {
      culprits.push(p);
    } finally {
      suite.frost.DKG.clean(probe.secret);
      fillers.forEach((f) => suite.frost.DKG.clean(f.secret));
    }
  });
  return culprits;
}
