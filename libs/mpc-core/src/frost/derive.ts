import { bytesToNumberBE } from '@noble/curves/utils.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { InvalidInputError } from '../errors';
import { Transcript } from '../transcript';
import { isArray } from './common';
import { assertKeyShareShape, validatePublicKeyPackage, type KeyShare, type PublicKeyPackage } from './key-share';
import { getSuite, taggedHash, type FrostSuite } from './suite';

/**
 * Public, additive derivation of child keys, so that one DKG serves any number of addresses, and the
 * BIP341 key-path (Taproot) tweak. Both are applied to a copy of the key share at signing time; the
 * stored share is never changed.
 *
 * A tweak t shifts the shared polynomial's constant term: every share becomes s_i + t, every verifying
 * share Y_i + t·G and the group key P + t·G. Under BIP340 (suite `bip340`), keys are x-only, so before
 * adding t the parent is first brought to even y (P, every Y_i and every s_i negated when P has odd y),
 * exactly as BIP32-for-Taproot wallets and BIP341's `taproot_tweak_seckey` do.
 *
 * Child derivation (non-hardened, index in [0, 2^31)), with the transcript encoding of `transcript.ts`
 * (every item `u32 len(label) ‖ label ‖ u32 len(value) ‖ value`, SHAKE256):
 *
 *   T = Transcript("custody-frost/derive/v1")
 *         .bytes("suite", ciphersuite context string)
 *         .bytes("chain-code", parent chain code, 32 bytes)
 *         .bytes("public-key", parent public key as a verifier sees it: Ed25519 32 bytes, BIP340 x-only)
 *         .u32("index", index)
 *   tweak      = T.challengeBelow("tweak", group order)      (rejection-sampled, never reduced)
 *   child code = T.challengeBytes("chain-code", 32)
 *
 * Taproot: t = int(tagged_hash("TapTweak", x(P) [‖ merkle_root])), refused if t >= n (BIP341); without a
 * merkle root the key commits to no script tree (the BIP86 output key).
 */

export const MAX_CHILD_INDEX = 0x7fffffff;

interface Tweaked {
  readonly publicPackage: PublicKeyPackage;
  readonly negated: boolean;
}

function applyTweak(suite: FrostSuite, pub: PublicKeyPackage, tweak: bigint): Tweaked {
  const negated = suite.evenY && !suite.hasEvenY(pub.groupCommitment[0]);
  const norm = (p: Uint8Array) => (negated ? suite.pointNegate(p) : Uint8Array.from(p));
  const tG = suite.mulBase(tweak);
  return {
    negated,
    publicPackage: {
      ...pub,
      groupCommitment: pub.groupCommitment.map((c, k) => (k === 0 ? suite.pointAdd(norm(c), tG) : norm(c))),
      verifyingShares: pub.verifyingShares.map((y) => suite.pointAdd(norm(y), tG)),
    },
  };
}

function tweakShare(suite: FrostSuite, share: KeyShare, tweak: bigint, t: Tweaked): KeyShare {
  const { Fn } = suite;
  let s = suite.parseScalar(share.signingShare, 'keyShare.signingShare');
  if (t.negated) s = Fn.neg(s);
  return { publicPackage: t.publicPackage, partyId: share.partyId, signingShare: suite.scalarToBytes(Fn.add(s, tweak)) };
}

/** The derivation tweak and child chain code for `index` (see the module comment for the exact hashing). */
export function childTweak(pub: PublicKeyPackage, index: number): { tweak: bigint; chainCode: Uint8Array } {
  const suite = getSuite(pub.suite, 'publicPackage.suite');
  if (!Number.isInteger(index) || index < 0 || index > MAX_CHILD_INDEX) throw new InvalidInputError('index', `must be an integer in [0, ${MAX_CHILD_INDEX}]`);
  const t = new Transcript('custody-frost/derive/v1')
    .appendBytes('suite', utf8ToBytes(suite.contextString))
    .appendBytes('chain-code', pub.chainCode)
    .appendBytes('public-key', suite.externalPublicKey(pub.groupCommitment[0]))
    .appendNumber('index', index);
  const tweak = t.challengeBelow('tweak', suite.order);
  if (tweak === 0n) throw new InvalidInputError('index', 'yields a zero tweak; use another index');
  return { tweak, chainCode: t.challengeBytes('chain-code', 32) };
}

/** The child public key package at `index` (watch-only: no secret needed). */
export function deriveChildPublicKeyPackage(pub: PublicKeyPackage, index: number): PublicKeyPackage {
  validatePublicKeyPackage(pub, 'publicPackage');
  const suite = getSuite(pub.suite);
  const { tweak, chainCode } = childTweak(pub, index);
  return { ...applyTweak(suite, pub, tweak).publicPackage, chainCode };
}

/** This party's share of the child key at `index`. */
export function deriveChildKeyShare(share: KeyShare, index: number): KeyShare {
  assertKeyShareShape(share, 'keyShare');
  const suite = getSuite(share.publicPackage.suite);
  const { tweak, chainCode } = childTweak(share.publicPackage, index);
  const t = applyTweak(suite, share.publicPackage, tweak);
  const child = tweakShare(suite, share, tweak, t);
  return { ...child, publicPackage: { ...child.publicPackage, chainCode } };
}

/** A path of non-hardened indices, applied left to right. */
export function deriveKeySharePath(share: KeyShare, path: readonly number[]): KeyShare {
  if (!isArray(path)) throw new InvalidInputError('path', 'expected an array of indices');
  return path.reduce((s, index) => deriveChildKeyShare(s, index), share);
}

function tapTweak(suite: FrostSuite, pub: PublicKeyPackage, merkleRoot: Uint8Array | undefined): bigint {
  if (suite.name !== 'bip340') throw new InvalidInputError('keyShare.publicPackage.suite', 'the Taproot tweak applies to the bip340 suite only');
  if (merkleRoot !== undefined && (!(merkleRoot instanceof Uint8Array) || merkleRoot.length !== 32)) {
    throw new InvalidInputError('merkleRoot', 'expected 32 bytes (or none for a key-path-only output)');
  }
  const x = suite.externalPublicKey(pub.groupCommitment[0]);
  const t = bytesToNumberBE(taggedHash('TapTweak', x, merkleRoot ?? new Uint8Array(0)));
  if (t === 0n || t >= suite.order) throw new InvalidInputError('merkleRoot', 'TapTweak hash out of range (BIP341)');
  return t;
}

/** The Taproot output key package Q = P + t·G of an internal key P (BIP341 `taproot_tweak_pubkey`). */
export function taprootTweakPublicKeyPackage(pub: PublicKeyPackage, merkleRoot?: Uint8Array): PublicKeyPackage {
  validatePublicKeyPackage(pub, 'publicPackage');
  const suite = getSuite(pub.suite);
  return applyTweak(suite, pub, tapTweak(suite, pub, merkleRoot)).publicPackage;
}

/** This party's share of the Taproot output key (BIP341 `taproot_tweak_seckey`, shared). */
export function taprootTweakKeyShare(share: KeyShare, merkleRoot?: Uint8Array): KeyShare {
  assertKeyShareShape(share, 'keyShare');
  const suite = getSuite(share.publicPackage.suite);
  const tweak = tapTweak(suite, share.publicPackage, merkleRoot);
  return tweakShare(suite, share, tweak, applyTweak(suite, share.publicPackage, tweak));
}
