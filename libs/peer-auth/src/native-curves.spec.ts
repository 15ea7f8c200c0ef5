import { randomBytes } from 'node:crypto';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { ed25519SignNative, ed25519SigningKey, ed25519VerifyNative, x25519PrivateKey, x25519PublicKeyNative, x25519SharedNative } from './native-curves';

/** OpenSSL's Ed25519 and X25519 give exactly noble's results (RFC 8032 and RFC 7748 are deterministic). */
describe('native curves agree with @noble/curves', () => {
  it('Ed25519 signatures are identical and verify both ways', () => {
    for (let i = 0; i < 20; i++) {
      const seed = randomBytes(32);
      const message = randomBytes(i * 7);
      const native = ed25519SignNative(ed25519SigningKey(seed), message);
      expect(Buffer.from(native)).toEqual(Buffer.from(ed25519.sign(message, seed)));
      const pub = ed25519.getPublicKey(seed);
      expect(ed25519VerifyNative(native, message, pub)).toBe(true);
      const bad = Uint8Array.from(native);
      bad[i % 64]! ^= 1;
      expect(ed25519VerifyNative(bad, message, pub)).toBe(false);
      expect(ed25519.verify(bad, message, pub, { zip215: false })).toBe(false);
    }
  });

  it('rejects malformed inputs without throwing', () => {
    expect(ed25519VerifyNative(new Uint8Array(63), new Uint8Array(1), new Uint8Array(32))).toBe(false);
    expect(ed25519VerifyNative(new Uint8Array(64), new Uint8Array(1), new Uint8Array(31))).toBe(false);
    // s ≥ L (non-canonical S) is refused, as RFC 8032 strict verification requires.
    const seed = randomBytes(32);
    const sig = ed25519.sign(new Uint8Array([1]), seed);
    const s = Uint8Array.from(sig);
    s.set(new Uint8Array(32).fill(0xff), 32);
    expect(ed25519VerifyNative(s, new Uint8Array([1]), ed25519.getPublicKey(seed))).toBe(false);
  });

  it('X25519 public keys and shared secrets are identical', () => {
    for (let i = 0; i < 20; i++) {
      const a = randomBytes(32);
      const b = randomBytes(32);
      const A = x25519PublicKeyNative(x25519PrivateKey(a));
      expect(Buffer.from(A)).toEqual(Buffer.from(x25519.getPublicKey(a)));
      const B = x25519.getPublicKey(b);
      expect(Buffer.from(x25519SharedNative(x25519PrivateKey(a), B))).toEqual(Buffer.from(x25519.getSharedSecret(a, B)));
    }
  });

  it('refuses a low-order peer key', () => {
    expect(() => x25519SharedNative(x25519PrivateKey(randomBytes(32)), new Uint8Array(32))).toThrow();
  });
});
