import type { SchnorrProof } from '../../zk/pi-sch';

/**
 * Public messages of the distributed key generation (CGGMP21, ePrint 2021/060, Fig. 5 "ECDSA
 * key generation", adapted to Feldman VSS of degree t−1 for a threshold key). Points are
 * compressed hex, scalars bigint, byte strings hex.
 */
export interface KeygenRound1Message {
  readonly kind: 'keygen/1';
  /** V_i = H(sid, i, A_i,0..t−1, B_i, rid_i, u_i): hash commitment, broadcast. */
  readonly commitment: string;
}

export interface KeygenDecommitment {
  /** Feldman commitments a_k·G (k = 0..t−1; in refresh k = 1..t−1). */
  readonly A: readonly string[];
  /** The Schnorr first message B_i = α_i·G, committed in round 1. */
  readonly schnorrA: string;
  /** 32 bytes of randomness; rid = ⊕ rid_j seeds the chain code and binds the Schnorr proofs. */
  readonly rid: string;
  /** 32 bytes of blinding for the hash commitment. */
  readonly u: string;
}

export interface KeygenRound2Message {
  readonly kind: 'keygen/2';
  /** Broadcast part. */
  readonly decommitment: KeygenDecommitment;
  /** Point-to-point part: f_i(j) for the recipient j (secret in transit: the channel encrypts it). */
  readonly share: bigint;
}

export interface KeygenRound3Message {
  readonly kind: 'keygen/3';
  /** Πsch of a_i,0 (keygen) or a_i,1 (refresh), bound to rid. */
  readonly proof: SchnorrProof;
}

export type KeygenMessage = KeygenRound1Message | KeygenRound2Message | KeygenRound3Message;
