import { InvalidInputError } from '../../errors';
import { lagrangeCoefficient } from '../../math/lagrange';
import { encryptCrt } from '../../math/paillier';
import { type Rng, randomNonZeroBelow } from '../../rng';
import { proveEncRange } from '../../zk/pi-enc';
import { CURVE_ORDER, type Point, modq, mulPublic, pointToHex } from '../curve';
import { hedgedRng } from '../hedged-rng';
import type { KeyShare } from '../key-share';
import { type RoundResult, assertSessionId, normalizeParties, proofContext, subSessionId } from '../protocol';
import type { PresignRound1Message } from './messages';
import type { PresignParams, PresignRound1State } from './state';

export const PRESIGN_ROUND_1 = 'ecdsa-presign/round-1';

/** The proof context of presigning: the session bound to the key and the signing set. */
export function presignContext(sessionId: Uint8Array, label: string, signers: readonly number[], prover: number) {
  return proofContext(sessionId, `presign/${label}`, signers, prover);
}

function validateParams(params: PresignParams): { sessionId: Uint8Array; keyShare: KeyShare; signers: number[] } {
  if (typeof params !== 'object' || params === null) throw new InvalidInputError('params', 'must be an object');
  assertSessionId(params.sessionId, 'params.sessionId');
  const keyShare = params.keyShare;
  if (typeof keyShare !== 'object' || keyShare === null || keyShare.version !== 1) throw new InvalidInputError('params.keyShare', 'not a key share');
  const signers = normalizeParties(params.signers, 'params.signers', keyShare.self);
  if (signers.length < keyShare.threshold) {
    throw new InvalidInputError('params.signers', `need at least ${keyShare.threshold} signers, got ${signers.length}`);
  }
  for (const id of signers) if (!keyShare.parties.has(id)) throw new InvalidInputError('params.signers', `party ${id} does not hold a share of this key`);
  // Bind the session to the key and the signing set.
  const sessionId = subSessionId(params.sessionId, `ecdsa-presign:${pointToHex(keyShare.publicKey)}:${signers.join(',')}`);
  return { sessionId, keyShare, signers };
}

/**
 * Round 1: sample k_i, γ_i; K_i = enc_i(k_i; ρ_i), G_i = enc_i(γ_i; ν_i) (own key, CRT); send both
 * with Πenc for K_i made against each recipient's ring-Pedersen parameters.
 *
 * Every value is drawn from a hedged stream (`hedgedRng`: fresh bytes of `rng` hashed with x_i, the
 * Paillier factor p, the session id bound to key and signing set, the party and the signers), so a
 * repeated random stream alone does not repeat k_i or γ_i in another session.
 */
export function presignRound1(paramsIn: PresignParams, rngIn: Rng): RoundResult<PresignRound1State, PresignRound1Message> {
  const { sessionId, keyShare, signers } = validateParams(paramsIn);
  const self = keyShare.self;
  const rng = hedgedRng(rngIn, { secrets: [keyShare.share, keyShare.paillierSecret.p], sessionId, self, parties: signers, label: 'presign/round-1' });
  const W = new Map<number, Point>();
  for (const j of signers) W.set(j, mulPublic(keyShare.parties.get(j)!.X, lagrangeCoefficient(j, signers)));
  const w = modq(lagrangeCoefficient(self, signers) * keyShare.share);
  const k = randomNonZeroBelow(rng, CURVE_ORDER);
  const gamma = randomNonZeroBelow(rng, CURVE_ORDER);
  const sk = keyShare.paillierSecret;
  const encK = encryptCrt(sk, k, rng);
  const encG = encryptCrt(sk, gamma, rng);
  const ctx = presignContext(sessionId, 'pi-enc', signers, self);
  const outgoing = signers
    .filter((j) => j !== self)
    .map((to) => {
      const psiEnc = proveEncRange(
        ctx,
        { N0: sk.publicKey.N, K: encK.ciphertext, rp: keyShare.parties.get(to)!.ringPedersen },
        { k, rho: encK.nonce, proverSecretKey: sk },
        rng,
      );
      const message: PresignRound1Message = { kind: 'presign/1', K: encK.ciphertext, G: encG.ciphertext, psiEnc };
      return { to, message };
    });
  return {
    state: { kind: 'presign/state-1', sessionId, keyShare, signers, self, W, w, k, gamma, rho: encK.nonce, nu: encG.nonce, K: encK.ciphertext, G: encG.ciphertext },
    outgoing,
  };
}
