import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { PartyId } from '../../errors';
import { Transcript } from '../../transcript';
import type { KeygenDecommitment } from './messages';

/** V_i = H(sid, parties, i, A, B, rid, u), injective through the Transcript encoding (CGGMP21 Fig. 5 round 1). */
export function keygenCommitment(sessionId: Uint8Array, partyIds: readonly PartyId[], prover: PartyId, mode: string, d: KeygenDecommitment): string {
  const t = new Transcript('cggmp21/keygen-commitment')
    .appendContext({ sessionId, partyIds, prover })
    .appendBytes('mode', new TextEncoder().encode(mode))
    .appendNumber('A.length', d.A.length);
  d.A.forEach((a, k) => t.appendBytes(`A[${k}]`, hexToBytes(a)));
  t.appendBytes('B', hexToBytes(d.schnorrA)).appendBytes('rid', hexToBytes(d.rid)).appendBytes('u', hexToBytes(d.u));
  return bytesToHex(t.challengeBytes('V', 32));
}
