import { bytesToHex } from '@noble/hashes/utils.js';
import { InvalidInputError, type PartyId } from '../../errors';
import { decrypt } from '../../math/paillier';
import type { Rng } from '../../rng';
import { verifyAffG, type AffGProof } from '../../zk/pi-aff-g';
import { proveLogStar, verifyLogStar, type LogStarProof } from '../../zk/pi-log-star';
import { G, type Point, modq, mulSecret, pointFromHex, pointToHex } from '../curve';
import { hedgedRng } from '../hedged-rng';
import { type Inbox, type RoundResult, assertObject, check, checkInbox, parseFrom, subSessionId } from '../protocol';
import { rhoCommitment } from '../sign/rerandomize';
import type { ChiMtaEntry, DeltaMtaEntry, PresignRound2Message, PresignRound3Message } from './messages';
import { consumeRoundState } from './one-time';
import { presignContext } from './round-1';
import { receivedCiphertext } from './round-2';
import type { PresignRound2State, PresignRound3State } from './state';

export const PRESIGN_ROUND_3 = 'ecdsa-presign/round-3';

/** The presignature id, the same at every signer: derived from the (key- and signer-bound) presigning session id. */
export function presignatureIdOf(sessionId: Uint8Array): string {
  return bytesToHex(subSessionId(sessionId, 'presignature-id'));
}

export function parsePresignRound2Message(m: unknown, from: PartyId, signers: readonly PartyId[]): PresignRound2Message & { GammaPoint: Point } {
  assertObject(m, 'message');
  if (m.kind !== 'presign/2') throw new InvalidInputError('message.kind', "must be 'presign/2'");
  const GammaPoint = pointFromHex(m.Gamma, 'message.Gamma');
  for (const f of ['psiAff', 'psiAffHat', 'psiLog'] as const) assertObject(m[f], `message.${f}`);
  const list: unknown = m.deltaMta;
  const expected = signers.filter((j) => j !== from);
  if (!Array.isArray(list) || list.length !== expected.length) throw new InvalidInputError('message.deltaMta', `must list exactly ${expected.length} entries`);
  const deltaMta = (list as unknown[]).map((e, k) => {
    assertObject(e, `message.deltaMta[${k}]`);
    if (e.to !== expected[k]) throw new InvalidInputError(`message.deltaMta[${k}].to`, 'entries must be the other signers in ascending order');
    return { to: e.to as number, D: e.D as bigint, F: e.F as bigint };
  });
  const chiList: unknown = m.chiMta;
  if (!Array.isArray(chiList) || chiList.length !== expected.length) throw new InvalidInputError('message.chiMta', `must list exactly ${expected.length} entries`);
  const chiMta = (chiList as unknown[]).map((e, k) => {
    assertObject(e, `message.chiMta[${k}]`);
    if (e.to !== expected[k]) throw new InvalidInputError(`message.chiMta[${k}].to`, 'entries must be the other signers in ascending order');
    return { to: e.to as number, F: e.F as bigint };
  });
  return {
    kind: 'presign/2',
    Gamma: m.Gamma as string,
    GammaPoint,
    deltaMta,
    Dhat: m.Dhat as bigint,
    chiMta,
    psiAff: m.psiAff,
    psiAffHat: m.psiAffHat,
    psiLog: m.psiLog,
  };
}

/**
 * Round 3: check every D, D̂ (under our key), F, F̂ (under the sender's), both Πaff-g (`pi-aff-g`)
 * and Πlog* for Γ_j (`pi-log-star`); then Γ = Σ Γ_j, Δ_i = k_i·Γ, δ_i = k_i γ_i + Σ (α + β),
 * χ_i = k_i w_i + Σ (α̂ + β̂), S_i = χ_i·Γ, and Πlog* that K_i encrypts log_Γ Δ_i (its nonces from
 * a hedged stream bound to x_i, the session and the values received, `hedgedRng`). Also samples
 * ρ_i (32 bytes, from the same hedged stream) and broadcasts its commitment (sign/rerandomize.ts).
 * Consumes `state`.
 */
