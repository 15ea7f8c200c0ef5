import fc from 'fast-check';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { KeyEncryptionKey, openShare, sealedShareFromJson, sealedShareToJson, sealShare, VaultError, type ShareContext } from './index';

const kek = KeyEncryptionKey.fromBytes(sha256(utf8ToBytes('TEST-ONLY property KEK')));
const idChars = 'abcdefghijklmnopqrstuvwxyz0123456789._:-'.split('');
const context: fc.Arbitrary<ShareContext> = fc.record({
  keyId: fc.string({ unit: fc.constantFrom(...idChars), minLength: 1, maxLength: 128 }),
  signerId: fc.integer({ min: 1, max: 255 }),
  scheme: fc.constantFrom('ecdsa' as const, 'eddsa' as const, 'schnorr' as const),
});

describe('key-vault properties', () => {
  it('a sealed share opens for its own context only, also after the JSON form', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 4096 }), context, context, (share, ctx, other) => {
        const sealed = sealedShareFromJson(sealedShareToJson(sealShare(kek, share, ctx)));
        expect(openShare(kek, sealed, ctx)).toEqual(share);
        const same = ctx.keyId === other.keyId && ctx.signerId === other.signerId && ctx.scheme === other.scheme;
        if (!same) expect(() => openShare(kek, sealed, other)).toThrow(VaultError);
      }),
      { numRuns: 100, seed: 20261122 },
    );
  });
});
