import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { InvalidInputError } from '../errors';
import { bitLength, gcd, mod, modPow, modPowCrt } from '../math/modarith';
import { MAX_PAILLIER_BITS, type PaillierSecretKey } from '../math/paillier';
import type { RingPedersenParams } from '../math/ring-pedersen';
import { isValidRingPedersenParams } from '../math/ring-pedersen';
import type { Transcript } from '../transcript';
import { MIN_PROOF_MODULUS_BITS } from './params';

/** Shared helpers of the zk/pi-*.ts proofs (internal to mpc-core). */

export type Point = InstanceType<typeof secp256k1.Point>;
export const Point = secp256k1.Point;
export const CURVE_ORDER: bigint = secp256k1.Point.Fn.ORDER;

/** Raised inside a verifier to leave early; every verifier turns it (and anything else) into false. */
export class Reject extends Error {}

export function ensure(condition: boolean): asserts condition {
  if (!condition) throw new Reject();
}

export function isBigInt(x: unknown): x is bigint {
  return typeof x === 'bigint';
}

/** x in [-bound, bound]. */
export function inSymmetricRange(x: unknown, bound: bigint): boolean {
  return typeof x === 'bigint' && x >= -bound && x <= bound;
}

/** x in Z*_N: 0 < x < N, gcd(x, N) = 1. */
export function isUnit(x: unknown, N: bigint): x is bigint {
  return typeof x === 'bigint' && x > 0n && x < N && gcd(x, N) === 1n;
}

/**
 * Whether every value is a bigint in (0, bound) and coprime to N, with ONE gcd: the product of the
 * values modulo N shares a prime factor with N exactly when one of the values does. `bound` is N or
 * N^2 (coprime to N^2 is coprime to N).
 */
export function areUnits(values: readonly unknown[], N: bigint, bound: bigint = N): boolean {
  let product = 1n;
  for (const v of values) {
    if (typeof v !== 'bigint' || v <= 0n || v >= bound) return false;
    product = (product * v) % N;
  }
  return gcd(product, N) === 1n;
}

/** A modulus a verifier accepts in a statement: bigint, odd, at least the minimum size. */
export function isAcceptableModulus(N: unknown): N is bigint {
  return typeof N === 'bigint' && N > 0n && (N & 1n) === 1n && bitLength(N) >= MIN_PROOF_MODULUS_BITS && bitLength(N) <= MAX_PAILLIER_BITS;
}

export function isAcceptableRingPedersen(rp: RingPedersenParams): boolean {
  return isValidRingPedersenParams(rp, MIN_PROOF_MODULUS_BITS);
}

/** A point of the curve that is not the identity. */
export function isCurvePoint(P: unknown): P is Point {
  if (!(P instanceof Point)) return false;
  try {
    P.assertValidity();
    return !P.equals(Point.ZERO);
  } catch {
    return false;
  }
}

/** Decodes a compressed point (66 hex chars), not the identity; undefined if malformed. */
export function pointFromHex(hex: unknown): Point | undefined {
  if (typeof hex !== 'string' || hex.length !== 66 || !/^[0-9a-f]+$/.test(hex)) return undefined;
  try {
    const P = Point.fromBytes(hexToBytes(hex));
    return P.equals(Point.ZERO) ? undefined : P;
  } catch {
    return undefined;
  }
}

export function pointToHex(P: Point): string {
  return bytesToHex(P.toBytes(true));
}

/** k·P for any integer k (reduced mod n; 0 gives the identity). */
export function mulPoint(P: Point, k: bigint): Point {
  const r = mod(k, CURVE_ORDER);
  return r === 0n ? Point.ZERO : P.multiply(r);
}

/** base^exp modulo a fixed modulus (exp may be negative; the base must then be invertible). */
export type ModExp = (base: bigint, exp: bigint) => bigint;

/**
 * Exponentiation modulo N, through the CRT when `sk` is the caller's own key for N (same results;
 * bases must be units, which every verifier checks first).
 */
export function expModN(N: bigint, sk?: PaillierSecretKey): ModExp {
  if (sk !== undefined && sk.publicKey.N === N) return (b, e) => modPowCrt(b, e, sk.crtN);
  return (b, e) => modPowPublicBase(b, e, N);
}

