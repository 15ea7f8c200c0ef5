import { bytesToHex } from '@noble/hashes/utils.js';
import { InvalidInputError } from '../../errors';
import { Transcript } from '../../transcript';
import { pointBytes } from '../curve';
import type { KeyShare } from '../key-share';

const cache = new WeakMap<KeyShare, string>();

/**
 * The fingerprint of a key share's generation (issue 8, finding 4): a hash of everything public that
 * a refresh changes or that presigning used, i.e. the public key, t, the party ids and, per party,
 * X_j, the Paillier N_j and the ring-Pedersen (N̂_j, s_j, t_j). Every holder of one generation of a
 * key computes the same value; a refresh (new X_j, optionally new Paillier keys) gives another.
 * A presignature stores the fingerprint of the generation it was made with, and signing refuses it
 * with any other key share. 32 bytes, lowercase hex.
 */
export function keyGenerationFingerprint(keyShare: KeyShare): string {
  if (typeof keyShare !== 'object' || keyShare === null || keyShare.version !== 1) throw new InvalidInputError('keyShare', 'not a key share');
  const parties: unknown = keyShare.parties;
  if (!(parties instanceof Map)) throw new InvalidInputError('keyShare.parties', 'must be a Map');
  const hit = cache.get(keyShare);
  if (hit) return hit;
  const t = new Transcript('custody/ecdsa/key-generation/v1')
    .appendBytes('public-key', pointBytes(keyShare.publicKey))
    .appendNumber('threshold', keyShare.threshold)
    .appendPartyIds('party-ids', keyShare.partyIds);
  for (const id of keyShare.partyIds) {
    const p = keyShare.parties.get(id);
    if (!p) throw new InvalidInputError('keyShare.parties', `no public data for party ${id}`);
    t.appendBytes(`X[${id}]`, pointBytes(p.X))
      .appendBigInt(`N[${id}]`, p.paillier.N)
      .appendBigInts(`ring-pedersen[${id}]`, [p.ringPedersen.N, p.ringPedersen.s, p.ringPedersen.t]);
  }
  const fingerprint = bytesToHex(t.challengeBytes('fingerprint', 32));
  cache.set(keyShare, fingerprint);
  return fingerprint;
}
