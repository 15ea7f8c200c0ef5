import type { FrostPublic, FrostSecret } from '@noble/curves/abstract/frost.js';
import { InvalidInputError, type PartyId } from '../errors';
import { getSuite, type FrostSuite, type SuiteName } from './suite';

/**
 * The public key package of a FROST key: what every party (and a watch-only service) knows.
 * `groupCommitment[0]` is the group public key in our internal encoding (32-byte Ed25519 point or
 * 33-byte compressed secp256k1 point); `groupCommitment` is the summed Feldman commitment, of length t.
 */
export interface PublicKeyPackage {
  readonly suite: SuiteName;
  readonly threshold: number;
  /** Every party id holding a share, ascending. */
  readonly partyIds: readonly PartyId[];
  readonly groupCommitment: readonly Uint8Array[];
  /** Y_i = s_i·G for each party, in the order of `partyIds`. */
  readonly verifyingShares: readonly Uint8Array[];
  /** 32 public bytes for the additive derivation of child keys (`derive.ts`). */
  readonly chainCode: Uint8Array;
}

/** One party's key share: SECRET (`signingShare`). Only the share vault serializes it. */
export interface KeyShare {
  readonly publicPackage: PublicKeyPackage;
  readonly partyId: PartyId;
  /** s_i, the party's Shamir share of the group secret (scalar encoding of the suite). */
  readonly signingShare: Uint8Array;
}

export const MAX_PARTIES = 255;

/** Checks a list of party ids: integers in [1, MAX_PARTIES], strictly ascending. */
export function validatePartyIds(ids: unknown, argument: string): readonly PartyId[] {
  if (!Array.isArray(ids)) throw new InvalidInputError(argument, 'expected an array of party ids');
  const list = ids as unknown[];
  list.forEach((id, i) => {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > MAX_PARTIES) {
      throw new InvalidInputError(`${argument}[${i}]`, `party id must be an integer in [1, ${MAX_PARTIES}]`);
    }
    if (i > 0 && (list[i - 1] as number) >= id) throw new InvalidInputError(argument, 'party ids must be strictly ascending (no duplicates)');
  });
  return list as PartyId[];
}

/** Checks threshold and party count: 2 <= t <= n. */
export function validateThreshold(threshold: unknown, n: number, argument = 'threshold'): number {
  if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 2 || threshold > n) {
    throw new InvalidInputError(argument, `must be an integer with 2 <= threshold <= number of parties (${n})`);
  }
  return threshold;
}

/**
 * Full validation of a public key package: every point canonical and in the group, and every verifying
 * share on the group commitment (so a wrong share of any party is refused here, not blamed in signing).
 */
export function validatePublicKeyPackage(pkg: unknown, argument = 'publicPackage'): PublicKeyPackage {
  if (typeof pkg !== 'object' || pkg === null) throw new InvalidInputError(argument, 'expected an object');
  const p = pkg as PublicKeyPackage;
  const suite = getSuite(p.suite, `${argument}.suite`);
  const ids = validatePartyIds(p.partyIds, `${argument}.partyIds`);
  if (ids.length < 2) throw new InvalidInputError(`${argument}.partyIds`, 'at least two parties');
  const t = validateThreshold(p.threshold, ids.length, `${argument}.threshold`);
  if (!Array.isArray(p.groupCommitment) || p.groupCommitment.length !== t) {
    throw new InvalidInputError(`${argument}.groupCommitment`, `expected ${t} points`);
  }
  p.groupCommitment.forEach((c, i) => suite.parsePoint(c, `${argument}.groupCommitment[${i}]`));
  if (!Array.isArray(p.verifyingShares) || p.verifyingShares.length !== ids.length) {
    throw new InvalidInputError(`${argument}.verifyingShares`, `expected ${ids.length} points`);
  }
  p.verifyingShares.forEach((c, i) => suite.parsePoint(c, `${argument}.verifyingShares[${i}]`));
  // Every party's verifying share must lie on the group commitment: Y_i = Σ_j C_j·i^j (RFC 9591
  // App. C.2). Otherwise signing would blame an honest party whose share was stored wrongly.
  ids.forEach((id, i) => {
    const expected = suite.evaluateCommitment(p.groupCommitment, BigInt(id));
    if (expected === undefined || !suite.pointEquals(expected, p.verifyingShares[i]!)) {
      throw new InvalidInputError(`${argument}.verifyingShares[${i}]`, `the verifying share of party ${id} is not on the group commitment`);
    }
  });
  if (!(p.chainCode instanceof Uint8Array) || p.chainCode.length !== 32) {
    throw new InvalidInputError(`${argument}.chainCode`, 'expected 32 bytes');
  }
  return p;
}

