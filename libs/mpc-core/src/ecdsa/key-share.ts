import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { InvalidInputError, type PartyId } from '../errors';
import { lagrangeCoefficientAt } from '../math/lagrange';
import { MAX_PAILLIER_BITS, MIN_PAILLIER_BITS, type PaillierSecretKey, paillierPublicKey, paillierSecretKeyFromPrimes } from '../math/paillier';
import { assertValidRingPedersenParams } from '../math/ring-pedersen';
import type { AuxInfoOutput, PartyAuxInfo } from './aux-info/state';
import { CURVE_ORDER, G, Point, assertPoint, isHex, mulPublic, pointFromHex, pointToHex } from './curve';
import type { KeygenOutput } from './keygen/state';
import { assertObject, normalizeParties, parseVersionedRecord } from './protocol';

/**
 * A party's ECDSA key share (GG20-style: Shamir share + Paillier key pair + everyone's Paillier
 * public keys and ring-Pedersen parameters). Secret: only the share vault serializes it. Never
 * mutated: refresh returns a new one.
 */
export const KEY_SHARE_VERSION = 1;

export interface PartyPublicInfo extends PartyAuxInfo {
  /** X_j = x_j·G. */
  readonly X: Point;
}

export interface KeyShare {
  readonly version: typeof KEY_SHARE_VERSION;
  readonly curve: 'secp256k1';
  readonly self: PartyId;
  readonly threshold: number;
  readonly partyIds: readonly PartyId[];
  /** x_i, the Shamir share (secret). */
  readonly share: bigint;
  readonly publicKey: Point;
  /** 32 bytes, derived jointly in keygen (BIP32 chain code of the root key). */
  readonly chainCode: Uint8Array;
  /** Minimum Paillier modulus size every party's key was checked against. */
  readonly paillierBits: number;
  readonly paillierSecret: PaillierSecretKey;
  readonly parties: ReadonlyMap<PartyId, PartyPublicInfo>;
}

/** Checks every public share lies on one polynomial of degree t−1 whose value at 0 is the public key. */
function checkPublicShares(partyIds: readonly PartyId[], threshold: number, shares: ReadonlyMap<PartyId, Point>, publicKey: Point): void {
  const base = partyIds.slice(0, threshold);
  const at = (x: bigint): Point => base.reduce<Point>((acc, id) => acc.add(mulPublic(shares.get(id)!, lagrangeCoefficientAt(id, base, x))), Point.ZERO);
  if (!at(0n).equals(publicKey)) throw new InvalidInputError('publicKey', 'does not match the public shares');
  for (const id of partyIds.slice(threshold)) {
    if (!at(BigInt(id)).equals(shares.get(id)!)) throw new InvalidInputError(`parties[${id}].X`, 'not on the polynomial of the other public shares');
  }
}

export interface KeyShareFields {
  readonly self: PartyId;
  readonly threshold: number;
  readonly partyIds: readonly PartyId[];
  readonly share: bigint;
  readonly publicKey: Point;
  readonly chainCode: Uint8Array;
  readonly paillierBits: number;
  /** Largest modulus accepted for any party (default paillierBits); checked before anything else about the modulus. */
  readonly maxPaillierBits?: number;
  readonly paillierSecret: PaillierSecretKey;
  readonly parties: ReadonlyMap<PartyId, PartyPublicInfo>;
}

function resolveMaxBits(maxBits: unknown, paillierBits: number): number {
  if (maxBits === undefined) return paillierBits;
  if (typeof maxBits !== 'number' || !Number.isSafeInteger(maxBits) || maxBits < paillierBits || maxBits > MAX_PAILLIER_BITS) {
    throw new InvalidInputError('maxPaillierBits', `must be an integer in [paillierBits = ${paillierBits}, ${MAX_PAILLIER_BITS}]`);
  }
  return maxBits;
}

