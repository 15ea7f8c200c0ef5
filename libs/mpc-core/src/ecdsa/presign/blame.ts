import { InternalError, InvalidInputError, ProtocolAbortError, type PartyId } from '../../errors';
import { addCiphertexts, encryptWithNonce, mulCiphertext } from '../../math/paillier';
import { ELL_PRIME, EPSILON } from '../../zk/params';
import { G, type Point, assertScalar, modq, mulPublic } from '../curve';
import { type Inbox, type RoundResult, assertObject, checkInbox, parseFrom } from '../protocol';
import type { PresignBlameMessage, PresignRound3Message } from './messages';
import { consumeRoundState, takeBlame } from './one-time';
import { parsePresignRound3Message } from './output';
import type { PresignRound3State } from './state';

export const PRESIGN_BLAME = 'ecdsa-presign/blame';
export const PRESIGN_BLAME_OUTPUT = 'ecdsa-presign/blame-output';

/**
 * Identification when δ·G ≠ ΣΔ_j although every proof verified (GG20 §4.3 / CGGMP21 §4.2 "if the
 * check fails": the δ side of presigning does not involve the key share, so once the presignature is
 * abandoned its secrets can be opened). Every signer reveals k_i, γ_i, the nonces of K_i and G_i and
 * the openings (y, s, r) of the δ-MtA ciphertexts it broadcast in round 2; everyone then checks each
 * opening against the public ciphertexts (`blame-reveal`), recomputes every δ_j and Δ_j and names
 * whoever claimed a different one (`delta-share`). Honest parties see the same broadcast values (echo
 * broadcast), so they all name the same culprits, and never an honest party.
 *
 * The key-share side (χ, S_j) is never revealed: a `chi-consistency` failure keeps its suspects list.
 */
export interface PresignBlameState {
  readonly kind: 'presign/state-blame';
  readonly round3: PresignRound3State;
  /** δ_j and Δ_j as each signer claimed them in round 3 (ours included). */
  readonly claimedDelta: ReadonlyMap<PartyId, bigint>;
  readonly claimedDeltaPoint: ReadonlyMap<PartyId, Point>;
}

/**
 * Blame round: refuses (InvalidInputError) unless `presignOutput` aborted on `delta-consistency`
 * for this state and this party's own view of round 3 fails the δ check, so that secrets of a
 * usable presignature are never revealed; runs once per state.
 */
export function presignBlameRound(state: PresignRound3State, round3Inbox: Inbox<PresignRound3Message>): RoundResult<PresignBlameState, PresignBlameMessage> {
  if (state?.kind !== 'presign/state-3') throw new InvalidInputError('state', 'not a presign round-3 state');
  takeBlame(state.blame.K);
  const { signers, self } = state;
  const others = signers.filter((j) => j !== self);
  checkInbox(PRESIGN_BLAME, round3Inbox, others);
  const claimedDelta = new Map<PartyId, bigint>([[self, state.delta]]);
  const claimedDeltaPoint = new Map<PartyId, Point>([[self, state.Delta_i]]);
  for (const from of others) {
    const m = parseFrom(PRESIGN_BLAME, from, () => parsePresignRound3Message(round3Inbox.get(from)));
    claimedDelta.set(from, m.delta);
    claimedDeltaPoint.set(from, m.DeltaPoint);
  }
  const delta = [...claimedDelta.values()].reduce((a, b) => modq(a + b), 0n);
  const sum = [...claimedDeltaPoint.values()].reduce((a, b) => a.add(b));
  if (delta !== 0n && mulPublic(G, delta).equals(sum)) {
    throw new InvalidInputError('state', 'δ is consistent in our view: revealing the δ-side secrets of a usable presignature is refused');
  }
  const b = state.blame;
  const message: PresignBlameMessage = {
    kind: 'presign/blame',
    k: state.k,
    rho: b.rho,
    gamma: b.gamma,
    nu: b.nu,
    mta: others.map((to) => ({ to, ...b.mtaSecrets.get(to)! })),
  };
  return { state: { kind: 'presign/state-blame', round3: state, claimedDelta, claimedDeltaPoint }, outgoing: others.map((to) => ({ to, message })) };
}

interface Revealed {
  readonly k: bigint;
  readonly gamma: bigint;
  /** y used in D_{to,from}, keyed by `to`. */
  readonly y: ReadonlyMap<PartyId, bigint>;
}

