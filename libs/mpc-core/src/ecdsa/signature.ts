import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { InvalidInputError } from '../errors';
import { CURVE_ORDER, type Point, assertPoint, bytesToBigInt, modq, scalarToBytes } from './curve';

/**
 * An ordinary ECDSA signature on secp256k1 as produced by the threshold protocol: low-s
 * normalized (s ≤ n/2, as Bitcoin and Ethereum require), with the recovery id (bit 0: parity of
 * R.y after normalization; bit 1: R.x ≥ n, which happens with probability ~2^-128).
 */
export interface EcdsaSignature {
  readonly r: bigint;
  readonly s: bigint;
  readonly recovery: 0 | 1 | 2 | 3;
}

const HALF_ORDER = CURVE_ORDER >> 1n;

export function assertDigest(digest: unknown, name = 'digest'): asserts digest is Uint8Array {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) throw new InvalidInputError(name, 'must be 32 bytes');
}

/** The digest as a scalar (SEC 1 §4.1.3 step 5 for a 256-bit hash: the integer, reduced mod n). */
export function digestToScalar(digest: Uint8Array): bigint {
  assertDigest(digest);
  return modq(bytesToBigInt(digest));
}

/** r = R.x mod n, recovery from R, and low-s normalization of s. */
export function normalizeSignature(R: Point, s: bigint): EcdsaSignature {
  assertPoint(R, 'R');
  const { x, y } = R.toAffine();
  const r = modq(x);
  if (r === 0n) throw new InvalidInputError('R', 'r = 0');
  let sv = modq(s);
  if (sv === 0n) throw new InvalidInputError('s', 's = 0');
  let recovery = Number(y & 1n) | (x >= CURVE_ORDER ? 2 : 0);
  if (sv > HALF_ORDER) {
    sv = CURVE_ORDER - sv;
    recovery ^= 1;
  }
  return { r, s: sv, recovery: recovery as 0 | 1 | 2 | 3 };
}

export function assertSignature(sig: EcdsaSignature, name = 'signature'): void {
  if (typeof sig !== 'object' || sig === null) throw new InvalidInputError(name, 'must be an object');
  for (const k of ['r', 's'] as const) {
    const v = sig[k];
    if (typeof v !== 'bigint' || v <= 0n || v >= CURVE_ORDER) throw new InvalidInputError(`${name}.${k}`, 'must be in [1, n)');
  }
  if (![0, 1, 2, 3].includes(sig.recovery)) throw new InvalidInputError(`${name}.recovery`, 'must be 0..3');
}

/** r ‖ s, 64 bytes. */
export function signatureToCompact(sig: EcdsaSignature): Uint8Array {
  assertSignature(sig);
  return concatBytes(scalarToBytes(sig.r), scalarToBytes(sig.s));
}

function derInteger(x: bigint): Uint8Array {
  let hex = x.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let bytes = hexToBytes(hex);
  if (bytes[0]! & 0x80) bytes = concatBytes(new Uint8Array([0]), bytes);
  return concatBytes(new Uint8Array([0x02, bytes.length]), bytes);
}

/** DER: SEQUENCE { INTEGER r, INTEGER s } (X9.62; what node:crypto and OpenSSL verify). */
export function signatureToDer(sig: EcdsaSignature): Uint8Array {
  assertSignature(sig);
  const body = concatBytes(derInteger(sig.r), derInteger(sig.s));
  return concatBytes(new Uint8Array([0x30, body.length]), body);
}

/** Verifies with @noble/curves (low-s required, digest not hashed again). */
export function verifySignature(sig: EcdsaSignature, digest: Uint8Array, publicKey: Point): boolean {
  assertDigest(digest);
  assertPoint(publicKey, 'publicKey');
  try {
    return secp256k1.verify(signatureToCompact(sig), digest, publicKey.toBytes(true), { prehash: false, lowS: true, format: 'compact' });
  } catch {
    return false;
  }
}

export function signatureToJson(sig: EcdsaSignature): { r: string; s: string; recovery: number; der: string } {
  return {
    r: sig.r.toString(16).padStart(64, '0'),
    s: sig.s.toString(16).padStart(64, '0'),
    recovery: sig.recovery,
    der: bytesToHex(signatureToDer(sig)),
  };
}
