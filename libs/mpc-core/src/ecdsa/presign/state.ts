import type { PartyId } from '../../errors';
import type { Point } from '../curve';
import type { KeyShare } from '../key-share';
import type { ChiMtaEntry, DeltaMtaEntry } from './messages';

/** Secret state of presigning (never serialized by the wire codec). */
export interface PresignParams {
  readonly sessionId: Uint8Array;
  readonly keyShare: KeyShare;
  /** The signing set S (at least `threshold` parties of the key, including this one). */
  readonly signers: readonly PartyId[];
}

export interface PresignRound1State {
  readonly kind: 'presign/state-1';
  readonly sessionId: Uint8Array;
  readonly keyShare: KeyShare;
  readonly signers: readonly PartyId[];
  readonly self: PartyId;
  /** W_j = λ_j^S·X_j for every signer (the additive shares' public images). */
  readonly W: ReadonlyMap<PartyId, Point>;
  /** w_i = λ_i^S·x_i. */
  readonly w: bigint;
  readonly k: bigint;
  readonly gamma: bigint;
  readonly rho: bigint;
  readonly nu: bigint;
  readonly K: bigint;
  readonly G: bigint;
}

export interface PresignRound2State extends Omit<PresignRound1State, 'kind'> {
  readonly kind: 'presign/state-2';
  /** Peers' K_j, G_j (Πenc verified). */
  readonly peerK: ReadonlyMap<PartyId, bigint>;
  readonly peerG: ReadonlyMap<PartyId, bigint>;
  readonly Gamma_i: Point;
  /** Our additive MtA shares as responder: −β_{i,j} and −β̂_{i,j}. */
  readonly beta: ReadonlyMap<PartyId, bigint>;
  readonly betaHat: ReadonlyMap<PartyId, bigint>;
  /** Openings of our δ-MtA ciphertexts (revealed only in the blame round). */
  readonly mtaSecrets: ReadonlyMap<PartyId, { readonly y: bigint; readonly s: bigint; readonly r: bigint }>;
  /** Our broadcast δ-MtA ciphertexts. */
  readonly deltaMta: readonly DeltaMtaEntry[];
  /** Our χ-MtA masks y (β̂ = −y) and the nonces r̂ of F̂ = enc_i(y; r̂), per peer (for the χ blame round). */
  readonly chiMtaSecrets: ReadonlyMap<PartyId, { readonly y: bigint; readonly r: bigint }>;
  /** Our broadcast F̂ ciphertexts. */
  readonly chiMta: readonly ChiMtaEntry[];
}

export interface PresignRound3State {
  readonly kind: 'presign/state-3';
  readonly sessionId: Uint8Array;
  readonly keyShare: KeyShare;
  readonly signers: readonly PartyId[];
  readonly self: PartyId;
  readonly peerK: ReadonlyMap<PartyId, bigint>;
  readonly k: bigint;
  readonly chi: bigint;
  readonly delta: bigint;
  readonly Gamma: Point;
  readonly Delta_i: Point;
  readonly S_i: Point;
  /** The presignature's id (the same at every signer). */
  readonly presignatureId: string;
  /** Our re-randomization contribution ρ_i (32 random bytes, revealed only in the online phase) and its commitment. */
  readonly rho: Uint8Array;
  readonly rhoCommitment: string;
  /** Kept for the blame round (δ side only; nothing here involves the key share). */
  readonly blame: PresignBlameData;
}

export interface PresignBlameData {
  readonly K: bigint;
  readonly G: bigint;
  readonly rho: bigint;
  readonly gamma: bigint;
  readonly nu: bigint;
  readonly peerG: ReadonlyMap<PartyId, bigint>;
  /** Γ_j of every signer, including ours. */
  readonly Gammas: ReadonlyMap<PartyId, Point>;
  /** Every signer's broadcast δ-MtA ciphertexts, including ours. */
  readonly deltaMta: ReadonlyMap<PartyId, readonly DeltaMtaEntry[]>;
  readonly mtaSecrets: ReadonlyMap<PartyId, { readonly y: bigint; readonly s: bigint; readonly r: bigint }>;
  /** For the χ blame round: our χ-MtA masks and F̂ nonces, and every signer's broadcast F̂ list (ours included). */
  readonly chiMtaSecrets: ReadonlyMap<PartyId, { readonly y: bigint; readonly r: bigint }>;
  readonly chiMta: ReadonlyMap<PartyId, readonly ChiMtaEntry[]>;
}

/**
 * A one-time presignature (CGGMP21 Fig. 7 output): R and this party's k_i and χ_i, plus the public
 * values that let every party check each σ_j in the online phase: Γ, δ and, per signer, Δ_j = k_j·Γ
 * and S_j = χ_j·Γ. Bound to the key generation (`keyGeneration`, see presign/generation.ts) and the
 * signing set, and carrying every signer's commitment to its re-randomization contribution ρ_j
 * (our own ρ_i is secret until the online phase reveals it). Usable once: signing it, serializing it
 * or adding it to a {@link PresignaturePool} consumes it (presign/one-time.ts).
 */
export interface Presignature {
  readonly id: string;
  readonly publicKey: Point;
  readonly self: PartyId;
  readonly signers: readonly PartyId[];
  readonly R: Point;
  readonly Gamma: Point;
  readonly delta: bigint;
  /** Secret: k_i and χ_i. */
  readonly k: bigint;
  readonly chi: bigint;
  readonly Delta: ReadonlyMap<PartyId, Point>;
  readonly S: ReadonlyMap<PartyId, Point>;
  /** `keyGenerationFingerprint` (presign/generation.ts) of the key share presigning ran with (hex, 32 bytes). */
  readonly keyGeneration: string;
  /** Secret until revealed in the online phase: our ρ_i (32 bytes). */
  readonly rho: Uint8Array;
  /** Every signer's commitment to its ρ_j (hex, 32 bytes), broadcast in presign round 3. */
  readonly rhoCommitments: ReadonlyMap<PartyId, string>;
}
