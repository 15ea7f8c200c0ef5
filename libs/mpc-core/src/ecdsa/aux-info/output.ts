import { InvalidInputError, type PartyId } from '../../errors';
import { verifyNoSmallFactor, type FacProof } from '../../zk/pi-fac';
import { type Inbox, assertObject, check, checkInbox, parseFrom } from '../protocol';
import type { AuxInfoRound2Message } from './messages';
import { auxContext } from './round-1';
import type { AuxInfoOutput, AuxInfoRound2State, PartyAuxInfo } from './state';

export const AUX_OUTPUT = 'ecdsa-aux-info/output';

export function parseAuxInfoRound2Message(m: unknown): AuxInfoRound2Message {
  assertObject(m, 'message');
  if (m.kind !== 'aux-info/2') throw new InvalidInputError('message.kind', "must be 'aux-info/2'");
  assertObject(m.psiFac, 'message.psiFac');
  return { kind: 'aux-info/2', psiFac: m.psiFac };
}

/** Output: verify every Πfac against OUR ring-Pedersen parameters (`pi-fac`); only then are the peers' keys kept. */
export function auxInfoOutput(state: AuxInfoRound2State, inbox: Inbox<AuxInfoRound2Message>): AuxInfoOutput {
  if (state?.kind !== 'aux-info/state-2') throw new InvalidInputError('state', 'not an aux-info round-2 state');
  const { sessionId, partyIds, self } = state;
  const others = partyIds.filter((j) => j !== self);
  checkInbox(AUX_OUTPUT, inbox, others);
  for (const from of others) {
    const m = parseFrom(AUX_OUTPUT, from, () => parseAuxInfoRound2Message(inbox.get(from)));
    const ok = verifyNoSmallFactor(auxContext(sessionId, 'pi-fac', partyIds, from), { N0: state.verified.get(from)!.paillier.N, rp: state.ringPedersen }, m.psiFac as FacProof, state.paillierSecret);
    check(AUX_OUTPUT, from, 'pi-fac', ok);
  }
  const parties = new Map<PartyId, PartyAuxInfo>(state.verified);
  parties.set(self, { paillier: state.paillierSecret.publicKey, ringPedersen: state.ringPedersen });
  return { sessionId, self, partyIds, paillierBits: state.paillierBits, maxPaillierBits: state.maxPaillierBits, paillierSecret: state.paillierSecret, parties };
}
