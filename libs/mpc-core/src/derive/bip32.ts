import { hmac } from '@noble/hashes/hmac.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { InvalidInputError } from '../errors';
import { CURVE_ORDER, G, type Point, assertPoint, bytesToBigInt, modq, pointFromHex } from '../ecdsa/curve';

/**
 * Non-hardened BIP32 derivation from a threshold public key (BIP-0032, "Public parent key → public
 * child key", CKDpub). A threshold key has no single private key, so only non-hardened indices can
 * be derived; a hardened index is refused. The child key is K_child = K_root + tweak·G with
 * tweak = Σ IL (mod n) over the path: the tweak is public and is applied at signing time (see
 * ecdsa/sign), so one keygen serves any number of addresses.
 */
export const HARDENED_OFFSET = 0x80000000;

export interface ExtendedPublicKey {
  readonly publicKey: Point;
  /** 32 bytes. */
  readonly chainCode: Uint8Array;
  /** Present when parsed from or derived to a serialized xpub. */
  readonly depth?: number;
  readonly parentFingerprint?: number;
  readonly childIndex?: number;
}

export interface DerivedKey extends ExtendedPublicKey {
  /** Σ IL mod n over the path: child = root + tweak·G. */
  readonly tweak: bigint;
  readonly path: readonly number[];
}

function assertChainCode(chainCode: unknown, name: string): asserts chainCode is Uint8Array {
  if (!(chainCode instanceof Uint8Array) || chainCode.length !== 32) throw new InvalidInputError(name, 'must be 32 bytes');
}

function ser32(i: number): Uint8Array {
  return new Uint8Array([(i >>> 24) & 0xff, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff]);
}

function fingerprint(P: Point): number {
  const h = ripemd160(sha256(P.toBytes(true)));
  return ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
}

/** CKDpub for one non-hardened index. */
export function deriveChildPublicKey(parent: ExtendedPublicKey, index: number): ExtendedPublicKey & { readonly tweak: bigint } {
  assertPoint(parent.publicKey, 'parent.publicKey');
  assertChainCode(parent.chainCode, 'parent.chainCode');
  if (!Number.isSafeInteger(index) || index < 0 || index > 0xffffffff) throw new InvalidInputError('index', 'must be an integer in [0, 2^32)');
  if (index >= HARDENED_OFFSET) {
    throw new InvalidInputError('index', `hardened index ${index - HARDENED_OFFSET}H cannot be derived from a (threshold) public key`);
  }
  const I = hmac(sha512, parent.chainCode, concatBytes(parent.publicKey.toBytes(true), ser32(index)));
  const IL = bytesToBigInt(I.subarray(0, 32));
  if (IL >= CURVE_ORDER) throw new InvalidInputError('index', 'IL >= n for this index (BIP32: use the next index)');
  const publicKey = IL === 0n ? parent.publicKey : G.multiply(IL).add(parent.publicKey);
  if (publicKey.is0()) throw new InvalidInputError('index', 'child key is the identity for this index (BIP32: use the next index)');
  return {
    publicKey,
    chainCode: I.slice(32),
    tweak: IL,
    depth: (parent.depth ?? 0) + 1,
    parentFingerprint: fingerprint(parent.publicKey),
    childIndex: index,
  };
}

