import { InternalError, InvalidInputError, ProtocolAbortError, type PartyId } from '../../errors';
import { addCiphertexts, encryptWithNonce, mulCiphertext } from '../../math/paillier';
import type { Rng } from '../../rng';
import { ELL_PRIME, EPSILON } from '../../zk/params';
import { proveLogStar, verifyLogStar, type LogStarProof } from '../../zk/pi-log-star';
import { G, type Point, assertScalar, modq, mulPublic, mulSecret, pointFromHex, pointToHex } from '../curve';
import { hedgedRng } from '../hedged-rng';
import { type Inbox, type RoundResult, assertObject, checkInbox, parseFrom } from '../protocol';
import type { PresignBlameMessage, PresignChiBlameMessage, PresignRound3Message } from './messages';
import { consumeRoundState, takeBlame } from './one-time';
import { parsePresignRound3Message } from './output';
import { presignContext } from './round-1';
import type { PresignRound3State } from './state';

export const PRESIGN_BLAME = 'ecdsa-presign/blame';
export const PRESIGN_BLAME_OUTPUT = 'ecdsa-presign/blame-output';
export const PRESIGN_CHI_BLAME = 'ecdsa-presign/chi-blame';
export const PRESIGN_CHI_BLAME_OUTPUT = 'ecdsa-presign/chi-blame-output';

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

// ---- χ blame --------------------------------------------------------------------------------------

/**
 * Identification when δ checks but ΣS_j ≠ δ·X although every proof verified (the case CGGMP21,
 * ePrint 2021/060, handles in the presigning output with Πmul* and Πdec over H_i = enc(k_i·x_i)). We
 * prove the same fact differently, because the presignature is dead once the check failed:
 *
 * Write y_{i→j} for the χ-MtA mask of i in D̂_{j,i} = w_i ⊙ K_j ⊕ enc_j(y_{i→j}), F̂_{j,i} =
 * enc_i(y_{i→j}) (broadcast in round 2, bound to D̂ by Πaff-g). Then for every honest i
 *   χ_i = k_i·w_i + Σ_j (k_i·w_j + y_{j→i} − y_{i→j}) = k_i·x + Σ_{j≠i} (y_{j→i} − y_{i→j})  (mod q),
 * so S_i = χ_i·Γ = (k_i·γ)·X + Σ_{j≠i} (Y_{j→i} − Y_{i→j}) with Y_{a→b} = y_{a→b}·Γ and x·Γ = γ·X.
 * Every signer opens k_i, γ_i (checked against K_i, G_i, Γ_i, as in the δ blame) and publishes each
 * Y_{i→j} with Πlog* (range ℓ') that F̂_{j,i} encrypts log_Γ Y_{i→j}; everyone recomputes every
 * S_i and names whoever claimed another (`chi-share`). A failed opening is `blame-reveal`, a
 * failed Πlog* `pi-log-star`; both name the sender.
 *
 * Soundness: Πaff-g (verified by j in round 3) gives dec_j(D̂_{j,i}) = k_j·w_i + y' with F̂_{j,i}
 * encrypting the same integer y' (|y'| ≤ 2^(ℓ'+ε)); Πlog* gives F̂_{j,i} encrypting y'' with
 * Y = y''·Γ and |y''| < 2^(ℓ'+ε+1) < N_i/2, hence y'' = y' and the formula holds for the values the
 * honest j actually used. With every Y proven and δ = k·γ (δ check), Σ_i of the recomputed S_i is
 * k·γ·X = δ·X, so a failing sum always has a culprit, and an honest signer's S_i always matches.
 *
 * Secrecy: x_i, w_i and the masks y are never revealed; only k_i, γ_i of the dead presignature and
 * the points Y (which j can already compute as dec(D̂)·Γ − k_j·γ·W_i). Refused unless our own
 * view has δ consistent and the χ sum failing, so a usable presignature is never opened.
 */
export interface PresignChiBlameState {
  readonly kind: 'presign/state-chi-blame';
  readonly round3: PresignRound3State;
  /** S_j as each signer claimed it in round 3 (ours included). */
  readonly claimedS: ReadonlyMap<PartyId, Point>;
  /** Our Y_{self→j}. */
  readonly ownY: ReadonlyMap<PartyId, Point>;
}

