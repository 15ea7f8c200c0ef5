/**
 * Public messages of the auxiliary-information phase (CGGMP21, ePrint 2021/060, Fig. 6
 * "Auxiliary info & key refresh" in the revisions numbered Fig. 5 keygen, 6 aux-info, 7 presigning,
 * 8 signing; without the key-refresh part, which ecdsa/refresh does, and without the paper's
 * first commitment round: every proof here is bound to the unique session id instead of a joint ρ): each party's Paillier modulus N_i doubles as its ring-Pedersen modulus (N_i, s_i, t_i).
 */
export interface AuxInfoRound1Message {
  readonly kind: 'aux-info/1';
  readonly N: bigint;
  readonly s: bigint;
  readonly t: bigint;
  /** Πmod: N is a Paillier-Blum modulus. */
  readonly psiMod: unknown;
  /** Πprm: s ∈ <t> mod N. */
  readonly psiPrm: unknown;
}

export interface AuxInfoRound2Message {
  readonly kind: 'aux-info/2';
  /** Πfac: N has no small factor, proven against the recipient's ring-Pedersen parameters. */
  readonly psiFac: unknown;
}

export type AuxInfoMessage = AuxInfoRound1Message | AuxInfoRound2Message;
