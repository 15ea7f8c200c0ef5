import { createHash, verify } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { InvalidInputError } from '../errors';
import { CURVE_ORDER, G, modq } from './curve';
import { normalizeSignature, signatureToCompact, signatureToDer, verifySignature } from './signature';
import { testOnlyDeterministicRng } from './testing/deterministic-rng';
import { nodePublicKeyFromCompressed as nodePublicKey } from './testing/node-verify';

describe('ECDSA signature encoding (low-s, recovery id, DER)', () => {
  it('a textbook signature made with k, normalized, verifies with noble and node:crypto and recovers the key', () => {
    const rng = testOnlyDeterministicRng('sig');
    for (let i = 0; i < 8; i++) {
      const x = modq(BigInt('0x' + Buffer.from(rng(32)).toString('hex'))) || 1n;
      const k = modq(BigInt('0x' + Buffer.from(rng(32)).toString('hex'))) || 1n;
      const data = rng(40);
      const digest = new Uint8Array(createHash('sha256').update(data).digest());
      const R = G.multiply(k);
      const r = modq(R.toAffine().x);
      const m = modq(BigInt('0x' + Buffer.from(digest).toString('hex')));
      const s = modq(secp256k1.Point.Fn.inv(k) * (m + r * x));
      const sig = normalizeSignature(R, s);
      expect(sig.s <= CURVE_ORDER / 2n).toBe(true);
      const X = G.multiply(x);
      expect(verifySignature(sig, digest, X)).toBe(true);
      const nobleSig = new secp256k1.Signature(sig.r, sig.s, sig.recovery);
      expect(Buffer.from(signatureToDer(sig)).toString('hex')).toBe(nobleSig.toHex('der'));
      expect(nobleSig.recoverPublicKey(digest).equals(X)).toBe(true);
      expect(verify('sha256', data, nodePublicKey(X.toBytes(true)), Buffer.from(signatureToDer(sig)))).toBe(true);
      expect(signatureToCompact(sig).length).toBe(64);
    }
  });

  it('rejects a zero s and a wrong digest length', () => {
    expect(() => normalizeSignature(G, 0n)).toThrow(InvalidInputError);
    expect(() => verifySignature({ r: 1n, s: 1n, recovery: 0 }, new Uint8Array(31), G)).toThrow(/digest/);
  });
});