/**
 * Full validation of a key share, including that s_i·G equals the party's verifying share and that
 * the verifying shares lie on the committed polynomial (noble's `validateSecret`, RFC 9591 App. C.2).
 */
export function validateKeyShare(share: unknown, argument = 'keyShare'): KeyShare {
  if (typeof share !== 'object' || share === null) throw new InvalidInputError(argument, 'expected an object');
  const k = share as KeyShare;
  const pub = validatePublicKeyPackage(k.publicPackage, `${argument}.publicPackage`);
  const suite = getSuite(pub.suite);
  const index = pub.partyIds.indexOf(k.partyId);
  if (index < 0) throw new InvalidInputError(`${argument}.partyId`, 'not one of the package party ids');
  const s = suite.parseScalar(k.signingShare, `${argument}.signingShare`);
  if (s === 0n) throw new InvalidInputError(`${argument}.signingShare`, 'must not be zero');
  if (!suite.pointEquals(suite.mulBase(s), pub.verifyingShares[index])) {
    throw new InvalidInputError(`${argument}.signingShare`, 'does not match the verifying share');
  }
  try {
    const { public: p, secret } = toNobleKey(suite, k);
    suite.frost.validateSecret(secret, p);
  } catch {
    throw new InvalidInputError(`${argument}.signingShare`, 'not on the committed polynomial');
  }
  return k;
}

/** noble's identifier (canonical scalar hex) of a party id. */
export function nobleId(suite: FrostSuite, id: PartyId): string {
  return suite.frost.Identifier.fromNumber(id);
}

/** The public package in noble's shape. */
export function toNoblePublic(suite: FrostSuite, pub: PublicKeyPackage): FrostPublic {
  const verifyingShares: Record<string, Uint8Array> = {};
  pub.partyIds.forEach((id, i) => {
    verifyingShares[nobleId(suite, id)] = pub.verifyingShares[i]!;
  });
  return {
    signers: { min: pub.threshold, max: pub.partyIds.length },
    commitments: pub.groupCommitment.map((c) => Uint8Array.from(c)),
    verifyingShares,
  } as FrostPublic;
}

/** The key share in noble's shape (public and secret packages). */
export function toNobleKey(suite: FrostSuite, share: KeyShare): { public: FrostPublic; secret: FrostSecret } {
  return {
    public: toNoblePublic(suite, share.publicPackage),
    secret: { identifier: nobleId(suite, share.partyId), signingShare: Uint8Array.from(share.signingShare) },
  };
}

/** The group public key as a verifier sees it (Ed25519: 32 bytes; BIP340: 32-byte x-only). */
export function groupPublicKey(pub: PublicKeyPackage): Uint8Array {
  const suite = getSuite(pub.suite, 'publicPackage.suite');
  return suite.externalPublicKey(pub.groupCommitment[0]);
}

/**
 * Cheap structural check of a key share on the signing path (types, lengths, membership). The full
 * check ({@link validateKeyShare}) runs when a share is decoded or imported.
 */
export function assertKeyShareShape(share: unknown, argument = 'keyShare'): KeyShare {
  if (typeof share !== 'object' || share === null) throw new InvalidInputError(argument, 'expected an object');
  const k = share as KeyShare;
  const pub = k.publicPackage;
  if (typeof pub !== 'object' || pub === null) throw new InvalidInputError(`${argument}.publicPackage`, 'expected an object');
  const suite = getSuite(pub.suite, `${argument}.publicPackage.suite`);
  const ids = validatePartyIds(pub.partyIds, `${argument}.publicPackage.partyIds`);
  validateThreshold(pub.threshold, ids.length, `${argument}.publicPackage.threshold`);
  if (!ids.includes(k.partyId)) throw new InvalidInputError(`${argument}.partyId`, 'not one of the package party ids');
  const okPoints = (a: unknown, len: number) =>
    Array.isArray(a) && a.length === len && a.every((p) => p instanceof Uint8Array && p.length === suite.pointLength);
  if (!okPoints(pub.groupCommitment, pub.threshold)) throw new InvalidInputError(`${argument}.publicPackage.groupCommitment`, 'wrong shape');
  if (!okPoints(pub.verifyingShares, ids.length)) throw new InvalidInputError(`${argument}.publicPackage.verifyingShares`, 'wrong shape');
  if (!(pub.chainCode instanceof Uint8Array) || pub.chainCode.length !== 32) throw new InvalidInputError(`${argument}.publicPackage.chainCode`, 'expected 32 bytes');
  suite.parseScalar(k.signingShare, `${argument}.signingShare`);
  return k;
}