/** Exponentiation modulo N^2, through the CRT modulo p^2, q^2 when `sk` is the caller's own key for N. */
export function expModN2(N: bigint, sk?: PaillierSecretKey): ModExp {
  if (sk !== undefined && sk.publicKey.N === N) return (b, e) => modPowCrt(b, e, sk.crtN2);
  const N2 = N * N;
  return (b, e) => modPow(b, e, N2);
}

/** (1 + N)^m · r^N mod N^2 for any integer m (no plaintext range check: for proof equations). */
export function paillierEnc(N: bigint, N2: bigint, m: bigint, r: bigint, exp: ModExp = (b, e) => modPow(b, e, N2)): bigint {
  return (mod(1n + mod(m, N) * N, N2) * exp(r, N)) % N2;
}

/**
 * Inverses of PUBLIC bases that are raised to negative powers again and again (the ring-Pedersen s
 * and t of each peer). A bounded memo of public values only: never put a secret here.
 */
const publicInverses = new Map<string, bigint>();
const PUBLIC_INVERSES_MAX = 64;

/** b^e mod m for a PUBLIC unit b, reusing b^-1 when e < 0. */
export function modPowPublicBase(b: bigint, e: bigint, m: bigint): bigint {
  if (e >= 0n) return modPow(b, e, m);
  const key = `${m.toString(36)}:${b.toString(36)}`;
  let inv = publicInverses.get(key);
  if (inv === undefined) {
    inv = modPow(b, -1n, m);
    if (publicInverses.size >= PUBLIC_INVERSES_MAX) publicInverses.clear();
    publicInverses.set(key, inv);
  }
  return modPow(inv, -e, m);
}

/** s^x · t^y mod N̂ for any integers. */
export function rpCommit(
  rp: RingPedersenParams,
  x: bigint,
  y: bigint,
  exp: ModExp = (b, e) => modPowPublicBase(b, e, rp.N),
): bigint {
  return (exp(rp.s, x) * exp(rp.t, y)) % rp.N;
}

/**
 * Whether lhs = A · B^e mod m, without inverting B when e < 0 (then checks lhs · B^-e = A instead).
 * `exp` is an exponentiation modulo m; B must be a unit (verifiers check it first).
 */
export function equalsTimesPower(m: bigint, lhs: bigint, A: bigint, B: bigint, e: bigint, exp: ModExp = (b, x) => modPow(b, x, m)): boolean {
  return e >= 0n ? lhs === (A * exp(B, e)) % m : (lhs * exp(B, -e)) % m === A % m;
}

export function appendRingPedersen(t: Transcript, label: string, rp: RingPedersenParams): Transcript {
  return t.appendBigInt(`${label}.N`, rp.N).appendBigInt(`${label}.s`, rp.s).appendBigInt(`${label}.t`, rp.t);
}

export function appendPoint(t: Transcript, label: string, P: Point): Transcript {
  return t.appendBytes(label, P.toBytes(true));
}

/** The challenge e in ±q of the range proofs (Πenc, Πaff-g, Πlog*, Πfac). */
export function challengeE(t: Transcript): bigint {
  return t.challengeSymmetric('e', CURVE_ORDER);
}

export function assertBigInt(x: unknown, name: string): asserts x is bigint {
  if (typeof x !== 'bigint') throw new InvalidInputError(name, 'must be a bigint');
}

/** For provers: the public statement values must be well formed (else InvalidInputError). */
export function assertUnit(x: unknown, N: bigint, name: string): asserts x is bigint {
  if (!isUnit(x, N)) throw new InvalidInputError(name, 'must be in Z*_N');
}

export function assertModulus(N: unknown, name: string): asserts N is bigint {
  if (!isAcceptableModulus(N)) throw new InvalidInputError(name, `must be an odd modulus of ${MIN_PROOF_MODULUS_BITS} to ${MAX_PAILLIER_BITS} bits`);
}

export function assertRingPedersen(rp: RingPedersenParams, name: string): void {
  if (!isAcceptableRingPedersen(rp)) throw new InvalidInputError(name, 'not valid ring-Pedersen parameters');
}

export function assertCurvePoint(P: unknown, name: string): asserts P is Point {
  if (!isCurvePoint(P)) throw new InvalidInputError(name, 'must be a secp256k1 point other than the identity');
}
