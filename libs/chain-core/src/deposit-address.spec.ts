import fc from 'fast-check';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { HDKey } from 'viem/accounts';
import { parseExtendedPublicKey } from '@custody/mpc-core/derive/bip32';
import { addressFromPublicKey, ChainInputError, depositAddress, MAX_DEPOSIT_PATH_DEPTH } from '../src';
import { BIP32_PUBLIC_STEPS } from '../test/vectors';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const wallet = (xpub: string) => {
  const k = parseExtendedPublicKey(xpub);
  return { publicKey: k.publicKey.toBytes(true), chainCode: k.chainCode };
};

describe('deposit addresses from the wallet public key alone', () => {
  it.each(BIP32_PUBLIC_STEPS.map((v) => [v.path.join('/'), v] as const))('BIP32 vector, path %s: the child key and its address', (_p, v) => {
    const d = depositAddress(wallet(v.parent), v.path);
    expect(hex(d.publicKey)).toBe(hex(wallet(v.child).publicKey));
    expect(d.address).toBe(addressFromPublicKey(wallet(v.child).publicKey));
    expect(d.path).toEqual(v.path);
  });

  it('property: the same child as @scure/bip32 (viem\'s HDKey), an independent CKDpub', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 4 }),
        (scalar, chainCode, path) => {
          const publicKey = secp256k1.Point.BASE.multiply(BigInt(scalar)).toBytes(true);
          let other = new HDKey({ publicKey, chainCode });
          for (const i of path) other = other.deriveChild(i);
          const d = depositAddress({ publicKey, chainCode }, path);
          expect(hex(d.publicKey)).toBe(hex(other.publicKey!));
        },
      ),
      { numRuns: 25, seed: 20261202 },
    );
  });

  it('distinct indices give distinct addresses; the empty path is the wallet key itself', () => {
    const w = wallet(BIP32_PUBLIC_STEPS[0].parent);
    const addresses = new Set(Array.from({ length: 20 }, (_, i) => depositAddress(w, [0, i]).address));
    expect(addresses.size).toBe(20);
    expect(depositAddress(w, []).address).toBe(addressFromPublicKey(w.publicKey));
  });

  const w = wallet(BIP32_PUBLIC_STEPS[0].parent);
  const bad: Array<[string, () => unknown, RegExp]> = [
    ['a hardened index', () => depositAddress(w, [0x80000000]), /invalid path\[0\]: must be a non-hardened index/],
    ['a negative index', () => depositAddress(w, [0, -1]), /invalid path\[1\]/],
    ['a fractional index', () => depositAddress(w, [1.5]), /invalid path\[0\]/],
    ['a path too deep', () => depositAddress(w, Array.from({ length: MAX_DEPOSIT_PATH_DEPTH + 1 }, () => 0)), /invalid path: must have at most/],
    ['a path as a string', () => depositAddress(w, 'm/0/1' as never), /invalid path: must be an array/],
    ['an uncompressed wallet key', () => depositAddress({ ...w, publicKey: secp256k1.Point.fromBytes(w.publicKey).toBytes(false) }, [0]), /invalid wallet.publicKey: must be 33 bytes/],
    ['a wallet key off the curve', () => depositAddress({ ...w, publicKey: Uint8Array.from([2, ...new Uint8Array(32).fill(0xff)]) }, [0]), /invalid wallet.publicKey: is not a point/],
    ['a short chain code', () => depositAddress({ ...w, chainCode: new Uint8Array(31) }, [0]), /invalid wallet.chainCode: must be 32 bytes/],
  ];
  it.each(bad)('refuses %s', (_n, fn, message) => {
    expect(fn).toThrow(ChainInputError);
    expect(fn).toThrow(message);
  });
});
