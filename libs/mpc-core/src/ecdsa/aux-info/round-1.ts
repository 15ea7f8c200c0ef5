import { InvalidInputError } from '../../errors';
import { MAX_PAILLIER_BITS, MIN_PAILLIER_BITS, paillierSecretKeyFromPrimes } from '../../math/paillier';
import { bitLength } from '../../math/modarith';
import { ringPedersenFromPrimes } from '../../math/ring-pedersen';
import type { Rng } from '../../rng';
import { proveModulus } from '../../zk/pi-mod';
import { proveRingPedersenParams } from '../../zk/pi-prm';
import { hedgedRng } from '../hedged-rng';
import { type RoundResult, assertSessionId, normalizeParties, proofContext } from '../protocol';
import type { AuxInfoRound1Message } from './messages';
import type { AuxInfoParams, AuxInfoRound1State } from './state';

export const AUX_ROUND_1 = 'ecdsa-aux-info/round-1';

export function auxContext(sessionId: Uint8Array, label: string, partyIds: readonly number[], prover: number) {
  return proofContext(sessionId, `aux-info/${label}`, partyIds, prover);
}

/** Checks the requested modulus size: at least 2048 bits (refused below), and our primes must reach it. */
export function assertPaillierBits(bits: unknown, name: string): asserts bits is number {
  if (typeof bits !== 'number' || !Number.isSafeInteger(bits) || bits < MIN_PAILLIER_BITS || bits > MAX_PAILLIER_BITS) {
    throw new InvalidInputError(name, `must be an integer in [${MIN_PAILLIER_BITS}, ${MAX_PAILLIER_BITS}]; moduli below ${MIN_PAILLIER_BITS} bits are refused`);
  }
}

/** The largest peer modulus accepted: in [paillierBits, 8192], default paillierBits. */
export function resolveMaxPaillierBits(maxBits: unknown, paillierBits: number, name: string): number {
  if (maxBits === undefined) return paillierBits;
  if (typeof maxBits !== 'number' || !Number.isSafeInteger(maxBits) || maxBits < paillierBits || maxBits > MAX_PAILLIER_BITS) {
    throw new InvalidInputError(name, `must be an integer in [paillierBits = ${paillierBits}, ${MAX_PAILLIER_BITS}]`);
  }
  return maxBits;
}

/**
 * Round 1: our Paillier key and ring-Pedersen parameters from the two safe primes given (same N),
 * broadcast with Πmod and Πprm. λ, t and the proof nonces come from a hedged stream (fresh bytes of
 * `rng` hashed with p, q, the session id and the parties, `hedgedRng`): a repeated random stream in
 * another session does not answer a new Πprm challenge with the same nonces (which would reveal λ).
 */
export function auxInfoRound1(params: AuxInfoParams, rngIn: Rng): RoundResult<AuxInfoRound1State, AuxInfoRound1Message> {
  if (typeof params !== 'object' || params === null) throw new InvalidInputError('params', 'must be an object');
  assertSessionId(params.sessionId, 'params.sessionId');
  const partyIds = normalizeParties(params.partyIds, 'params.partyIds', params.self);
  if (partyIds.length < 2) throw new InvalidInputError('params.partyIds', 'need at least 2 parties');
  assertPaillierBits(params.paillierBits, 'params.paillierBits');
  const maxPaillierBits = resolveMaxPaillierBits(params.maxPaillierBits, params.paillierBits, 'params.maxPaillierBits');
  if (!Array.isArray(params.primes) || params.primes.length !== 2) throw new InvalidInputError('params.primes', 'must be two safe primes');
  const [p, q] = params.primes;
  const paillierSecret = paillierSecretKeyFromPrimes(p, q);
  const N = paillierSecret.publicKey.N;
  if (bitLength(N) < params.paillierBits) {
    throw new InvalidInputError('params.primes', `modulus has ${bitLength(N)} bits, fewer than paillierBits = ${params.paillierBits}`);
  }
  const self = params.self;
  const rng = hedgedRng(rngIn, { secrets: [p, q], sessionId: params.sessionId, self, parties: partyIds, label: 'aux-info/round-1' });
  const { params: ringPedersen, secret: ringPedersenSecret } = ringPedersenFromPrimes(p, q, rng);
  const psiMod = proveModulus(auxContext(params.sessionId, 'pi-mod', partyIds, self), { N }, { p, q }, rng);
  const psiPrm = proveRingPedersenParams(auxContext(params.sessionId, 'pi-prm', partyIds, self), ringPedersen, ringPedersenSecret, rng);
  const message: AuxInfoRound1Message = { kind: 'aux-info/1', N, s: ringPedersen.s, t: ringPedersen.t, psiMod, psiPrm };
  return {
    state: { kind: 'aux-info/state-1', sessionId: params.sessionId, self, partyIds, paillierBits: params.paillierBits, maxPaillierBits, paillierSecret, ringPedersen, ringPedersenSecret },
    outgoing: partyIds.filter((j) => j !== self).map((to) => ({ to, message })),
  };
}
