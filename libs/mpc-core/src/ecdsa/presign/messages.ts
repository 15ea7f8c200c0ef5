/**
 * Public messages of the three-round presigning (CGGMP21, ePrint 2021/060, Fig. 7
 * "ECDSA pre-signing", same numbering as above). Points are compressed hex; ciphertexts and proof fields bigint.
 * Each message carries the sender's broadcast part and the proofs made for this recipient
 * (proofs are made against the VERIFIER's ring-Pedersen parameters, so they differ per recipient).
 */
export interface PresignRound1Message {
  readonly kind: 'presign/1';
  /** K_i = enc_i(k_i; ρ_i) (broadcast). */
  readonly K: bigint;
  /** G_i = enc_i(γ_i; ν_i) (broadcast). */
  readonly G: bigint;
  /** Πenc: K_i encrypts a value in ±2^ℓ (for this recipient). */
  readonly psiEnc: unknown;
}

export interface PresignRound2Message {
  readonly kind: 'presign/2';
  /** Γ_i = γ_i·G (broadcast). */
  readonly Gamma: string;
  /**
   * Broadcast: for every other signer j, D_{j,i} = γ_i ⊙ K_j ⊕ enc_j(y_{i,j}; s) and
   * F_{j,i} = enc_i(y_{i,j}; r) (the δ MtA). Ciphertexts only, so broadcasting them leaks nothing;
   * it lets every party check the openings revealed in the blame round if δ does not match.
   */
  readonly deltaMta: readonly DeltaMtaEntry[];
  /** D̂_{j,i} = w_i ⊙ K_j ⊕ enc_j(β̂_{i,j}; ŝ) for this recipient j, w_i = λ_i·x_i. */
  readonly Dhat: bigint;
  /**
   * Broadcast: for every other signer j, F̂_{j,i} = enc_i(β̂_{i,j}; r̂) (the χ-MtA mask under our own
   * key). Ciphertexts only; the χ blame round proves statements about them, so every party must
   * hold the same ones.
   */
  readonly chiMta: readonly ChiMtaEntry[];
  /** Πaff-g for (D, F) against Γ_i, and for (D̂, F̂) against W_i = λ_i·X_i. */
  readonly psiAff: unknown;
  readonly psiAffHat: unknown;
  /** Πlog*: G_i encrypts the discrete log of Γ_i (base G). */
  readonly psiLog: unknown;
}

export interface DeltaMtaEntry {
  readonly to: number;
  readonly D: bigint;
  readonly F: bigint;
}

export interface ChiMtaEntry {
  readonly to: number;
  readonly F: bigint;
}

export interface PresignRound3Message {
  readonly kind: 'presign/3';
  /** δ_i (broadcast). */
  readonly delta: bigint;
  /** Δ_i = k_i·Γ (broadcast). */
  readonly Delta: string;
  /** S_i = χ_i·Γ (broadcast): lets everyone check each σ_i in the online round. */
  readonly S: string;
  /**
   * Broadcast: commitment to our re-randomization contribution ρ_i (sign/rerandomize.ts), opened
   * in the first online round after the message and tweak are fixed. Hex, 32 bytes.
   */
  readonly rhoCommitment: string;
  /** Πlog*: K_i encrypts the discrete log of Δ_i in base Γ. */
  readonly psiLog: unknown;
}

/**
 * Blame round, run only after `delta-consistency` failed (the presignature is dead): the δ-side
 * secrets, which do not involve the key share: k_i, γ_i with their encryption nonces and, per
 * peer j, the δ-MtA mask y_{i,j} with the nonces of D_{j,i} (s) and F_{j,i} (r).
 */
export interface PresignBlameMessage {
  readonly kind: 'presign/blame';
  readonly k: bigint;
  readonly rho: bigint;
  readonly gamma: bigint;
  readonly nu: bigint;
  readonly mta: readonly { readonly to: number; readonly y: bigint; readonly s: bigint; readonly r: bigint }[];
}

/**
 * χ blame round, run only after `chi-consistency` failed while δ checked (the presignature is
 * dead): the δ-side secrets k_i, γ_i with their encryption nonces (as in the δ blame), and per
 * other signer j the image Y_{i→j} = y_{i→j}·Γ of the χ-MtA mask that F̂_{j,i} encrypts, with a
 * Πlog* (range ℓ') made for this recipient. Nothing here involves the key share x_i: the masks
 * stay hidden (only their images in base Γ are shown, which the recipient j can already compute).
 */
export interface PresignChiBlameMessage {
  readonly kind: 'presign/chi-blame';
  readonly k: bigint;
  readonly rho: bigint;
  readonly gamma: bigint;
  readonly nu: bigint;
  /** Every other signer in ascending order; Y broadcast, psiLog for this recipient. */
  readonly masks: readonly { readonly to: number; readonly Y: string; readonly psiLog: unknown }[];
}

export type PresignMessage = PresignRound1Message | PresignRound2Message | PresignRound3Message | PresignBlameMessage | PresignChiBlameMessage;
