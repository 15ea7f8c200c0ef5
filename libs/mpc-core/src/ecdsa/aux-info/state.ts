import type { PartyId } from '../../errors';
import type { PaillierPublicKey, PaillierSecretKey } from '../../math/paillier';
import type { RingPedersenParams, RingPedersenSecret } from '../../math/ring-pedersen';

export interface AuxInfoParams {
  readonly sessionId: Uint8Array;
  readonly self: PartyId;
  readonly partyIds: readonly PartyId[];
  /** Two distinct safe primes of equal size (from a SafePrimePool in production, test fixtures in tests). */
  readonly primes: readonly [bigint, bigint];
  /** Minimum modulus size accepted from anyone, and the size of our own: at least 2048 (3072 for 128-bit security). */
  readonly paillierBits: number;
  /**
   * Largest modulus (Paillier N_j, ring-Pedersen Ñ_j) accepted from a peer, checked before any
   * proof: in [paillierBits, 8192]; default paillierBits (the size we generate ourselves).
   */
  readonly maxPaillierBits?: number;
}

export interface AuxInfoRound1State {
  readonly kind: 'aux-info/state-1';
  readonly sessionId: Uint8Array;
  readonly self: PartyId;
  readonly partyIds: readonly PartyId[];
  readonly paillierBits: number;
  readonly maxPaillierBits: number;
  readonly paillierSecret: PaillierSecretKey;
  readonly ringPedersen: RingPedersenParams;
  readonly ringPedersenSecret: RingPedersenSecret;
}

export interface PartyAuxInfo {
  readonly paillier: PaillierPublicKey;
  readonly ringPedersen: RingPedersenParams;
}

export interface AuxInfoRound2State extends Omit<AuxInfoRound1State, 'kind'> {
  readonly kind: 'aux-info/state-2';
  /** Peers' keys whose Πmod and Πprm verified; Πfac still pending (checked in the output step). */
  readonly verified: ReadonlyMap<PartyId, PartyAuxInfo>;
}

export interface AuxInfoOutput {
  readonly sessionId: Uint8Array;
  readonly self: PartyId;
  readonly partyIds: readonly PartyId[];
  readonly paillierBits: number;
  readonly maxPaillierBits: number;
  readonly paillierSecret: PaillierSecretKey;
  /** Every party's (including our own) verified Paillier key and ring-Pedersen parameters. */
  readonly parties: ReadonlyMap<PartyId, PartyAuxInfo>;
}
