import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { InvalidInputError } from '../errors';

/** secp256k1 helpers shared by the ECDSA protocol: validation at every boundary, names of arguments in errors. */
export const Point = secp256k1.Point;
export type Point = typeof secp256k1.Point.BASE;
/** The group order q (secp256k1 n). */
export const CURVE_ORDER: bigint = secp256k1.Point.Fn.ORDER;
export const G: Point = secp256k1.Point.BASE;

export function modq(x: bigint): bigint {
  const r = x % CURVE_ORDER;
  return r < 0n ? r + CURVE_ORDER : r;
}

export function invq(x: bigint): bigint {
  const v = modq(x);
  if (v === 0n) throw new InvalidInputError('scalar', 'zero has no inverse');
  return secp256k1.Point.Fn.inv(v);
}

/** x·P for any scalar (reduced mod q); 0 gives the identity. Not constant time: use only on public scalars. */
export function mulPublic(P: Point, k: bigint): Point {
  const s = modq(k);
  return s === 0n ? Point.ZERO : P.multiplyUnsafe(s);
}

/** x·G in constant time (noble's `multiply`) for a secret, non-zero scalar. */
export function mulSecretG(k: bigint): Point {
  return G.multiply(modq(k));
}

/** x·P with noble's constant-time multiply for a secret, non-zero scalar. */
export function mulSecret(P: Point, k: bigint): Point {
  return P.multiply(modq(k));
}

export function pointToHex(P: Point): string {
  return P.toHex(true);
}

export function isHex(value: unknown, byteLength?: number): value is string {
  return (
    typeof value === 'string' &&
    value.length % 2 === 0 &&
    /^[0-9a-f]*$/.test(value) &&
    (byteLength === undefined || value.length === 2 * byteLength)
  );
}

/** Parses a compressed point (33 bytes, lowercase hex); rejects malformed encodings, off-curve points and the identity. */
export function pointFromHex(value: unknown, name: string): Point {
  if (!isHex(value, 33)) throw new InvalidInputError(name, 'must be a 33-byte compressed point in lowercase hex');
  let P: Point;
  try {
    P = Point.fromHex(value);
    P.assertValidity();
  } catch {
    throw new InvalidInputError(name, 'not a point on secp256k1');
  }
  if (P.is0()) throw new InvalidInputError(name, 'must not be the identity');
  return P;
}

export function assertPoint(P: unknown, name: string): asserts P is Point {
  if (!(P instanceof Point)) throw new InvalidInputError(name, 'must be a secp256k1 point');
  try {
    P.assertValidity();
  } catch {
    throw new InvalidInputError(name, 'not a point on secp256k1');
  }
  if (P.is0()) throw new InvalidInputError(name, 'must not be the identity');
}

/** A scalar in [0, q) (or [1, q) when `nonZero`). */
export function assertScalar(x: unknown, name: string, nonZero = false): asserts x is bigint {
  if (typeof x !== 'bigint') throw new InvalidInputError(name, 'must be a bigint');
  if (x < 0n || x >= CURVE_ORDER) throw new InvalidInputError(name, 'must be in [0, q)');
  if (nonZero && x === 0n) throw new InvalidInputError(name, 'must not be zero');
}

export function assertBigInt(x: unknown, name: string): asserts x is bigint {
  if (typeof x !== 'bigint') throw new InvalidInputError(name, 'must be a bigint');
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + bytesToHex(bytes));
}

export function scalarToBytes(x: bigint): Uint8Array {
  return hexToBytes(x.toString(16).padStart(64, '0'));
}

export function pointBytes(P: Point): Uint8Array {
  return P.toBytes(true);
}