/** Parses `m/0/1/2` (or an array of indices); `'`, `h` or `H` suffixes and indices ≥ 2^31 are refused. */
export function parsePath(path: string | readonly number[]): number[] {
  if (Array.isArray(path)) return path.map((i: unknown) => {
    if (typeof i !== 'number' || !Number.isSafeInteger(i) || i < 0 || i > 0xffffffff) throw new InvalidInputError('path', 'indices must be integers in [0, 2^32)');
    if (i >= HARDENED_OFFSET) throw new InvalidInputError('path', 'hardened indices cannot be derived from a (threshold) public key');
    return i;
  });
  if (typeof path !== 'string') throw new InvalidInputError('path', 'must be a string like m/0/1 or an array of indices');
  const parts = path.split('/');
  if (parts[0] !== 'm') throw new InvalidInputError('path', "must start with 'm'");
  return parts.slice(1).map((p) => {
    if (/^\d+['hH]$/.test(p)) throw new InvalidInputError('path', `hardened index ${p} cannot be derived from a (threshold) public key`);
    if (!/^\d{1,10}$/.test(p)) throw new InvalidInputError('path', `malformed index ${JSON.stringify(p)}`);
    const i = Number(p);
    if (i >= HARDENED_OFFSET) throw new InvalidInputError('path', `index ${p} is hardened (>= 2^31) and cannot be derived from a (threshold) public key`);
    return i;
  });
}

/** Derives along a non-hardened path; returns the child key, its chain code and the total tweak. */
export function derivePublicPath(root: ExtendedPublicKey, path: string | readonly number[]): DerivedKey {
  const indices = parsePath(path);
  let current: ExtendedPublicKey = root;
  let tweak = 0n;
  for (const i of indices) {
    const child = deriveChildPublicKey(current, i);
    tweak = modq(tweak + child.tweak);
    current = child;
  }
  return { ...current, tweak, path: indices };
}

// ---- xpub serialization (BIP32 "Serialization format"), for vectors and operators -----------------

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const XPUB_VERSION = 0x0488b21e;

function base58CheckEncode(payload: Uint8Array): string {
  const data = concatBytes(payload, sha256(sha256(payload)).subarray(0, 4));
  let n = bytesToBigInt(data);
  let out = '';
  while (n > 0n) {
    out = B58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of data) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}

function base58CheckDecode(text: string, name: string): Uint8Array {
  if (typeof text !== 'string' || text.length === 0 || text.length > 200) throw new InvalidInputError(name, 'must be a base58 string');
  let n = 0n;
  for (const ch of text) {
    const v = B58.indexOf(ch);
    if (v < 0) throw new InvalidInputError(name, 'not base58');
    n = n * 58n + BigInt(v);
  }
  let hex = n === 0n ? '' : n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let zeros = 0;
  while (text[zeros] === '1') zeros++;
  const body = new Uint8Array(zeros + hex.length / 2);
  for (let i = 0; i < hex.length / 2; i++) body[zeros + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  if (body.length < 4) throw new InvalidInputError(name, 'too short');
  const payload = body.subarray(0, body.length - 4);
  const check = sha256(sha256(payload)).subarray(0, 4);
  if (!check.every((b, i) => b === body[body.length - 4 + i])) throw new InvalidInputError(name, 'bad checksum');
  return payload;
}

/**
 * BIP32 "Serialization format": a master key (depth 0) has no parent, so its parent fingerprint and
 * child number must be 0 (BIP-0032 test vector 5, "zero depth with non-zero parent fingerprint / index").
 */
function assertRootHasNoParent(depth: number, parentFingerprint: number, childIndex: number, name: string): void {
  if (depth !== 0) return;
  if (parentFingerprint !== 0) throw new InvalidInputError(`${name}.parentFingerprint`, 'must be 0 at depth 0 (a master key has no parent)');
  if (childIndex !== 0) throw new InvalidInputError(`${name}.childIndex`, 'must be 0 at depth 0 (a master key has no parent)');
}

/**
 * Parses a mainnet xpub (BIP32 "Serialization format"), refusing every public key of BIP-0032 test
 * vector 5: another version, a public key that is not a compressed point on the curve, and a depth-0
 * key with a parent fingerprint or child number.
 */
export function parseExtendedPublicKey(xpub: string): ExtendedPublicKey {
  const data = base58CheckDecode(xpub, 'xpub');
  if (data.length !== 78) throw new InvalidInputError('xpub', 'must decode to 78 bytes');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (view.getUint32(0) !== XPUB_VERSION) throw new InvalidInputError('xpub.version', 'not a mainnet xpub (version 0488b21e)');
  const depth = data[4]!;
  const parentFingerprint = view.getUint32(5);
  const childIndex = view.getUint32(9);
  assertRootHasNoParent(depth, parentFingerprint, childIndex, 'xpub');
  const pub = Array.from(data.subarray(45, 78), (b) => b.toString(16).padStart(2, '0')).join('');
  return {
    depth,
    parentFingerprint,
    childIndex,
    chainCode: data.slice(13, 45),
    publicKey: pointFromHex(pub, 'xpub.publicKey'),
  };
}

function assertUint(value: unknown, max: number, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw new InvalidInputError(name, `must be an integer in [0, ${max}]`);
  return value;
}

/**
 * Serializes as a mainnet xpub. Refuses what the format cannot hold (depth above 255, e.g. the child of
 * a depth-255 key; fields that are not u32) and a depth-0 key with a parent, instead of wrapping.
 */
export function serializeExtendedPublicKey(key: ExtendedPublicKey): string {
  assertPoint(key.publicKey, 'key.publicKey');
  assertChainCode(key.chainCode, 'key.chainCode');
  const depth = assertUint(key.depth ?? 0, 255, 'key.depth');
  const parentFingerprint = assertUint(key.parentFingerprint ?? 0, 0xffffffff, 'key.parentFingerprint');
  const childIndex = assertUint(key.childIndex ?? 0, 0xffffffff, 'key.childIndex');
  assertRootHasNoParent(depth, parentFingerprint, childIndex, 'key');
  const out = new Uint8Array(78);
  const view = new DataView(out.buffer);
  view.setUint32(0, XPUB_VERSION);
  out[4] = depth;
  view.setUint32(5, parentFingerprint);
  view.setUint32(9, childIndex);
  out.set(key.chainCode, 13);
  out.set(key.publicKey.toBytes(true), 45);
  return base58CheckEncode(out);
}
