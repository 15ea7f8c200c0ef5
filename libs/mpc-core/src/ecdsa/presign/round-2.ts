import { InvalidInputError, ProtocolAbortError, type PartyId } from '../../errors';
import { type PaillierPublicKey, addCiphertexts, assertValidCiphertext, encryptWithNonce, encryptWithNonceCrt, mulCiphertext } from '../../math/paillier';
import { randomCoprime } from '../../math/modarith';
import { type Rng, randomSymmetric } from '../../rng';
import { proveAffG } from '../../zk/pi-aff-g';
import { verifyEncRange, type EncProof } from '../../zk/pi-enc';
import { proveLogStar } from '../../zk/pi-log-star';
import { ELL_PRIME } from '../../zk/params';
import { G, mulSecretG, pointToHex } from '../curve';
import { hedgedRng } from '../hedged-rng';
import { type Inbox, type RoundResult, assertObject, check, checkInbox, parseFrom } from '../protocol';
import type { ChiMtaEntry, DeltaMtaEntry, PresignRound1Message, PresignRound2Message } from './messages';
import { consumeRoundState } from './one-time';
import { presignContext } from './round-1';
import type { PresignRound1State, PresignRound2State } from './state';

export const PRESIGN_ROUND_2 = 'ecdsa-presign/round-2';

/** A ciphertext from `from` under `pk`: out of range or not coprime to N aborts naming `from` (check `invalid-ciphertext`). */
export function receivedCiphertext(round: string, from: PartyId, pk: PaillierPublicKey, c: unknown, name: string): bigint {
  try {
    assertValidCiphertext(pk, c as bigint, name);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new ProtocolAbortError(round, [from], 'invalid-ciphertext', name);
    throw error;
  }
  return c as bigint;
}

export function parsePresignRound1Message(m: unknown): PresignRound1Message {
  assertObject(m, 'message');
  if (m.kind !== 'presign/1') throw new InvalidInputError('message.kind', "must be 'presign/1'");
  assertObject(m.psiEnc, 'message.psiEnc');
  return { kind: 'presign/1', K: m.K as bigint, G: m.G as bigint, psiEnc: m.psiEnc };
}

/**
 * Round 2: check every K_j, G_j (range, gcd with N_j) and Πenc (`pi-enc`); then Γ_i = γ_i·G and,
 * per peer j, the two MtA responses with Πaff-g (for γ_i against Γ_i and for w_i against W_i) and
 * Πlog* linking G_i to Γ_i. Convention (zk/pi-aff-g.ts): D = C^x · enc_N0(y; ρ), Y = enc_N1(y; ρ_y);
 * the initiator's share is dec(D) = k_j·x + y, ours is −y. The masks, nonces and proof nonces come
 * from a hedged stream bound to x_i, the session and every K_j, G_j received (`hedgedRng`).
 * Consumes `state` (a second call with it, or with a copy, throws before anything is computed).
 */
