import { InvalidInputError, type PartyId } from '../../errors';
import { bitLength } from '../../math/modarith';
import type { Rng } from '../../rng';
import { modq } from '../curve';
import type { AuxInfoOutput } from '../aux-info/state';
import { type KeyShare, type PartyPublicInfo, makeKeyShare } from '../key-share';
import type { KeygenRound1Message } from '../keygen/messages';
import { keygenRound1 } from '../keygen/round-1';
import type { KeygenOutput, KeygenRound1State } from '../keygen/state';
import type { RoundResult } from '../protocol';

/**
 * Proactive key refresh (CGGMP21 Fig. 6, the key-refresh half; Herzberg et al. 1995): every party
 * Feldman-shares 0 (a_0 = 0, commitments to a_1..a_{t−1} only, so the zero constant is enforced by
 * construction), with the same commit-then-reveal, share checks and Πsch (of a_1) as key
 * generation; rounds 2..4 are keygen's (`keygenRound2`, `keygenRound3`, `keygenOutput`), which
 * switch on `mode: 'refresh'`. New x_i = x_i + Σ_j f_j(i); X_j moves by the public images of the
 * zero shares; X stays. Optionally the Paillier keys are replaced by a fresh aux-info run (new
 * primes, with Πmod, Πprm and Πfac). Old shares combined with new ones interpolate to garbage.
 */
export function refreshRound1(params: { readonly sessionId: Uint8Array; readonly keyShare: KeyShare }, rng: Rng): RoundResult<KeygenRound1State, KeygenRound1Message> {
  const ks = params?.keyShare;
  if (typeof ks !== 'object' || ks === null || ks.version !== 1) throw new InvalidInputError('params.keyShare', 'not a key share');
  return keygenRound1({ sessionId: params.sessionId, self: ks.self, partyIds: ks.partyIds, threshold: ks.threshold, mode: 'refresh' }, rng);
}

/** The refreshed key share (a new object; the old one is not changed and must be deleted by the vault). */
export function applyRefresh(keyShare: KeyShare, zeroSharing: KeygenOutput, newAux?: AuxInfoOutput): KeyShare {
  if (zeroSharing.mode !== 'refresh') throw new InvalidInputError('zeroSharing', 'must be the output of a refresh run');
  if (zeroSharing.self !== keyShare.self || zeroSharing.threshold !== keyShare.threshold || zeroSharing.partyIds.join(',') !== keyShare.partyIds.join(',')) {
    throw new InvalidInputError('zeroSharing', 'parties or threshold differ from the key share');
  }
  if (newAux && (newAux.self !== keyShare.self || newAux.partyIds.join(',') !== keyShare.partyIds.join(','))) {
    throw new InvalidInputError('newAux', 'parties differ from the key share');
  }
  const parties = new Map<PartyId, PartyPublicInfo>();
  for (const id of keyShare.partyIds) {
    const old = keyShare.parties.get(id)!;
    const aux = newAux ? newAux.parties.get(id)! : old;
    parties.set(id, { X: old.X.add(zeroSharing.publicShares.get(id)!), paillier: aux.paillier, ringPedersen: aux.ringPedersen });
  }
  const share = modq(keyShare.share + zeroSharing.share);
  if (share === 0n) throw new InvalidInputError('zeroSharing', 'refreshed share is zero (run the refresh again)');
  return makeKeyShare({
    self: keyShare.self,
    threshold: keyShare.threshold,
    partyIds: keyShare.partyIds,
    share,
    publicKey: keyShare.publicKey,
    chainCode: keyShare.chainCode,
    paillierBits: newAux ? newAux.paillierBits : keyShare.paillierBits,
    // Without new aux info the moduli are the ones already checked: keep the largest of them as the bound.
    maxPaillierBits: newAux ? newAux.maxPaillierBits : Math.max(keyShare.paillierBits, ...keyShare.partyIds.map((id) => bitLength(keyShare.parties.get(id)!.paillier.N))),
    paillierSecret: newAux ? newAux.paillierSecret : keyShare.paillierSecret,
    parties,
  });
}
