import { InvalidInputError, ProtocolAbortError, type PartyId } from '../../errors';
import { paillierPublicKey } from '../../math/paillier';
import { assertValidRingPedersenParams } from '../../math/ring-pedersen';
import type { Rng } from '../../rng';
import { proveNoSmallFactor } from '../../zk/pi-fac';
import { verifyModulus, type ModProof } from '../../zk/pi-mod';
import { verifyRingPedersenParams, type PrmProof } from '../../zk/pi-prm';
import { hedgedRng } from '../hedged-rng';
import { type Inbox, type RoundResult, assertObject, check, checkInbox, parseFrom } from '../protocol';
import type { AuxInfoRound1Message, AuxInfoRound2Message } from './messages';
import { auxContext } from './round-1';
import type { AuxInfoRound1State, AuxInfoRound2State, PartyAuxInfo } from './state';

export const AUX_ROUND_2 = 'ecdsa-aux-info/round-2';

export function parseAuxInfoRound1Message(m: unknown): AuxInfoRound1Message {
  assertObject(m, 'message');
  if (m.kind !== 'aux-info/1') throw new InvalidInputError('message.kind', "must be 'aux-info/1'");
  for (const f of ['N', 's', 't'] as const) if (typeof m[f] !== 'bigint') throw new InvalidInputError(`message.${f}`, 'must be a bigint');
  assertObject(m.psiMod, 'message.psiMod');
  assertObject(m.psiPrm, 'message.psiPrm');
  return { kind: 'aux-info/1', N: m.N as bigint, s: m.s as bigint, t: m.t as bigint, psiMod: m.psiMod, psiPrm: m.psiPrm };
}

/**
 * Round 2: for every peer, size-check N_j first (`paillier-modulus`: at most maxPaillierBits, so an
 * oversized modulus is refused before any proof is looked at, and at least paillierBits), check the
 * ring-Pedersen parameters (`ring-pedersen-params`), verify Πmod (`pi-mod`) and Πprm (`pi-prm`)
 * BEFORE keeping anything; refuse a modulus used twice (`duplicate-modulus`). Then prove Πfac for
 * our N to each peer, against that peer's ring-Pedersen parameters (nonces from a hedged stream bound
 * to p, q, the session and every peer's N, s, t).
 */
export function auxInfoRound2(state: AuxInfoRound1State, inbox: Inbox<AuxInfoRound1Message>, rngIn: Rng): RoundResult<AuxInfoRound2State, AuxInfoRound2Message> {
  if (state?.kind !== 'aux-info/state-1') throw new InvalidInputError('state', 'not an aux-info round-1 state');
  const { sessionId, partyIds, self } = state;
  const others = partyIds.filter((j) => j !== self);
  checkInbox(AUX_ROUND_2, inbox, others);
  const verified = new Map<PartyId, PartyAuxInfo>();
  const seen = new Map<bigint, PartyId>([[state.paillierSecret.publicKey.N, self]]);
  for (const from of others) {
    const m = parseFrom(AUX_ROUND_2, from, () => parseAuxInfoRound1Message(inbox.get(from)));
    let paillier;
    try {
      paillier = paillierPublicKey(m.N, state.paillierBits, state.maxPaillierBits);
    } catch (error) {
      if (error instanceof InvalidInputError) throw new ProtocolAbortError(AUX_ROUND_2, [from], 'paillier-modulus', error.message);
      throw error;
    }
    const ringPedersen = { N: m.N, s: m.s, t: m.t };
    try {
      assertValidRingPedersenParams(ringPedersen, state.paillierBits, state.maxPaillierBits, 'ringPedersen');
    } catch (error) {
      if (error instanceof InvalidInputError) throw new ProtocolAbortError(AUX_ROUND_2, [from], 'ring-pedersen-params', error.message);
      throw error;
    }
    const other = seen.get(m.N);
    if (other !== undefined) throw new ProtocolAbortError(AUX_ROUND_2, [from], 'duplicate-modulus', `same N as party ${other}`);
    check(AUX_ROUND_2, from, 'pi-mod', verifyModulus(auxContext(sessionId, 'pi-mod', partyIds, from), { N: m.N }, m.psiMod as ModProof));
    check(AUX_ROUND_2, from, 'pi-prm', verifyRingPedersenParams(auxContext(sessionId, 'pi-prm', partyIds, from), ringPedersen, m.psiPrm as PrmProof));
    seen.set(m.N, from);
    verified.set(from, { paillier, ringPedersen });
  }
  const { p, q } = state.paillierSecret;
  const inputs = others.flatMap((j) => {
    const rp = verified.get(j)!.ringPedersen;
    return [rp.N, rp.s, rp.t];
  });
  const rng = hedgedRng(rngIn, { secrets: [p, q], sessionId, self, parties: partyIds, label: 'aux-info/round-2', inputs });
  const ctx = auxContext(sessionId, 'pi-fac', partyIds, self);
  return {
    state: { ...state, kind: 'aux-info/state-2', verified },
    outgoing: others.map((to) => ({
      to,
      message: { kind: 'aux-info/2', psiFac: proveNoSmallFactor(ctx, { N0: state.paillierSecret.publicKey.N, rp: verified.get(to)!.ringPedersen }, { p, q }, rng) },
    })),
  };
}
