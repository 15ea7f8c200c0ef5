/**
 * Security parameters of the CGGMP21 proofs (ePrint 2021/060, section 6 / Table of parameters):
 * ℓ = 256 (the bit size of secp256k1 scalars), ℓ' = 5ℓ, ε = 2ℓ, and M, the number of repetitions of
 * the proofs with binary (or per-round 1-bit) soundness: Πmod and Πprm. The paper asks for M = 80
 * for 80-bit soundness; we use 128 (as tss-lib and dfns/cggmp21 do): a cheating prover succeeds
 * with probability 2^-128 (TSSHOCK's second attack ran such proofs once).
 */
export const ELL = 256;
export const ELL_PRIME = 1280;
export const EPSILON = 512;
export const M = 128;

/** Minimum modulus size every proof verifier demands of N0, N1 and N̂ (the Paillier minimum). */
export const MIN_PROOF_MODULUS_BITS = 2048;