export function presignChiBlameRound(state: PresignRound3State, round3Inbox: Inbox<PresignRound3Message>, rngIn: Rng): RoundResult<PresignChiBlameState, PresignChiBlameMessage> {
  if (state?.kind !== 'presign/state-3') throw new InvalidInputError('state', 'not a presign round-3 state');
  const { signers, self, keyShare, sessionId } = state;
  const others = signers.filter((j) => j !== self);
  checkInbox(PRESIGN_CHI_BLAME, round3Inbox, others);
  const claimedS = new Map<PartyId, Point>([[self, state.S_i]]);
  let delta = state.delta;
  let DeltaSum = state.Delta_i;
  for (const from of others) {
    const m = parseFrom(PRESIGN_CHI_BLAME, from, () => parsePresignRound3Message(round3Inbox.get(from)));
    claimedS.set(from, m.SPoint);
    delta = modq(delta + m.delta);
    DeltaSum = DeltaSum.add(m.DeltaPoint);
  }
  if (delta === 0n || !mulPublic(G, delta).equals(DeltaSum)) {
    throw new InvalidInputError('state', 'δ does not check in our view: run the δ blame round instead');
  }
  const SSum = [...claimedS.values()].reduce((a, b) => a.add(b));
  if (mulPublic(keyShare.publicKey, delta).equals(SSum)) {
    throw new InvalidInputError('state', 'ΣS_j = δ·X in our view: opening the secrets of a usable presignature is refused');
  }
  takeBlame(state.blame.K);
  const b = state.blame;
  const sk = keyShare.paillierSecret;
  const rng = hedgedRng(rngIn, { secrets: [keyShare.share, sk.p], sessionId, self, parties: signers, label: 'presign/chi-blame', inputs: [...claimedS.values()].map((P) => BigInt('0x' + pointToHex(P))) });
  const ownY = new Map(others.map((j) => [j, mulSecret(state.Gamma, modq(b.chiMtaSecrets.get(j)!.y))] as const));
  const ownF = new Map(b.chiMta.get(self)!.map((e) => [e.to, e.F] as const));
  const ctx = presignContext(sessionId, 'pi-log-star/chi-blame', signers, self);
  const outgoing = others.map((to) => {
    const rp = keyShare.parties.get(to)!.ringPedersen;
    const masks = others.map((j) => {
      const secret = b.chiMtaSecrets.get(j)!;
      const psiLog = proveLogStar(ctx, { N0: sk.publicKey.N, C: ownF.get(j)!, X: ownY.get(j)!, B: state.Gamma, rp, ell: ELL_PRIME }, { x: secret.y, rho: secret.r, proverSecretKey: sk }, rng);
      return { to: j, Y: pointToHex(ownY.get(j)!), psiLog };
    });
    const message: PresignChiBlameMessage = { kind: 'presign/chi-blame', k: state.k, rho: b.rho, gamma: b.gamma, nu: b.nu, masks };
    return { to, message };
  });
  return { state: { kind: 'presign/state-chi-blame', round3: state, claimedS, ownY }, outgoing };
}

function parseChiReveal(m: unknown, from: PartyId, signers: readonly PartyId[]): PresignChiBlameMessage & { YPoints: ReadonlyMap<PartyId, Point> } {
  assertObject(m, 'message');
  if (m.kind !== 'presign/chi-blame') throw new InvalidInputError('message.kind', "must be 'presign/chi-blame'");
  assertScalar(m.k, 'message.k', true);
  assertScalar(m.gamma, 'message.gamma', true);
  if (typeof m.rho !== 'bigint' || typeof m.nu !== 'bigint') throw new InvalidInputError('message.rho', 'nonces must be bigints');
  const expected = signers.filter((j) => j !== from);
  const list: unknown = m.masks;
  if (!Array.isArray(list) || list.length !== expected.length) throw new InvalidInputError('message.masks', 'one entry per other signer');
  const YPoints = new Map<PartyId, Point>();
  const masks = (list as unknown[]).map((e, i) => {
    assertObject(e, `message.masks[${i}]`);
    if (e.to !== expected[i]) throw new InvalidInputError(`message.masks[${i}].to`, 'must be the other signers in ascending order');
    assertObject(e.psiLog, `message.masks[${i}].psiLog`);
    YPoints.set(e.to, pointFromHex(e.Y, `message.masks[${i}].Y`));
    return { to: e.to, Y: e.Y as string, psiLog: e.psiLog };
  });
  return { kind: 'presign/chi-blame', k: m.k, rho: m.rho, gamma: m.gamma, nu: m.nu, masks, YPoints };
}

