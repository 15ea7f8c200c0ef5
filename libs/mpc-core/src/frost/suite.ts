import { createFROST, type FROST } from '@noble/curves/abstract/frost.js';
import type { IField } from '@noble/curves/abstract/modular.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { schnorr, schnorr_FROST, secp256k1, secp256k1_FROST } from '@noble/curves/secp256k1.js';
import { InvalidInputError } from '../errors';
import { ValidatedEd25519Point } from './validated-points';

/**
 * The ciphersuites of our FROST module. One generic module runs over all of them; the suite says how
 * to encode and check group elements and scalars and how the external (verifier-facing) public key
 * and signature look. The FROST arithmetic itself is `@noble/curves` 2.4.0 (RFC 9591).
 *
 * - `ed25519`: FROST(Ed25519, SHA-512), RFC 9591 §6.1; signatures are RFC 8032 Ed25519 signatures.
 * - `bip340`: FROST(secp256k1, SHA-256) with the BIP340/Taproot adjustments (noble's `schnorr_FROST`,
 *   compatible with frost-secp256k1-tr); signatures verify as BIP340 under the x-only key.
 * - `secp256k1`: plain FROST(secp256k1, SHA-256), RFC 9591 §6.5 (kept for the RFC vectors; its
 *   signatures are not BIP340 signatures).
 */
export type SuiteName = 'ed25519' | 'bip340' | 'secp256k1';

export const SUITE_NAMES: readonly SuiteName[] = ['ed25519', 'bip340', 'secp256k1'];

