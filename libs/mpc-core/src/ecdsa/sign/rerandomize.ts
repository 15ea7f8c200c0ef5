import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { PartyId } from '../../errors';
import { Transcript } from '../../transcript';
import { CURVE_ORDER, type Point, pointBytes } from '../curve';

/**
 * Re-randomization of a presignature at signing time (issue 8, finding 5; Groth and Shoup, "On the
 * Security of ECDSA with Additive Key Derivation and Presignatures", ePrint 2021/1330).
 *
 * Each signer commits in presign round 3 to 32 random bytes ρ_i:
 *
 *     c_i = Transcript("custody/ecdsa/rerandomize-commit/v1")
 *             .bytes("presignature", id).u32("party", i).bytes("rho", ρ_i).challengeBytes("commitment", 32)
 *
 * The commitments are broadcast (echo-checked with the rest of round 3) and stored in every
 * signer's presignature. In the first online round, after the grant fixed the digest and tweak,
 * every signer reveals ρ_i; each opening is checked against c_i, and
 *
 *     ρ = Transcript("custody/ecdsa/rerandomize/v1")
 *           .bytes("presignature", id).bytes("R", R).u32s("signers", S)
 *           .bytes("rho[j]", ρ_j) for j in S ascending
 *           .bytes("digest", m).bigint("tweak", τ).bytes("public-key", X)
 *           .challengeBelow("rho", n)               (rejection sampled; 0 is re-drawn below)
 *
 * R' = ρ·R. Because c_j is fixed before any ρ_i is seen (and hides ρ_i), no coalition that misses one
 * honest signer can predict ρ when it picks the message and tweak, nor steer it; it can only refuse
 * to open, which aborts and burns the presignature (it is already consumed).
 */
export function rhoCommitment(presignatureId: string, party: PartyId, rho: Uint8Array): string {
  return bytesToHex(
    new Transcript('custody/ecdsa/rerandomize-commit/v1')
      .appendBytes('presignature', hexToBytes(presignatureId))
      .appendNumber('party', party)
      .appendBytes('rho', rho)
      .challengeBytes('commitment', 32),
  );
}

/** A digest of the commitment list as this signer holds it (sent with the reveal: an echo of round 3's commitments). */
export function commitmentView(presignatureId: string, signers: readonly PartyId[], commitments: ReadonlyMap<PartyId, string>): string {
  const t = new Transcript('custody/ecdsa/rerandomize-view/v1').appendBytes('presignature', hexToBytes(presignatureId)).appendPartyIds('signers', signers);
  for (const j of signers) t.appendBytes(`commitment[${j}]`, hexToBytes(commitments.get(j)!));
  return bytesToHex(t.challengeBytes('view', 32));
}

/** The multiplier ρ in [1, n) of the re-randomized nonce point R' = ρ·R. */
export function rerandomizer(p: {
  readonly presignatureId: string;
  readonly R: Point;
  readonly signers: readonly PartyId[];
  readonly rhos: ReadonlyMap<PartyId, Uint8Array>;
  readonly digest: Uint8Array;
  readonly tweak: bigint;
  readonly publicKey: Point;
}): bigint {
  const t = new Transcript('custody/ecdsa/rerandomize/v1')
    .appendBytes('presignature', hexToBytes(p.presignatureId))
    .appendBytes('R', pointBytes(p.R))
    .appendPartyIds('signers', p.signers);
  for (const j of p.signers) t.appendBytes(`rho[${j}]`, p.rhos.get(j)!);
  t.appendBytes('digest', p.digest).appendBigInt('tweak', p.tweak).appendBytes('public-key', pointBytes(p.publicKey));
  for (let counter = 0; ; counter++) {
    const rho = t.challengeBelow(`rho/${counter}`, CURVE_ORDER);
    if (rho !== 0n) return rho;
  }
}
