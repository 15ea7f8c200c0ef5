import { randomBytes } from 'node:crypto';
import { aesGcmOpen, aesGcmSeal } from './aead';
import { CanonicalWriter } from './canonical';

describe('CanonicalWriter', () => {
  it('never encodes two different field sequences to the same bytes', () => {
    const a = new CanonicalWriter('d').bytes('x', new Uint8Array([1, 2])).bytes('y', new Uint8Array([3])).finish();
    const b = new CanonicalWriter('d').bytes('x', new Uint8Array([1])).bytes('y', new Uint8Array([2, 3])).finish();
    const c = new CanonicalWriter('e').bytes('x', new Uint8Array([1, 2])).bytes('y', new Uint8Array([3])).finish();
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });
});

describe('AES-256-GCM', () => {
  it('opens what it sealed, and nothing altered', () => {
    const key = randomBytes(32);
    const nonce = randomBytes(12);
    const aad = new Uint8Array([9]);
    const sealed = aesGcmSeal(key, nonce, new Uint8Array([1, 2, 3]), aad);
    expect(Buffer.from(aesGcmOpen(key, nonce, sealed, aad)!)).toEqual(Buffer.from([1, 2, 3]));
    const flipped = Uint8Array.from(sealed);
    flipped[0]! ^= 1;
    expect(aesGcmOpen(key, nonce, flipped, aad)).toBeUndefined();
    expect(aesGcmOpen(key, nonce, sealed, new Uint8Array([8]))).toBeUndefined();
  });
});
