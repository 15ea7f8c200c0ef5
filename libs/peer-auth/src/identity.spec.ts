import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { inspect } from 'node:util';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  generateIdentity,
  identityFromSeed,
  identityFromText,
  parseIdentityPublicKey,
  parseSeed,
  PeerAuthInputError,
  validateIdentityPublicKey,
  x25519PublicKeyOf,
} from './index';
import { testOnlyRng, testOnlySeed } from '../test/test-only-fixtures';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

// RFC 8032 §7.1, TEST 1.
const RFC8032_SECRET = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC8032_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

function nodeEd25519Private(seed: Uint8Array) {
  // PKCS#8 prefix of an Ed25519 private key (RFC 8410) followed by the 32-byte seed.
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

describe('PeerIdentity', () => {
  it('derives the RFC 8032 test-vector public key from its seed', () => {
    expect(hex(identityFromSeed(fromHex(RFC8032_SECRET)).publicKey)).toBe(RFC8032_PUBLIC);
  });

  it('agrees with node:crypto on the public key and on signatures both ways', () => {
    const seed = testOnlySeed(7);
    const id = identityFromSeed(seed);
    const priv = nodeEd25519Private(seed);
    const pubDer = createPublicKey(priv).export({ format: 'der', type: 'spki' });
    expect(hex(pubDer.subarray(pubDer.length - 32))).toBe(hex(id.publicKey));
    const msg = Buffer.from('custody test message');
    expect(nodeVerify(null, msg, createPublicKey(priv), id.sign(msg))).toBe(true);
    expect(ed25519.verify(nodeSign(null, msg, priv), msg, id.publicKey)).toBe(true);
  });

  it('derives an X25519 key whose agreement is symmetric and matches the public conversion', () => {
    const a = identityFromSeed(testOnlySeed(1));
    const b = identityFromSeed(testOnlySeed(2));
    expect(hex(a.agree(b.x25519PublicKey))).toBe(hex(b.agree(a.x25519PublicKey)));
    expect(hex(x25519PublicKeyOf(a.publicKey))).toBe(hex(a.x25519PublicKey));
  });

  it('never shows its secret in JSON or util.inspect', () => {
    const seed = testOnlySeed(3);
    const id = identityFromSeed(seed);
    const shown = JSON.stringify(id) + inspect(id, { showHidden: true, depth: 5 }) + inspect({ nested: id });
    expect(shown).not.toContain(hex(seed));
    expect(shown).toContain(hex(id.publicKey));
  });

  it('copies the seed (later changes to the caller buffer do not change the key)', () => {
    const seed = testOnlySeed(4);
    const id = identityFromSeed(seed);
    const before = id.sign(new Uint8Array([1]));
    seed.fill(0);
    expect(hex(id.sign(new Uint8Array([1])))).toBe(hex(before));
  });

  it('generates from the injected rng and refuses a short rng', () => {
    const a = generateIdentity(testOnlyRng('g'));
    const b = generateIdentity(testOnlyRng('g'));
    expect(hex(a.publicKey)).toBe(hex(b.publicKey));
    expect(() => generateIdentity(() => new Uint8Array(31))).toThrow(PeerAuthInputError);
  });

  it('refuses seeds of the wrong length or type', () => {
    expect(() => identityFromSeed(new Uint8Array(31))).toThrow(/seed: must be 32 bytes/);
    expect(() => identityFromSeed('00' as unknown as Uint8Array)).toThrow(PeerAuthInputError);
  });
});

describe('parseSeed', () => {
  const seed = testOnlySeed(5);
  it('accepts hex (either case, optional 0x), base64 and a trailing newline', () => {
    for (const text of [hex(seed), hex(seed).toUpperCase(), '0x' + hex(seed), Buffer.from(seed).toString('base64'), hex(seed) + '\n']) {
      expect(hex(parseSeed(text))).toBe(hex(seed));
    }
    expect(hex(identityFromText(hex(seed)).publicKey)).toBe(hex(identityFromSeed(seed).publicKey));
  });

  it('refuses wrong lengths, mixed case, inner whitespace and non-canonical base64, without echoing the value', () => {
    const b64 = Buffer.from(seed).toString('base64');
    const nonCanonical = b64.slice(0, 42) + String.fromCharCode(b64.charCodeAt(42) + 1) + '=';
    const bad = [
      hex(seed).slice(2),
      hex(seed) + '00',
      hex(seed).slice(0, 10).toUpperCase() + hex(seed).slice(10),
      hex(seed).slice(0, 32) + ' ' + hex(seed).slice(32),
      b64.slice(0, -1),
      nonCanonical,
      '',
    ];
    for (const text of bad) {
      let error: unknown;
      try {
        parseSeed(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PeerAuthInputError);
      if (text.length > 8) expect((error as Error).message).not.toContain(text.trim().slice(4, 20));
    }
  });
});

describe('identity public keys', () => {
  const good = identityFromSeed(testOnlySeed(6)).publicKey;
  const p = 2n ** 255n - 19n;
  const le = (x: bigint) => {
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i++) out[i] = Number((x >> BigInt(8 * i)) & 0xffn);
    return out;
  };

  it('accepts a valid key in hex and base64', () => {
    expect(hex(parseIdentityPublicKey(hex(good)))).toBe(hex(good));
    expect(hex(parseIdentityPublicKey(Buffer.from(good).toString('base64')))).toBe(hex(good));
  });

  it.each([
    ['the identity point', le(1n)],
    ['the point of order 2 (y = -1)', le(p - 1n)],
    ['a non-canonical encoding (y = p + 1, the identity again)', le(p + 1n)],
    ['a point of order 4 (y = 0)', le(0n)],
  ])('refuses %s', (_name, bytes) => {
    expect(() => validateIdentityPublicKey(bytes)).toThrow(PeerAuthInputError);
  });

  it('refuses a mixed-order key (valid key plus a torsion point)', () => {
    const torsion = ed25519.Point.fromBytes(le(0n)); // order 4
    const mixed = ed25519.Point.fromBytes(good).add(torsion).toBytes();
    expect(() => validateIdentityPublicKey(mixed)).toThrow(/prime-order subgroup/);
  });

  it('refuses bytes that are not on the curve, and wrong lengths', () => {
    let notOnCurve: Uint8Array | undefined;
    for (let y = 2n; notOnCurve === undefined; y++) {
      if (!ed25519.utils.isValidPublicKey(le(y), false)) notOnCurve = le(y);
    }
    expect(() => validateIdentityPublicKey(notOnCurve)).toThrow(/canonical encoding/);
    expect(() => validateIdentityPublicKey(good.subarray(0, 31))).toThrow(/32 bytes/);
    expect(() => parseIdentityPublicKey('zz')).toThrow(PeerAuthInputError);
  });
});
