import vectors from '../../test/vectors/bip32-public-derivation.json';
import invalid from '../../test/vectors/bip32-invalid-extended-public-keys.json';
import { InvalidInputError } from '../errors';
import { G } from '../ecdsa/curve';
import { deriveChildPublicKey, derivePublicPath, parseExtendedPublicKey, parsePath, serializeExtendedPublicKey } from './bip32';

describe('BIP32 non-hardened public derivation (BIP-0032 test vectors 1 and 2)', () => {
  it.each(vectors.cases)('vector $vector: $parentPath / $index', ({ parent, index, child }) => {
    const p = parseExtendedPublicKey(parent);
    expect(serializeExtendedPublicKey(p)).toBe(parent);
    const c = deriveChildPublicKey(p, index);
    expect(serializeExtendedPublicKey(c)).toBe(child);
    // child = parent + tweak·G
    expect(c.publicKey.equals(p.publicKey.add(G.multiply(c.tweak)))).toBe(true);
  });

  it.each(vectors.multiStep)('vector $vector: multi-step path $path accumulates the tweak', ({ parent, path, child }) => {
    const p = parseExtendedPublicKey(parent);
    const c = derivePublicPath(p, path);
    expect(serializeExtendedPublicKey(c)).toBe(child);
    expect(c.publicKey.equals(p.publicKey.add(G.multiply(c.tweak)))).toBe(true);
  });

  it.each(vectors.hardened)('refuses a hardened path ($path) with a clear error', ({ parent, path }) => {
    const p = parseExtendedPublicKey(parent);
    expect(() => derivePublicPath(p, path)).toThrow(/hardened/);
    expect(() => deriveChildPublicKey(p, 0x80000000)).toThrow(InvalidInputError);
    expect(() => parsePath([0x80000001])).toThrow(/hardened/);
    expect(() => parsePath("m/1'")).toThrow(/hardened/);
  });

  it('rejects malformed input', () => {
    expect(() => parsePath('0/1')).toThrow(InvalidInputError);
    expect(() => parsePath('m/x')).toThrow(InvalidInputError);
    expect(() => parseExtendedPublicKey(vectors.cases[0].parent.slice(0, -1) + 'x')).toThrow(InvalidInputError);
    expect(() => deriveChildPublicKey({ publicKey: G, chainCode: new Uint8Array(31) }, 0)).toThrow(/chainCode/);
  });
});

describe('BIP32 extended public keys that must be refused (BIP-0032 test vector 5)', () => {
  it.each(invalid.cases)('refuses $reason: $key', ({ key, error }) => {
    let thrown: unknown;
    try {
      parseExtendedPublicKey(key);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InvalidInputError);
    expect((thrown as InvalidInputError).argument).toBe(error);
  });

  it('refuses to serialize what cannot be parsed back: depth outside [0, 255], non-u32 fields, a root with a parent', () => {
    const p = parseExtendedPublicKey(vectors.cases[0].parent);
    expect(() => serializeExtendedPublicKey({ ...p, depth: 256 })).toThrow(/key\.depth/);
    expect(() => serializeExtendedPublicKey({ ...p, depth: -1 })).toThrow(/key\.depth/);
    expect(() => serializeExtendedPublicKey({ ...p, depth: 1.5 })).toThrow(/key\.depth/);
    expect(() => serializeExtendedPublicKey({ ...p, parentFingerprint: 2 ** 32 })).toThrow(/key\.parentFingerprint/);
    expect(() => serializeExtendedPublicKey({ ...p, childIndex: -1 })).toThrow(/key\.childIndex/);
    expect(() => serializeExtendedPublicKey({ ...p, depth: 0 })).toThrow(/key\.parentFingerprint/);
    expect(() => serializeExtendedPublicKey({ publicKey: p.publicKey, chainCode: p.chainCode, depth: 0, childIndex: 1 })).toThrow(/key\.childIndex/);
    // depth 255 is the deepest a serialized key can be; its child (depth 256) cannot be serialized
    const deep = { ...p, depth: 255 };
    expect(parseExtendedPublicKey(serializeExtendedPublicKey(deep)).depth).toBe(255);
    expect(() => serializeExtendedPublicKey(deriveChildPublicKey(deep, 0))).toThrow(/key\.depth/);
  });
});