export function presignRound3(state: PresignRound2State, inbox: Inbox<PresignRound2Message>, rngIn: Rng): RoundResult<PresignRound3State, PresignRound3Message> {
  if (state?.kind !== 'presign/state-2') throw new InvalidInputError('state', 'not a presign round-2 state');
  consumeRoundState(PRESIGN_ROUND_3, state, state.K);
  const { keyShare, signers, self, sessionId } = state;
  const others = signers.filter((j) => j !== self);
  checkInbox(PRESIGN_ROUND_3, inbox, others);
  const sk = keyShare.paillierSecret;
  const myPk = sk.publicKey;
  const myRp = keyShare.parties.get(self)!.ringPedersen;
  let Gamma: Point = state.Gamma_i;
  const Gammas = new Map<PartyId, Point>([[self, state.Gamma_i]]);
  const deltaMtaAll = new Map<PartyId, readonly DeltaMtaEntry[]>([[self, state.deltaMta]]);
  const chiMtaAll = new Map<PartyId, readonly ChiMtaEntry[]>([[self, state.chiMta]]);
  let delta = modq(state.k * state.gamma);
  let chi = modq(state.k * state.w);
  const received: bigint[] = [];
  for (const from of others) {
    const m = parseFrom(PRESIGN_ROUND_3, from, () => parsePresignRound2Message(inbox.get(from), from, signers));
    const pkj = keyShare.parties.get(from)!.paillier;
    // Every entry of the broadcast δ-MtA list must be a valid ciphertext (D under its recipient's key, F under the sender's).
    for (const e of m.deltaMta) {
      receivedCiphertext(PRESIGN_ROUND_3, from, keyShare.parties.get(e.to)!.paillier, e.D, `deltaMta[${e.to}].D`);
      receivedCiphertext(PRESIGN_ROUND_3, from, pkj, e.F, `deltaMta[${e.to}].F`);
    }
    // Every broadcast F̂ is under the sender's key; ours is the entry addressed to us.
    for (const e of m.chiMta) receivedCiphertext(PRESIGN_ROUND_3, from, pkj, e.F, `chiMta[${e.to}].F`);
    const mine = m.deltaMta.find((e) => e.to === self)!;
    const D = mine.D;
    const Dhat = receivedCiphertext(PRESIGN_ROUND_3, from, myPk, m.Dhat, 'Dhat');
    const F = mine.F;
    const Fhat = m.chiMta.find((e) => e.to === self)!.F;
    const okAff = verifyAffG(
      presignContext(sessionId, 'pi-aff-g/delta', signers, from),
      { N0: myPk.N, C: state.K, N1: pkj.N, D, Y: F, X: m.GammaPoint, rp: myRp },
      m.psiAff as AffGProof,
      sk,
    );
    check(PRESIGN_ROUND_3, from, 'pi-aff-g', okAff, 'MtA of k·γ');
    const okAffHat = verifyAffG(
      presignContext(sessionId, 'pi-aff-g/chi', signers, from),
      { N0: myPk.N, C: state.K, N1: pkj.N, D: Dhat, Y: Fhat, X: state.W.get(from)!, rp: myRp },
      m.psiAffHat as AffGProof,
      sk,
    );
    check(PRESIGN_ROUND_3, from, 'pi-aff-g', okAffHat, 'MtA of k·x');
    const okLog = verifyLogStar(
      presignContext(sessionId, 'pi-log-star/gamma', signers, from),
      { N0: pkj.N, C: state.peerG.get(from)!, X: m.GammaPoint, B: G, rp: myRp },
      m.psiLog as LogStarProof,
      sk,
    );
    check(PRESIGN_ROUND_3, from, 'pi-log-star', okLog, 'G_j encrypts log Γ_j');
    received.push(BigInt('0x' + pointToHex(m.GammaPoint)), D, Dhat);
    Gamma = Gamma.add(m.GammaPoint);
    Gammas.set(from, m.GammaPoint);
    deltaMtaAll.set(from, m.deltaMta);
    chiMtaAll.set(from, m.chiMta);
    delta = modq(delta + decrypt(sk, D) + state.beta.get(from)!);
    chi = modq(chi + decrypt(sk, Dhat) + state.betaHat.get(from)!);
  }
  if (Gamma.is0()) throw new InvalidInputError('Gamma', 'is the identity (restart presigning with a new session)');
  const Delta_i = mulSecret(Gamma, state.k);
  if (chi === 0n) throw new InvalidInputError('chi', 'is zero (restart presigning with a new session)');
  const S_i = mulSecret(Gamma, chi);
  const rng = hedgedRng(rngIn, { secrets: [keyShare.share, sk.p], sessionId, self, parties: signers, label: 'presign/round-3', inputs: received });
  const presignatureId = presignatureIdOf(sessionId);
  const rho = rng(32);
  const commitment = rhoCommitment(presignatureId, self, rho);
  const ctx = presignContext(sessionId, 'pi-log-star/delta', signers, self);
  const outgoing = others.map((to) => {
    const psiLog = proveLogStar(
      ctx,
      { N0: myPk.N, C: state.K, X: Delta_i, B: Gamma, rp: keyShare.parties.get(to)!.ringPedersen },
      { x: state.k, rho: state.rho, proverSecretKey: sk },
      rng,
    );
    const message: PresignRound3Message = { kind: 'presign/3', delta, Delta: pointToHex(Delta_i), S: pointToHex(S_i), rhoCommitment: commitment, psiLog };
    return { to, message };
  });
  return {
    state: {
      kind: 'presign/state-3',
      sessionId,
      keyShare,
      signers,
      self,
      peerK: state.peerK,
      k: state.k,
      chi,
      delta,
      Gamma,
      Delta_i,
      S_i,
      presignatureId,
      rho,
      rhoCommitment: commitment,
      blame: { K: state.K, G: state.G, rho: state.rho, gamma: state.gamma, nu: state.nu, peerG: state.peerG, Gammas, deltaMta: deltaMtaAll, mtaSecrets: state.mtaSecrets, chiMtaSecrets: state.chiMtaSecrets, chiMta: chiMtaAll },
    },
    outgoing,
  };
}