/** Checks every opening and every Πlog*, recomputes every S_j, and throws a ProtocolAbortError naming the culprits. */
export function presignChiBlameOutput(state: PresignChiBlameState, inbox: Inbox<PresignChiBlameMessage>): never {
  if (state?.kind !== 'presign/state-chi-blame') throw new InvalidInputError('state', 'not a presign χ blame state');
  consumeRoundState(PRESIGN_CHI_BLAME_OUTPUT, state, state.round3.blame.K);
  const s3 = state.round3;
  const { signers, self, keyShare, sessionId } = s3;
  const b = s3.blame;
  const others = signers.filter((j) => j !== self);
  checkInbox(PRESIGN_CHI_BLAME_OUTPUT, inbox, others);
  const pk = (j: PartyId) => keyShare.parties.get(j)!.paillier;
  const myRp = keyShare.parties.get(self)!.ringPedersen;
  const k = new Map<PartyId, bigint>([[self, s3.k]]);
  const gammas = new Map<PartyId, bigint>([[self, b.gamma]]);
  const Y = new Map<PartyId, ReadonlyMap<PartyId, Point>>([[self, state.ownY]]);
  const badReveal: PartyId[] = [];
  const badProof: PartyId[] = [];
  for (const from of others) {
    const m = parseFrom(PRESIGN_CHI_BLAME_OUTPUT, from, () => parseChiReveal(inbox.get(from), from, signers));
    let opened: boolean;
    try {
      opened =
        encryptWithNonce(pk(from), m.k, m.rho) === s3.peerK.get(from) &&
        encryptWithNonce(pk(from), m.gamma, m.nu) === b.peerG.get(from) &&
        mulPublic(G, m.gamma).equals(b.Gammas.get(from)!);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      opened = false;
    }
    if (!opened) {
      badReveal.push(from);
      continue;
    }
    const ctx = presignContext(sessionId, 'pi-log-star/chi-blame', signers, from);
    const F = new Map(b.chiMta.get(from)!.map((e) => [e.to, e.F] as const));
    const proofsOk = m.masks.every((e) =>
      verifyLogStar(ctx, { N0: pk(from).N, C: F.get(e.to)!, X: m.YPoints.get(e.to)!, B: s3.Gamma, rp: myRp, ell: ELL_PRIME }, e.psiLog as LogStarProof, keyShare.paillierSecret),
    );
    if (!proofsOk) {
      badProof.push(from);
      continue;
    }
    k.set(from, m.k);
    gammas.set(from, m.gamma);
    Y.set(from, m.YPoints);
  }
  if (badReveal.length > 0) throw new ProtocolAbortError(PRESIGN_CHI_BLAME_OUTPUT, badReveal, 'blame-reveal', 'opening does not match the ciphertexts sent in presigning');
  if (badProof.length > 0) throw new ProtocolAbortError(PRESIGN_CHI_BLAME_OUTPUT, badProof, 'pi-log-star', 'Y_{i→j} is not the image of the mask that F̂ encrypts');
  const gamma = [...gammas.values()].reduce((a, g) => modq(a + g), 0n);
  const culprits: PartyId[] = [];
  for (const i of signers) {
    let expected = mulPublic(keyShare.publicKey, modq(k.get(i)! * gamma));
    for (const j of signers) {
      if (j === i) continue;
      expected = expected.add(Y.get(j)!.get(i)!).subtract(Y.get(i)!.get(j)!);
    }
    if (!expected.equals(state.claimedS.get(i)!)) culprits.push(i);
  }
  if (culprits.length > 0) throw new ProtocolAbortError(PRESIGN_CHI_BLAME_OUTPUT, culprits, 'chi-share', 'S_j differs from the value recomputed from the opened k_j, γ and the proven MtA masks');
  throw new InternalError('presign χ blame: every opening and every S_j checks, yet ΣS_j ≠ δ·X');
}
