/**
 * Public messages of the auxiliary-information phase (CGGMP21, ePrint 2021/060, §3.2 Fig. 6
 * "Auxiliary info & key refresh", 2024 revision; without the key-refresh part, which ecdsa/refresh
 * does): each party's Paillier modulus N_i doubles as its ring-Pedersen modulus (N_i, s_i, t_i).
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
