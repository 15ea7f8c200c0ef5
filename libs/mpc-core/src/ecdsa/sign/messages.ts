/**
 * The two messages of online signing (CGGMP21 Fig. 8 with the re-randomization of
 * sign/rerandomize.ts), both broadcast.
 */

/** Round 1: the opening of our commitment to ρ_i, and the digest of the commitments as we hold them. */
export interface SignRound1Message {
  readonly kind: 'sign/1';
  /** ρ_i, 32 bytes. */
  readonly rho: Uint8Array;
  /** `commitmentView` of the presignature's commitments (hex, 32 bytes): an echo of presign round 3's. */
  readonly view: string;
}

/** Round 2: σ_i = k_i·m' + r'·χ_i with r' = x(ρ·R) mod n and m' = m + r'·τ. */
export interface SignRound2Message {
  readonly kind: 'sign/2';
  readonly sigma: bigint;
}
