import type { Point } from '../curve';
import type { KeyShare } from '../key-share';
import type { Presignature } from '../presign/state';

export interface SignParams {
  /** A presignature from presignOutput, a PresignaturePool or takePresignature: it signs once. */
  readonly presignature: Presignature;
  /** The key share of the current generation: a presignature made with another generation is refused. */
  readonly keyShare: KeyShare;
  /** The 32-byte message digest. */
  readonly digest: Uint8Array;
  /** Optional public BIP32 tweak (derive/bip32 `derivePublicPath(...).tweak`): signs for X + tweak·G. */
  readonly tweak?: bigint;
}

/** After round 1 (ρ_i revealed). SECRET: holds the presignature. */
export interface SignRound1State {
  readonly kind: 'sign/state-1';
  readonly presignature: Presignature;
  readonly digest: Uint8Array;
  readonly tweak: bigint;
  /** The key the signature must verify under: X + τ·G. */
  readonly publicKey: Point;
}

/** After round 2 (σ_i sent). */
export interface SignRound2State {
  readonly kind: 'sign/state-2';
  readonly presignature: Presignature;
  readonly digest: Uint8Array;
  readonly tweak: bigint;
  readonly publicKey: Point;
  /** The re-randomizer ρ and R' = ρ·R, r' = x(R') mod n, m' = m + r'·τ. */
  readonly rho: bigint;
  readonly Rp: Point;
  readonly r: bigint;
  readonly m: bigint;
  readonly sigma: bigint;
}
