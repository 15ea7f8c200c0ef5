import { InvalidInputError } from '../../errors';
import type { Rng } from '../../rng';
import { G, type Point, assertScalar, mulPublic } from '../curve';
import { keyGenerationFingerprint } from '../presign/generation';
import { assertUsable, consumePresignature } from '../presign/one-time';
import type { RoundResult } from '../protocol';
import { assertDigest } from '../signature';
import type { SignRound1Message } from './messages';
import { commitmentView } from './rerandomize';
import type { SignParams, SignRound1State } from './state';

export const SIGN_ROUND_1 = 'ecdsa-sign/round-1';

/**
 * Online round 1, once the digest and tweak are fixed: consumes the presignature and reveals our
 * ρ_i (committed to in presign round 3) with the digest of the commitments we hold. Refuses, before
 * anything is computed or consumed: a presignature that is not a live handle (already signed,
 * serialized or pooled, or a copy), one made with another key generation than `keyShare`'s
 * (e.g. before a refresh), one of another party, a digest that is not 32 bytes, a tweak out of range.
 */
export function signRound1(params: SignParams, _rng?: Rng): RoundResult<SignRound1State, SignRound1Message> {
  if (typeof params !== 'object' || params === null) throw new InvalidInputError('params', 'must be an object');
  const p = params.presignature;
  assertUsable(p, 'params.presignature');
  const fingerprint = keyGenerationFingerprint(params.keyShare);
  if (fingerprint !== p.keyGeneration) {
    throw new InvalidInputError('params.presignature', `presignature ${p.id} was made with another generation of the key (refreshed since?); it is refused`);
  }
  if (params.keyShare.self !== p.self) throw new InvalidInputError('params.keyShare', `is party ${params.keyShare.self}'s, the presignature party ${p.self}'s`);
  assertDigest(params.digest, 'params.digest');
  const tweak = params.tweak ?? 0n;
  assertScalar(tweak, 'params.tweak');
  consumePresignature(p, 'sign', 'params.presignature');
  const publicKey: Point = tweak === 0n ? p.publicKey : p.publicKey.add(mulPublic(G, tweak));
  if (publicKey.is0()) throw new InvalidInputError('params.tweak', 'gives the identity as the child key');
  const message: SignRound1Message = { kind: 'sign/1', rho: Uint8Array.from(p.rho), view: commitmentView(p.id, p.signers, p.rhoCommitments) };
  return {
    state: { kind: 'sign/state-1', presignature: p, digest: Uint8Array.from(params.digest), tweak, publicKey },
    outgoing: p.signers.filter((j) => j !== p.self).map((to) => ({ to, message })),
  };
}