export function presignRound2(state: PresignRound1State, inbox: Inbox<PresignRound1Message>, rngIn: Rng): RoundResult<PresignRound2State, PresignRound2Message> {
  if (state?.kind !== 'presign/state-1') throw new InvalidInputError('state', 'not a presign round-1 state');
  consumeRoundState(PRESIGN_ROUND_2, state, state.K);
  const { keyShare, signers, self, sessionId } = state;
  const others = signers.filter((j) => j !== self);
  checkInbox(PRESIGN_ROUND_2, inbox, others);
  const sk = keyShare.paillierSecret;
  const myRp = keyShare.parties.get(self)!.ringPedersen;
  const peerK = new Map<PartyId, bigint>();
  const peerG = new Map<PartyId, bigint>();
  for (const from of others) {
    const m = parseFrom(PRESIGN_ROUND_2, from, () => parsePresignRound1Message(inbox.get(from)));
    const pk = keyShare.parties.get(from)!.paillier;
    const K = receivedCiphertext(PRESIGN_ROUND_2, from, pk, m.K, 'K');
    const Gc = receivedCiphertext(PRESIGN_ROUND_2, from, pk, m.G, 'G');
    const ok = verifyEncRange(presignContext(sessionId, 'pi-enc', signers, from), { N0: pk.N, K, rp: myRp }, m.psiEnc as EncProof, sk);
    check(PRESIGN_ROUND_2, from, 'pi-enc', ok);
    peerK.set(from, K);
    peerG.set(from, Gc);
  }
  const rng = hedgedRng(rngIn, {
    secrets: [keyShare.share, sk.p],
    sessionId,
    self,
    parties: signers,
    label: 'presign/round-2',
    inputs: others.flatMap((j) => [peerK.get(j)!, peerG.get(j)!]),
  });
  const Gamma_i = mulSecretG(state.gamma);
  const W_i = state.W.get(self)!;
  const beta = new Map<PartyId, bigint>();
  const betaHat = new Map<PartyId, bigint>();
  const bound = 1n << BigInt(ELL_PRIME);
  const ctxAff = presignContext(sessionId, 'pi-aff-g/delta', signers, self);
  const ctxAffHat = presignContext(sessionId, 'pi-aff-g/chi', signers, self);
  const ctxLog = presignContext(sessionId, 'pi-log-star/gamma', signers, self);
  const mta = (to: PartyId, x: bigint) => {
    const pkj = keyShare.parties.get(to)!.paillier;
    const y = randomSymmetric(rng, bound);
    const s = randomCoprime(rng, pkj.N);
    const r = randomCoprime(rng, sk.publicKey.N);
    const D = addCiphertexts(pkj, mulCiphertext(pkj, peerK.get(to)!, x), encryptWithNonce(pkj, y, s));
    const F = encryptWithNonceCrt(sk, y, r);
    return { y, s, r, D, F };
  };
  const deltaSide = new Map(others.map((to) => [to, mta(to, state.gamma)] as const));
  const deltaMta: DeltaMtaEntry[] = others.map((to) => ({ to, D: deltaSide.get(to)!.D, F: deltaSide.get(to)!.F }));
  const chiSide = new Map(others.map((to) => [to, mta(to, state.w)] as const));
  const chiMta: ChiMtaEntry[] = others.map((to) => ({ to, F: chiSide.get(to)!.F }));
  const chiMtaSecrets = new Map(others.map((to) => [to, { y: chiSide.get(to)!.y, r: chiSide.get(to)!.r }] as const));
  const mtaSecrets = new Map<PartyId, { y: bigint; s: bigint; r: bigint }>();
  const outgoing = others.map((to) => {
    const peer = keyShare.parties.get(to)!;
    const pkj = peer.paillier;
    const Kj = peerK.get(to)!;
    const a = deltaSide.get(to)!;
    const b = chiSide.get(to)!;
    mtaSecrets.set(to, { y: a.y, s: a.s, r: a.r });
    beta.set(to, -a.y);
    betaHat.set(to, -b.y);
    const psiAff = proveAffG(
      ctxAff,
      { N0: pkj.N, C: Kj, N1: sk.publicKey.N, D: a.D, Y: a.F, X: Gamma_i, rp: peer.ringPedersen },
      { x: state.gamma, y: a.y, rho: a.s, rhoY: a.r, proverSecretKey: sk },
      rng,
    );
    const psiAffHat = proveAffG(
      ctxAffHat,
      { N0: pkj.N, C: Kj, N1: sk.publicKey.N, D: b.D, Y: b.F, X: W_i, rp: peer.ringPedersen },
      { x: state.w, y: b.y, rho: b.s, rhoY: b.r, proverSecretKey: sk },
      rng,
    );
    const psiLog = proveLogStar(ctxLog, { N0: sk.publicKey.N, C: state.G, X: Gamma_i, B: G, rp: peer.ringPedersen }, { x: state.gamma, rho: state.nu, proverSecretKey: sk }, rng);
    const message: PresignRound2Message = { kind: 'presign/2', Gamma: pointToHex(Gamma_i), deltaMta, Dhat: b.D, chiMta, psiAff, psiAffHat, psiLog };
    return { to, message };
  });
  return { state: { ...state, kind: 'presign/state-2', peerK, peerG, Gamma_i, beta, betaHat, mtaSecrets, deltaMta, chiMtaSecrets, chiMta }, outgoing };
}
