import { InvalidInputError, type PartyId } from '../errors';
import { CURVE_ORDER, invq, modq } from '../ecdsa/curve';

/**
 * Lagrange coefficients over F_q (q = secp256k1 n) at x = 0 for Shamir shares evaluated at the
 * party ids: secret = Σ_{i∈S} λ_i^S · f(i), with λ_i^S = Π_{j∈S, j≠i} j / (j − i).
 */
export function assertPartySet(ids: readonly PartyId[], name: string): void {
  const list: unknown = ids;
  if (!Array.isArray(list) || list.length === 0) throw new InvalidInputError(name, 'must be a non-empty array');
  const seen = new Set<number>();
  for (const id of list as unknown[]) {
    if (typeof id !== 'number') throw new InvalidInputError(name, 'party ids must be numbers');
    if (!Number.isSafeInteger(id) || id <= 0 || BigInt(id) >= CURVE_ORDER) {
      throw new InvalidInputError(name, 'party ids must be positive integers');
    }
    if (seen.has(id)) throw new InvalidInputError(name, `duplicate party id ${id}`);
    seen.add(id);
  }
}

export function lagrangeCoefficient(id: PartyId, set: readonly PartyId[]): bigint {
  assertPartySet(set, 'set');
  if (!set.includes(id)) throw new InvalidInputError('id', `party ${id} is not in the set`);
  let num = 1n;
  let den = 1n;
  const i = BigInt(id);
  for (const other of set) {
    if (other === id) continue;
    const j = BigInt(other);
    num = modq(num * j);
    den = modq(den * (j - i));
  }
  return modq(num * invq(den));
}

/** λ_i^S(x) = Π_{j∈S, j≠i} (x − j) / (i − j): the coefficient that evaluates the interpolating polynomial at x. */
export function lagrangeCoefficientAt(id: PartyId, set: readonly PartyId[], x: bigint): bigint {
  assertPartySet(set, 'set');
  if (!set.includes(id)) throw new InvalidInputError('id', `party ${id} is not in the set`);
  let num = 1n;
  let den = 1n;
  const i = BigInt(id);
  for (const other of set) {
    if (other === id) continue;
    const j = BigInt(other);
    num = modq(num * (x - j));
    den = modq(den * (i - j));
  }
  return modq(num * invq(den));
}