function parseReveal(m: unknown, from: PartyId, others: readonly PartyId[]): PresignBlameMessage {
  assertObject(m, 'message');
  if (m.kind !== 'presign/blame') throw new InvalidInputError('message.kind', "must be 'presign/blame'");
  assertScalar(m.k, 'message.k', true);
  assertScalar(m.gamma, 'message.gamma', true);
  if (typeof m.rho !== 'bigint' || typeof m.nu !== 'bigint') throw new InvalidInputError('message.rho', 'nonces must be bigints');
  const list: unknown = m.mta;
  const expected = others.filter((j) => j !== from);
  if (!Array.isArray(list) || list.length !== expected.length) throw new InvalidInputError('message.mta', 'one opening per other signer');
  const yBound = 1n << BigInt(ELL_PRIME + EPSILON);
  const mta = (list as unknown[]).map((e, i) => {
    assertObject(e, `message.mta[${i}]`);
    if (e.to !== expected[i]) throw new InvalidInputError(`message.mta[${i}].to`, 'must be the other signers in ascending order');
    if (typeof e.y !== 'bigint' || e.y > yBound || e.y < -yBound) throw new InvalidInputError(`message.mta[${i}].y`, 'out of range');
    if (typeof e.s !== 'bigint' || typeof e.r !== 'bigint') throw new InvalidInputError(`message.mta[${i}]`, 'nonces must be bigints');
    return { to: e.to as number, y: e.y, s: e.s, r: e.r };
  });
  return { kind: 'presign/blame', k: m.k, rho: m.rho, gamma: m.gamma, nu: m.nu, mta };
}

/** Checks every opening, recomputes δ_j and Δ_j, and throws a ProtocolAbortError naming the culprits. */
export function presignBlameOutput(state: PresignBlameState, inbox: Inbox<PresignBlameMessage>): never {
  if (state?.kind !== 'presign/state-blame') throw new InvalidInputError('state', 'not a presign blame state');
  consumeRoundState(PRESIGN_BLAME_OUTPUT, state, state.round3.blame.K);
  const s3 = state.round3;
  const { signers, self, keyShare } = s3;
  const b = s3.blame;
  const others = signers.filter((j) => j !== self);
  checkInbox(PRESIGN_BLAME_OUTPUT, inbox, others);
  const K = (j: PartyId): bigint => (j === self ? b.K : s3.peerK.get(j)!);
  const pk = (j: PartyId) => keyShare.parties.get(j)!.paillier;
  const revealed = new Map<PartyId, Revealed>([[self, { k: s3.k, gamma: b.gamma, y: new Map([...b.mtaSecrets].map(([to, v]) => [to, v.y])) }]]);
  const badReveal: PartyId[] = [];
  for (const from of others) {
    const m = parseFrom(PRESIGN_BLAME_OUTPUT, from, () => parseReveal(inbox.get(from), from, signers));
    let ok: boolean;
    try {
      ok =
        encryptWithNonce(pk(from), m.k, m.rho) === K(from) &&
        encryptWithNonce(pk(from), m.gamma, m.nu) === b.peerG.get(from) &&
        mulPublic(G, m.gamma).equals(b.Gammas.get(from)!) &&
        m.mta.every((e) => {
          const entry = b.deltaMta.get(from)!.find((d) => d.to === e.to)!;
          const D = addCiphertexts(pk(e.to), mulCiphertext(pk(e.to), K(e.to), m.gamma), encryptWithNonce(pk(e.to), e.y, e.s));
          return D === entry.D && encryptWithNonce(pk(from), e.y, e.r) === entry.F;
        });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      ok = false;
    }
    if (!ok) badReveal.push(from);
    else revealed.set(from, { k: m.k, gamma: m.gamma, y: new Map(m.mta.map((e) => [e.to, e.y])) });
  }
  if (badReveal.length > 0) throw new ProtocolAbortError(PRESIGN_BLAME_OUTPUT, badReveal, 'blame-reveal', 'opening does not match the ciphertexts sent in presigning');
  const Gamma = s3.Gamma;
  const culprits: PartyId[] = [];
  for (const i of signers) {
    const ri = revealed.get(i)!;
    let expected = ri.k * ri.gamma;
    for (const l of signers) {
      if (l === i) continue;
      const rl = revealed.get(l)!;
      expected += ri.k * rl.gamma + rl.y.get(i)! - ri.y.get(l)!;
    }
    const okDelta = modq(expected) === state.claimedDelta.get(i);
    const okPoint = mulPublic(Gamma, ri.k).equals(state.claimedDeltaPoint.get(i)!);
    if (!okDelta || !okPoint) culprits.push(i);
  }
  if (culprits.length > 0) throw new ProtocolAbortError(PRESIGN_BLAME_OUTPUT, culprits, 'delta-share', 'δ_j or Δ_j differs from the value recomputed from the opened MtA');
  throw new InternalError('presign blame: every opening and every δ_j checks, yet δ did not match');
}