/** Validates every field and builds the key share. */
export function makeKeyShare(f: KeyShareFields): KeyShare {
  const partyIds = normalizeParties(f.partyIds, 'partyIds', f.self);
  if (!Number.isSafeInteger(f.threshold) || f.threshold < 2 || f.threshold > partyIds.length) {
    throw new InvalidInputError('threshold', 'must be an integer with 2 <= threshold <= number of parties');
  }
  if (typeof f.share !== 'bigint' || f.share <= 0n || f.share >= CURVE_ORDER) throw new InvalidInputError('share', 'must be in [1, n)');
  assertPoint(f.publicKey, 'publicKey');
  if (!(f.chainCode instanceof Uint8Array) || f.chainCode.length !== 32) throw new InvalidInputError('chainCode', 'must be 32 bytes');
  if (!Number.isSafeInteger(f.paillierBits) || f.paillierBits < MIN_PAILLIER_BITS) {
    throw new InvalidInputError('paillierBits', `must be at least ${MIN_PAILLIER_BITS}`);
  }
  const maxBits = resolveMaxBits(f.maxPaillierBits, f.paillierBits);
  const partiesIn: unknown = f.parties;
  if (!(partiesIn instanceof Map) || partiesIn.size !== partyIds.length) throw new InvalidInputError('parties', 'must hold every party');
  const Ns = new Set<bigint>();
  for (const id of partyIds) {
    const p = f.parties.get(id);
    if (!p) throw new InvalidInputError('parties', `missing party ${id}`);
    assertPoint(p.X, `parties[${id}].X`);
    paillierPublicKey(p.paillier?.N, f.paillierBits, maxBits);
    if (p.paillier.N2 !== p.paillier.N * p.paillier.N) throw new InvalidInputError(`parties[${id}].paillier`, 'N2 != N^2');
    assertValidRingPedersenParams(p.ringPedersen, f.paillierBits, maxBits, `parties[${id}].ringPedersen`);
    if (p.ringPedersen.N !== p.paillier.N) throw new InvalidInputError(`parties[${id}].ringPedersen`, 'modulus differs from the Paillier modulus');
    if (Ns.has(p.paillier.N)) throw new InvalidInputError(`parties[${id}].paillier`, 'modulus used by two parties');
    Ns.add(p.paillier.N);
  }
  const own = f.parties.get(f.self)!;
  if (own.paillier.N !== f.paillierSecret?.publicKey?.N) throw new InvalidInputError('paillierSecret', 'does not match our Paillier public key');
  if (!G.multiply(f.share).equals(own.X)) throw new InvalidInputError('share', 'does not match our public share');
  checkPublicShares(partyIds, f.threshold, new Map([...f.parties].map(([id, p]) => [id, p.X])), f.publicKey);
  return {
    version: KEY_SHARE_VERSION,
    curve: 'secp256k1',
    self: f.self,
    threshold: f.threshold,
    partyIds,
    share: f.share,
    publicKey: f.publicKey,
    chainCode: new Uint8Array(f.chainCode),
    paillierBits: f.paillierBits,
    paillierSecret: f.paillierSecret,
    parties: new Map(f.parties),
  };
}

/** The key share from a key generation and an auxiliary-information run of the same parties. */
export function assembleKeyShare(keygen: KeygenOutput, aux: AuxInfoOutput): KeyShare {
  if (keygen.mode !== 'keygen') throw new InvalidInputError('keygen', 'must be a key generation output (not a refresh)');
  if (keygen.self !== aux.self || keygen.partyIds.join(',') !== aux.partyIds.join(',')) {
    throw new InvalidInputError('aux', 'parties differ from the key generation');
  }
  const parties = new Map<PartyId, PartyPublicInfo>();
  for (const id of keygen.partyIds) parties.set(id, { X: keygen.publicShares.get(id)!, ...aux.parties.get(id)! });
  return makeKeyShare({ ...keygen, paillierBits: aux.paillierBits, maxPaillierBits: aux.maxPaillierBits, paillierSecret: aux.paillierSecret, parties });
}

// ---- versioned serialization ----------------------------------------------------------------------

export interface SerializedKeyShareV1 {
  readonly version: 1;
  readonly curve: 'secp256k1';
  readonly self: number;
  readonly threshold: number;
  readonly partyIds: number[];
  readonly share: string;
  readonly publicKey: string;
  readonly chainCode: string;
  readonly paillierBits: number;
  readonly paillierSecret: { readonly p: string; readonly q: string };
  readonly parties: { readonly id: number; readonly X: string; readonly N: string; readonly s: string; readonly t: string }[];
}

const hex = (x: bigint): string => x.toString(16);

