/** The one message of online signing (CGGMP21 Fig. 8): σ_i = k_i·m' + r·χ_i, broadcast. */
export interface SignRound1Message {
  readonly kind: 'sign/1';
  readonly sigma: bigint;
}
