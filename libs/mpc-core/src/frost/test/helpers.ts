import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import type { Rng } from '../../rng';

/**
 * TEST-ONLY helpers: a seeded deterministic RNG (never for production), verification of Ed25519
 * signatures with node:crypto, and an independent BIP340 verifier written from the BIP340 text with
 * plain BigInt arithmetic and node:crypto's SHA-256 (no noble code involved).
 */

/** TEST ONLY: a deterministic byte stream, SHA-256(seed ‖ counter) blocks. */
export function testOnlySeededRng(seed: string): Rng {
  let counter = 0;
  return (byteLength: number) => {
    const out = new Uint8Array(byteLength);
    let filled = 0;
    while (filled < byteLength) {
      const block = createHash('sha256').update(seed).update(String(counter++)).digest();
      out.set(block.subarray(0, Math.min(32, byteLength - filled)), filled);
      filled += 32;
    }
    return out;
  };
}

export function fromHexString(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

export function toHexString(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Verifies an Ed25519 signature with node:crypto (OpenSSL), the key given raw as a JWK. */
export function nodeVerifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
  return nodeVerify(null, message, key, signature);
}

// ---- BIP340 verification from the specification (https://github.com/bitcoin/bips/blob/master/bip-0340.mediawiki)
const p = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const G: [bigint, bigint] = [
  0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n,
  0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n,
];
type Pt = [bigint, bigint] | null;

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;
function powMod(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b = mod(b, m);
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}
/** Modular inverse by the extended Euclidean algorithm. */
function inv(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}
function add(P1: Pt, P2: Pt): Pt {
  if (P1 === null) return P2;
  if (P2 === null) return P1;
  if (P1[0] === P2[0] && P1[1] !== P2[1]) return null;
  const lam = P1[0] === P2[0] && P1[1] === P2[1]
    ? mod(3n * P1[0] * P1[0] * inv(2n * P1[1], p), p)
    : mod((P2[1] - P1[1]) * inv(P2[0] - P1[0], p), p);
  const x3 = mod(lam * lam - P1[0] - P2[0], p);
  return [x3, mod(lam * (P1[0] - x3) - P1[1], p)];
}
/** a·A + b·B by Shamir's trick (one double-and-add loop). */
function mul2(A: Pt, a: bigint, B: Pt, b: bigint): Pt {
  const AB = add(A, B);
  let R: Pt = null;
  for (let i = 255; i >= 0; i--) {
    R = add(R, R);
    const bitA = (a >> BigInt(i)) & 1n;
    const bitB = (b >> BigInt(i)) & 1n;
    if (bitA && bitB) R = add(R, AB);
    else if (bitA) R = add(R, A);
    else if (bitB) R = add(R, B);
  }
  return R;
}
const int = (b: Uint8Array) => BigInt('0x' + (Buffer.from(b).toString('hex') || '0'));
const bytes32 = (x: bigint) => Buffer.from(x.toString(16).padStart(64, '0'), 'hex');
function taggedHashNode(tag: string, ...data: Uint8Array[]): Uint8Array {
  const th = createHash('sha256').update(tag).digest();
  const h = createHash('sha256').update(th).update(th);
  for (const d of data) h.update(d);
  return h.digest();
}
function liftX(x: bigint): Pt {
  if (x >= p) return null;
  const c = mod(x * x * x + 7n, p);
  const y = powMod(c, (p + 1n) / 4n, p);
  if (powMod(y, 2n, p) !== c) return null;
  return [x, (y & 1n) === 0n ? y : p - y];
}

/** BIP340 `Verify(pk, m, sig)` from the specification, independent of noble. */
export function independentBip340Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const P = liftX(int(publicKey));
  if (P === null) return false;
  const r = int(signature.subarray(0, 32));
  const s = int(signature.subarray(32));
  if (r >= p || s >= n) return false;
  const e = mod(int(taggedHashNode('BIP0340/challenge', bytes32(r), publicKey, message)), n);
  const R = mul2(G, s, P, n - e);
  if (R === null || (R[1] & 1n) !== 0n || R[0] !== r) return false;
  return true;
}

/** Runs `f` and returns the error it throws (fails the test if it does not throw). */
export function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error('threw a non-Error', { cause: error });
  }
  throw new Error('expected a throw');
}

/** A session id for tests: 32 bytes of one label's hash. */
export function testSessionId(label: string): Uint8Array {
  return Uint8Array.from(createHash('sha256').update(label).digest());
}

/**
 * Independent BIP341-style x-only tweak: returns x(lift_x(x) + t·G) and whether that point has odd y,
 * computed with plain BigInt arithmetic.
 */
export function independentXOnlyTweakAdd(xOnly: Uint8Array, tweak: bigint): { x: Uint8Array; oddY: boolean } {
  const P = liftX(int(xOnly));
  if (P === null) throw new Error('not an x coordinate');
  const Q = mul2(G, tweak, P, 1n);
  if (Q === null) throw new Error('infinity');
  return { x: Uint8Array.from(bytes32(Q[0])), oddY: (Q[1] & 1n) === 1n };
}

/** BIP341 TapTweak with node:crypto's SHA-256: int(tagged_hash("TapTweak", x ‖ merkleRoot?)). */
export function independentTapTweak(xOnly: Uint8Array, merkleRoot?: Uint8Array): bigint {
  return int(taggedHashNode('TapTweak', xOnly, merkleRoot ?? new Uint8Array(0)));
}
