import type { Presignature } from '../presign/state';

export interface SignParams {
  /** Consumed from a PresignaturePool: a presignature signs once. */
  readonly presignature: Presignature;
  /** The 32-byte message digest. */
  readonly digest: Uint8Array;
  /** Optional public BIP32 tweak (derive/bip32 `derivePublicPath(...).tweak`): signs for X + tweak·G. */
  readonly tweak?: bigint;
}

export interface SignRound1State {
  readonly kind: 'sign/state-1';
  readonly presignature: Presignature;
  readonly digest: Uint8Array;
  readonly tweak: bigint;
  readonly sigma: bigint;
}