/** JSON of hex strings. Contains the secret share and Paillier factors: for the share vault only. */
export function serializeKeyShare(share: KeyShare): string {
  const out: SerializedKeyShareV1 = {
    version: 1,
    curve: 'secp256k1',
    self: share.self,
    threshold: share.threshold,
    partyIds: [...share.partyIds],
    share: hex(share.share),
    publicKey: pointToHex(share.publicKey),
    chainCode: bytesToHex(share.chainCode),
    paillierBits: share.paillierBits,
    paillierSecret: { p: hex(share.paillierSecret.p), q: hex(share.paillierSecret.q) },
    parties: share.partyIds.map((id) => {
      const p = share.parties.get(id)!;
      return { id, X: pointToHex(p.X), N: hex(p.paillier.N), s: hex(p.ringPedersen.s), t: hex(p.ringPedersen.t) };
    }),
  };
  return JSON.stringify(out);
}

function hexBig(v: unknown, name: string): bigint {
  if (typeof v !== 'string' || !/^[0-9a-f]{1,2048}$/.test(v)) throw new InvalidInputError(name, 'must be lowercase hex');
  return BigInt('0x' + v);
}

/**
 * Parses and validates everything (points on the curve, scalars < n, modulus sizes, consistency);
 * InvalidInputError otherwise. Every party's modulus must have between the record's `paillierBits`
 * and `maxPaillierBits` bits (default: `paillierBits`; a node passes its configured maximum); the
 * upper bound is checked before anything else is computed on a modulus.
 */
export function deserializeKeyShare(text: string, maxPaillierBits?: number): KeyShare {
  const o = parseVersionedRecord(text, 'keyShare', KEY_SHARE_VERSION);
  if (typeof o.self !== 'number' || typeof o.threshold !== 'number' || typeof o.paillierBits !== 'number') {
    throw new InvalidInputError('keyShare', 'self, threshold and paillierBits must be numbers');
  }
  if (!Number.isSafeInteger(o.paillierBits) || o.paillierBits < MIN_PAILLIER_BITS) throw new InvalidInputError('paillierBits', `must be at least ${MIN_PAILLIER_BITS}`);
  const maxBits = resolveMaxBits(maxPaillierBits, o.paillierBits);
  if (!Array.isArray(o.partyIds) || !Array.isArray(o.parties)) throw new InvalidInputError('keyShare', 'partyIds and parties must be arrays');
  const share = hexBig(o.share, 'keyShare.share');
  if (share >= CURVE_ORDER || share === 0n) throw new InvalidInputError('keyShare.share', 'must be in [1, n)');
  if (!isHex(o.chainCode, 32)) throw new InvalidInputError('keyShare.chainCode', 'must be 32 bytes of hex');
  assertObject(o.paillierSecret, 'keyShare.paillierSecret');
  const p = hexBig(o.paillierSecret.p, 'keyShare.paillierSecret.p');
  const q = hexBig(o.paillierSecret.q, 'keyShare.paillierSecret.q');
  const paillierSecret = paillierSecretKeyFromPrimes(p, q);
  const parties = new Map<PartyId, PartyPublicInfo>();
  (o.parties as unknown[]).forEach((entry, k) => {
    assertObject(entry, `keyShare.parties[${k}]`);
    if (typeof entry.id !== 'number') throw new InvalidInputError(`keyShare.parties[${k}].id`, 'must be a number');
    if (parties.has(entry.id)) throw new InvalidInputError(`keyShare.parties[${k}].id`, 'duplicate');
    const N = hexBig(entry.N, `keyShare.parties[${k}].N`);
    parties.set(entry.id, {
      X: pointFromHex(entry.X, `keyShare.parties[${k}].X`),
      paillier: paillierPublicKey(N, o.paillierBits as number, maxBits),
      ringPedersen: { N, s: hexBig(entry.s, `keyShare.parties[${k}].s`), t: hexBig(entry.t, `keyShare.parties[${k}].t`) },
    });
  });
  return makeKeyShare({
    self: o.self,
    threshold: o.threshold,
    partyIds: o.partyIds as number[],
    share,
    publicKey: pointFromHex(o.publicKey, 'keyShare.publicKey'),
    chainCode: hexToBytes(o.chainCode),
    paillierBits: o.paillierBits,
    maxPaillierBits: maxBits,
    paillierSecret,
    parties,
  });
}