export interface FrostSuite {
  readonly name: SuiteName;
  /** One byte naming the suite in every encoding. */
  readonly wireId: number;
  /** The RFC 9591 context string (or noble's name for the Taproot variant). */
  readonly contextString: string;
  /** noble's FROST API for this suite. */
  readonly frost: FROST;
  /** The scalar field (order of the prime-order group). */
  readonly Fn: IField<bigint>;
  readonly order: bigint;
  readonly scalarLength: number;
  /** Length of our (internal) point encoding: 32 for Ed25519, 33 (compressed SEC1) for secp256k1. */
  readonly pointLength: number;
  /** Length of the external public key: 32 for Ed25519 and BIP340 (x-only), 33 for plain secp256k1. */
  readonly publicKeyLength: number;
  /** Length of a signature and of noble's DKG proof of knowledge. */
  readonly signatureLength: number;
  /** Whether BIP340's even-y rules apply to every additive tweak. */
  readonly evenY: boolean;
  /** Checks a canonical, valid, non-identity, prime-order point encoding; returns a copy. */
  parsePoint(bytes: unknown, argument: string): Uint8Array;
  /** Checks a canonical scalar encoding (< order); returns its value. */
  parseScalar(bytes: unknown, argument: string): bigint;
  scalarToBytes(s: bigint): Uint8Array;
  pointAdd(a: Uint8Array, b: Uint8Array): Uint8Array;
  pointNegate(a: Uint8Array): Uint8Array;
  /** s·G for s in [1, order). */
  mulBase(s: bigint): Uint8Array;
  /** s·P for public P and public s in [1, order) (variable time). */
  mulPublic(p: Uint8Array, s: bigint): Uint8Array;
  pointEquals(a: Uint8Array, b: Uint8Array): boolean;
  /**
   * The Feldman commitment `C_0..C_{t-1}` (canonical points) evaluated at the public scalar `x` in
   * [1, order): Σ C_j·x^j by Horner's rule (variable time; public data); `undefined` if it is the identity.
   */
  evaluateCommitment(commitment: readonly Uint8Array[], x: bigint): Uint8Array | undefined;
  /** For the BIP340 suite: whether the point has an even y coordinate; always true elsewhere. */
  hasEvenY(p: Uint8Array): boolean;
  /** The public key a verifier sees, from our internal group-key encoding. */
  externalPublicKey(groupKey: Uint8Array): Uint8Array;
  /** Verifies a final signature under an external public key (noble's verifier). */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

interface GroupPoint<P> {
  add(other: P): P;
  negate(): P;
  multiply(s: bigint): P;
  multiplyUnsafe(s: bigint): P;
  equals(other: P): boolean;
  toBytes(): Uint8Array;
  is0(): boolean;
  isTorsionFree(): boolean;
  assertValidity(): void;
}

interface GroupPointCons<P> {
  readonly BASE: P;
  fromBytes(bytes: Uint8Array): P;
  readonly Fn: IField<bigint>;
}

interface SuiteOptions<P extends GroupPoint<P>> {
  name: SuiteName;
  wireId: number;
  frost: FROST;
  Point: GroupPointCons<P>;
  pointLength: number;
  publicKeyLength: number;
  signatureLength: number;
  evenY: boolean;
  externalPublicKey(groupKey: Uint8Array): Uint8Array;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function makeSuite<P extends GroupPoint<P>>(o: SuiteOptions<P>): FrostSuite {
  const { Point } = o;
  const Fn = Point.Fn;
  const decode = (bytes: Uint8Array): P => Point.fromBytes(bytes);
  const encode = (p: P): Uint8Array => {
    if (p.is0()) throw new InvalidInputError('point', 'the result is the identity element');
    return p.toBytes();
  };
  const parsePoint = (bytes: unknown, argument: string): Uint8Array => {
    if (!(bytes instanceof Uint8Array)) throw new InvalidInputError(argument, 'expected a Uint8Array');
    if (bytes.length !== o.pointLength) {
      throw new InvalidInputError(argument, `expected ${o.pointLength} bytes, got ${bytes.length}`);
    }
    let p: P;
    try {
      p = decode(bytes);
    } catch {
      throw new InvalidInputError(argument, 'not a valid point encoding');
    }
    if (p.is0()) throw new InvalidInputError(argument, 'the identity element is not allowed');
    try {
      p.assertValidity();
    } catch {
      throw new InvalidInputError(argument, 'not a valid point encoding');
    }
    if (!p.isTorsionFree()) throw new InvalidInputError(argument, 'not in the prime-order subgroup (small-order component)');
    // Canonical: the encoding must be the one we would produce (rejects y >= p, "-0", etc.).
    if (!bytesEqual(p.toBytes(), bytes)) throw new InvalidInputError(argument, 'non-canonical point encoding');
    return Uint8Array.from(bytes);
  };
  const parseScalar = (bytes: unknown, argument: string): bigint => {
    if (!(bytes instanceof Uint8Array)) throw new InvalidInputError(argument, 'expected a Uint8Array');
    if (bytes.length !== Fn.BYTES) throw new InvalidInputError(argument, `expected ${Fn.BYTES} bytes, got ${bytes.length}`);
    try {
      return Fn.fromBytes(bytes);
    } catch {
      throw new InvalidInputError(argument, 'scalar is not below the group order');
    }
  };
  const scalarInRange = (s: bigint, argument: string): bigint => {
    if (s <= 0n || s >= Fn.ORDER) throw new InvalidInputError(argument, 'scalar must be in [1, order)');
    return s;
  };
  return Object.freeze({
    name: o.name,
    wireId: o.wireId,
    contextString: o.name === 'ed25519' ? 'FROST-ED25519-SHA512-v1' : o.name === 'bip340' ? 'FROST-secp256k1-SHA256-TR-v1' : 'FROST-secp256k1-SHA256-v1',
    frost: o.frost,
    Fn,
    order: Fn.ORDER,
    scalarLength: Fn.BYTES,
    pointLength: o.pointLength,
    publicKeyLength: o.publicKeyLength,
    signatureLength: o.signatureLength,
    evenY: o.evenY,
    parsePoint,
    parseScalar,
    scalarToBytes: (s: bigint) => Fn.toBytes(Fn.create(s)),
    pointAdd: (a: Uint8Array, b: Uint8Array) => encode(decode(a).add(decode(b))),
    pointNegate: (a: Uint8Array) => encode(decode(a).negate()),
    mulBase: (s: bigint) => encode(Point.BASE.multiply(scalarInRange(s, 'scalar'))),
    mulPublic: (p: Uint8Array, s: bigint) => encode(decode(p).multiplyUnsafe(scalarInRange(s, 'scalar'))),
    pointEquals: (a: Uint8Array, b: Uint8Array) => bytesEqual(a, b),
    evaluateCommitment: (commitment: readonly Uint8Array[], x: bigint) => {
      scalarInRange(x, 'x');
      if (commitment.length === 0) throw new InvalidInputError('commitment', 'expected at least one point');
      let acc = decode(commitment[commitment.length - 1]!);
      for (let j = commitment.length - 2; j >= 0; j--) acc = acc.multiplyUnsafe(x).add(decode(commitment[j]!));
      return acc.is0() ? undefined : acc.toBytes();
    },
    hasEvenY: (p: Uint8Array) => !o.evenY || p[0] === 0x02,
    externalPublicKey: (groupKey: Uint8Array) => o.externalPublicKey(groupKey),
    verify: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => {
      if (signature.length !== o.signatureLength || publicKey.length !== o.publicKeyLength) return false;
      try {
        return o.verify(signature, message, publicKey);
      } catch {
        return false;
      }
    },
  });
}

/**
 * FROST(Ed25519, SHA-512), RFC 9591 §6.1: noble's generic `createFROST` with exactly the options of
 * noble's `ed25519_FROST` (name, SHA-512, undecorated H2), except that points are decoded through
 * {@link ValidatedEd25519Point} (noble's checks, run once per encoding) instead of twice per parse.
 * The RFC 9591 vectors pin the equivalence (frost/rfc9591.vectors.spec.ts).
 */
const ed25519Frost: FROST = createFROST({ name: 'FROST-ED25519-SHA512-v1', Point: ValidatedEd25519Point, hash: sha512, H2: '' });

/** FROST(Ed25519, SHA-512). Points: RFC 8032 encodings (32 bytes); scalars little-endian. */
export const ed25519Suite: FrostSuite = makeSuite({
  name: 'ed25519',
  wireId: 1,
  frost: ed25519Frost,
  Point: ValidatedEd25519Point,
  pointLength: 32,
  publicKeyLength: 32,
  signatureLength: 64,
  evenY: false,
  externalPublicKey: (groupKey) => Uint8Array.from(groupKey),
  verify: (sig, msg, pk) => ed25519.verify(sig, msg, pk, { zip215: false }),
});

/** FROST for BIP340 (Taproot) Schnorr: compressed points internally, x-only keys outside. */
export const bip340Suite: FrostSuite = makeSuite({
  name: 'bip340',
  wireId: 2,
  frost: schnorr_FROST,
  Point: secp256k1.Point,
  pointLength: 33,
  publicKeyLength: 32,
  signatureLength: 64,
  evenY: true,
  externalPublicKey: (groupKey) => groupKey.slice(1),
  verify: (sig, msg, pk) => schnorr.verify(sig, msg, pk),
});

/** Plain FROST(secp256k1, SHA-256) from RFC 9591 (65-byte signatures R ‖ z, 33-byte keys). */
export const secp256k1Suite: FrostSuite = makeSuite({
  name: 'secp256k1',
  wireId: 3,
  frost: secp256k1_FROST,
  Point: secp256k1.Point,
  pointLength: 33,
  publicKeyLength: 33,
  signatureLength: 65,
  evenY: false,
  externalPublicKey: (groupKey) => Uint8Array.from(groupKey),
  verify: (sig, msg, pk) => secp256k1_FROST.verify(sig, msg, pk),
});

const SUITES: Readonly<Record<SuiteName, FrostSuite>> = { ed25519: ed25519Suite, bip340: bip340Suite, secp256k1: secp256k1Suite };

/** The suite of a name, or an InvalidInputError naming `argument`. */
export function getSuite(name: unknown, argument = 'suite'): FrostSuite {
  if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(SUITES, name)) {
    throw new InvalidInputError(argument, `unknown ciphersuite (expected one of ${SUITE_NAMES.join(', ')})`);
  }
  return SUITES[name as SuiteName];
}

/** The suite of a wire id byte. */
export function getSuiteByWireId(id: number, argument = 'suite'): FrostSuite {
  for (const s of Object.values(SUITES)) if (s.wireId === id) return s;
  throw new InvalidInputError(argument, `unknown ciphersuite id ${id}`);
}

/** BIP340 tagged hash, SHA256(SHA256(tag) ‖ SHA256(tag) ‖ data…) (noble's implementation). */
export function taggedHash(tag: string, ...data: Uint8Array[]): Uint8Array {
  return schnorr.utils.taggedHash(tag, ...data);
}

export { bytesEqual };
