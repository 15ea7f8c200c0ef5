import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import {
  KeyEncryptionKey,
  openShare,
  rewrapShare,
  assertRecordsSealedBy,
  sealedShareFromColumns,
  sealedShareFromJson,
  sealedShareToColumns,
  sealedShareToJson,
  sealShare,
  VaultError,
  type Rng,
  type SealedShare,
  type ShareContext,
  type VaultErrorReason,
} from './index';

/** TEST-ONLY: deterministic bytes (SHA-256 counter mode); never for real keys. */
function testOnlyRng(label: string): Rng {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) out.set(sha256(utf8ToBytes(`${label}/${counter++}`)).subarray(0, Math.min(32, n - off)), off);
    return out;
  };
}
const TEST_ONLY_KEK_HEX = Buffer.from(sha256(utf8ToBytes('TEST-ONLY key-encryption key A'))).toString('hex');
const TEST_ONLY_OTHER_KEK_HEX = Buffer.from(sha256(utf8ToBytes('TEST-ONLY key-encryption key B'))).toString('hex');
const kek = KeyEncryptionKey.fromHex(TEST_ONLY_KEK_HEX);
const otherKek = KeyEncryptionKey.fromHex(TEST_ONLY_OTHER_KEK_HEX);
const ctx: ShareContext = { keyId: 'key-0001', signerId: 2, scheme: 'ecdsa' };
const share = utf8ToBytes('{"x_i":"TEST-ONLY secret share 0123456789abcdef","paillier":{"p":"...","q":"..."}}');

function vaultError(fn: () => unknown): VaultError {
  try {
    fn();
  } catch (e) {
    if (e instanceof VaultError) return e;
    throw new Error('expected a VaultError', { cause: e });
  }
  throw new Error('expected a VaultError, nothing was thrown');
}
function flip(bytes: Uint8Array, index = 0): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[index % out.length]! ^= 0x01;
  return out;
}
const contains = (hay: Uint8Array | string, needle: Uint8Array) =>
  (typeof hay === 'string' ? Buffer.from(hay) : Buffer.from(hay)).includes(Buffer.from(needle));

describe('KeyEncryptionKey', () => {
  const raw = Buffer.from(TEST_ONLY_KEK_HEX, 'hex');

  it('parses hex, base64, raw file bytes and text files to the same key and kekId', () => {
    const forms = [
      KeyEncryptionKey.fromHex(TEST_ONLY_KEK_HEX.toUpperCase()),
      KeyEncryptionKey.fromHex('0x' + TEST_ONLY_KEK_HEX + '\n'),
      KeyEncryptionKey.fromBase64(raw.toString('base64')),
      KeyEncryptionKey.fromBytes(raw),
      KeyEncryptionKey.fromFileContents(raw),
      KeyEncryptionKey.fromFileContents(Buffer.from(TEST_ONLY_KEK_HEX + '\n')),
      KeyEncryptionKey.fromFileContents(raw.toString('base64') + '\r\n'),
    ];
    for (const k of forms) expect(k.kekId).toBe(kek.kekId);
  });

  it('fingerprints as the first 16 bytes of HMAC-SHA256(kek, "custody/kek-id/v1") (checked with node:crypto)', () => {
    const expected = createHmac('sha256', raw).update('custody/kek-id/v1').digest().subarray(0, 16).toString('hex');
    expect(kek.kekId).toBe(expected);
    expect(kek.kekId).toMatch(/^[0-9a-f]{32}$/);
    expect(otherKek.kekId).not.toBe(kek.kekId);
  });

  it.each([
    ['31 bytes of hex', () => KeyEncryptionKey.fromHex(TEST_ONLY_KEK_HEX.slice(2)), /decodes to 31 bytes, expected 32/],
    ['33 bytes of hex', () => KeyEncryptionKey.fromHex(TEST_ONLY_KEK_HEX + 'ab'), /decodes to 33 bytes, expected 32/],
    ['an odd number of hex digits', () => KeyEncryptionKey.fromHex(TEST_ONLY_KEK_HEX.slice(1)), /odd number of hex digits/],
    ['a non-hex character', () => KeyEncryptionKey.fromHex(TEST_ONLY_KEK_HEX.slice(0, 63) + 'g'), /not hex digits/],
    ['all zero bytes', () => KeyEncryptionKey.fromHex('00'.repeat(32)), /all zero/],
    ['unpadded base64', () => KeyEncryptionKey.fromBase64(raw.toString('base64').replace('=', '')), /padded base64/],
    ['base64 of 24 bytes', () => KeyEncryptionKey.fromBase64(raw.subarray(0, 24).toString('base64')), /decodes to 24 bytes/],
    ['a file of 16 raw bytes', () => KeyEncryptionKey.fromFileContents(raw.subarray(0, 16)), /neither 32 raw bytes nor hex nor base64|decodes to/],
    ['an empty file', () => KeyEncryptionKey.fromFileContents(''), /neither 32 raw bytes/],
    ['a file with a word in it', () => KeyEncryptionKey.fromFileContents('changeme please\n'), /neither 32 raw bytes/],
    ['raw bytes of the wrong length', () => KeyEncryptionKey.fromBytes(new Uint8Array(16).fill(1)), /decodes to 16 bytes/],
  ])('refuses %s with a clear message that does not contain the value', (_name, fn, message) => {
    const e = vaultError(fn);
    expect(e.reason).toBe('invalid-kek');
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain(TEST_ONLY_KEK_HEX.slice(4, 24));
    expect(e.message).not.toContain(TEST_ONLY_KEK_HEX.slice(4, 24).toUpperCase());
  });

  it('never shows its bytes in JSON or util.inspect, and is unusable once destroyed', () => {
    const k = KeyEncryptionKey.fromHex(TEST_ONLY_KEK_HEX);
    const shown = JSON.stringify(k) + inspect(k, { showHidden: true }) + inspect({ k });
    expect(shown).not.toContain(TEST_ONLY_KEK_HEX.slice(0, 16));
    expect(shown).toContain(k.kekId);
    k.destroy();
    expect(vaultError(() => sealShare(k, share, ctx)).reason).toBe('invalid-kek');
  });
});

describe('sealShare / openShare', () => {
  const sealed = sealShare(kek, share, ctx, testOnlyRng('seal'));

  it('round-trips a share, small or large', () => {
    expect(openShare(kek, sealed, ctx)).toEqual(share);
    const big = testOnlyRng('big')(200_000);
    expect(openShare(kek, sealShare(kek, big, { ...ctx, scheme: 'eddsa' }), { ...ctx, scheme: 'eddsa' })).toEqual(big);
    expect(openShare(kek, sealShare(kek, new Uint8Array([7]), ctx), ctx)).toEqual(new Uint8Array([7]));
  });

  it('records the KEK fingerprint and the expected lengths', () => {
    expect(sealed.version).toBe(1);
    expect(sealed.kekId).toBe(kek.kekId);
    expect(sealed.wrappedDataKey).toHaveLength(48);
    expect(sealed.wrapNonce).toHaveLength(12);
    expect(sealed.nonce).toHaveLength(12);
    expect(sealed.ciphertext).toHaveLength(share.length + 16);
  });

  it('uses a fresh data key and nonces per share', () => {
    const again = sealShare(kek, share, ctx);
    expect(Buffer.from(again.wrappedDataKey).equals(Buffer.from(sealed.wrappedDataKey))).toBe(false);
    expect(Buffer.from(again.ciphertext).equals(Buffer.from(sealed.ciphertext))).toBe(false);
  });

  it('does not contain the plaintext (nor any 8-byte piece of it) in any stored form', () => {
    const forms = [sealed.ciphertext, sealed.wrappedDataKey, Buffer.from(sealedShareToJson(sealed))];
    for (const form of forms) {
      for (let i = 0; i + 8 <= share.length; i += 4) expect(contains(form, share.subarray(i, i + 8))).toBe(false);
      expect(contains(form, Buffer.from(Buffer.from(share).toString('base64').slice(0, 12)))).toBe(false);
    }
  });

  it('fails closed with "wrong key-encryption key" under another KEK', () => {
    const e = vaultError(() => openShare(otherKek, sealed, ctx));
    expect(e.reason).toBe('wrong-kek');
    expect(e.message).toMatch(/^wrong key-encryption key/);
    expect(e.message).toContain(kek.kekId);
    expect(e.message).toContain(otherKek.kekId);
  });

  it('fails closed under another KEK even when the record claims that KEK\'s fingerprint', () => {
    const e = vaultError(() => openShare(otherKek, { ...sealed, kekId: otherKek.kekId }, ctx));
    expect(e.reason).toBe('wrong-kek');
  });

  it.each<[string, ShareContext]>([
    ['another key id', { ...ctx, keyId: 'key-0002' }],
    ['another signer', { ...ctx, signerId: 3 }],
    ['another scheme', { ...ctx, scheme: 'schnorr' }],
  ])('refuses a record opened as %s: "record does not belong to this key/signer/scheme"', (_name, other) => {
    const e = vaultError(() => openShare(kek, sealed, other));
    expect(e.reason).toBe('wrong-context');
    expect(e.message).toMatch(/^record does not belong to this key\/signer\/scheme/);
  });

  it('refuses a record whose context fingerprint was rewritten to match another key', () => {
    const other: ShareContext = { ...ctx, keyId: 'key-0002' };
    const forged = { ...sealed, aadDigest: sealShare(kek, share, other).aadDigest };
    expect(() => openShare(kek, forged, other)).toThrow(VaultError);
  });

  it('refuses a ciphertext swapped in from another record (same KEK and context)', () => {
    const second = sealShare(kek, utf8ToBytes('another TEST-ONLY share'), ctx);
    expect(vaultError(() => openShare(kek, { ...sealed, ciphertext: second.ciphertext, nonce: second.nonce }, ctx)).reason).toBe('tampered');
  });

  const flips: Array<[keyof SealedShare, (s: SealedShare) => SealedShare, VaultErrorReason]> = [
    ['version', (s) => ({ ...s, version: s.version ^ 1 }), 'malformed'],
    ['kekId', (s) => ({ ...s, kekId: (s.kekId[0] === '0' ? '1' : '0') + s.kekId.slice(1) }), 'wrong-kek'],
    ['aadDigest', (s) => ({ ...s, aadDigest: flip(s.aadDigest, 3) }), 'wrong-context'],
    ['wrappedDataKey', (s) => ({ ...s, wrappedDataKey: flip(s.wrappedDataKey, 5) }), 'wrong-kek'],
    ['wrappedDataKey (tag)', (s) => ({ ...s, wrappedDataKey: flip(s.wrappedDataKey, 47) }), 'wrong-kek'],
    ['wrapNonce', (s) => ({ ...s, wrapNonce: flip(s.wrapNonce, 11) }), 'wrong-kek'],
    ['ciphertext', (s) => ({ ...s, ciphertext: flip(s.ciphertext, 0) }), 'tampered'],
    ['ciphertext (tag)', (s) => ({ ...s, ciphertext: flip(s.ciphertext, s.ciphertext.length - 1) }), 'tampered'],
    ['nonce', (s) => ({ ...s, nonce: flip(s.nonce, 6) }), 'tampered'],
  ] as Array<[keyof SealedShare, (s: SealedShare) => SealedShare, VaultErrorReason]>;
  it.each(flips)('refuses a flipped bit in %s', (_field, mutate, reason) => {
    const e = vaultError(() => openShare(kek, mutate(sealed), ctx));
    expect(e.reason).toBe(reason);
    expect(e.message).not.toContain(Buffer.from(share).toString('hex').slice(0, 16));
  });

  it('refuses every single-bit flip anywhere in the byte fields', () => {
    for (const field of ['aadDigest', 'wrappedDataKey', 'wrapNonce', 'ciphertext', 'nonce'] as const) {
      const bytes = sealed[field];
      for (let bit = 0; bit < bytes.length * 8; bit += 13) {
        const mutated = Uint8Array.from(bytes);
        mutated[bit >> 3]! ^= 1 << (bit & 7);
        expect(() => openShare(kek, { ...sealed, [field]: mutated }, ctx)).toThrow(VaultError);
      }
    }
  });

  it('validates its arguments, naming them', () => {
    expect(vaultError(() => sealShare(kek, new Uint8Array(0), ctx)).message).toMatch(/plaintext/);
    expect(vaultError(() => sealShare(kek, share, { ...ctx, keyId: '' })).message).toMatch(/aad\.keyId/);
    expect(vaultError(() => sealShare(kek, share, { ...ctx, keyId: 'a b' })).message).toMatch(/aad\.keyId/);
    expect(vaultError(() => sealShare(kek, share, { ...ctx, signerId: 0 })).message).toMatch(/aad\.signerId/);
    expect(vaultError(() => sealShare(kek, share, { ...ctx, scheme: 'rsa' as 'ecdsa' })).message).toMatch(/aad\.scheme/);
    expect(vaultError(() => sealShare(kek, share, ctx, () => new Uint8Array(4))).message).toMatch(/rng/);
    expect(vaultError(() => sealShare({} as KeyEncryptionKey, share, ctx)).reason).toBe('invalid-kek');
    expect(vaultError(() => openShare(kek, { ...sealed, wrapNonce: new Uint8Array(8) }, ctx)).message).toMatch(/wrapNonce/);
  });
});

describe('database forms', () => {
  const sealed = sealShare(kek, share, ctx, testOnlyRng('codec'));

  it('round-trips through bytea columns and through base64 JSON', () => {
    const cols = sealedShareToColumns(sealed);
    expect(Buffer.isBuffer(cols.ciphertext)).toBe(true);
    expect(openShare(kek, sealedShareFromColumns(cols), ctx)).toEqual(share);
    const json = sealedShareToJson(sealed);
    expect(Object.keys(JSON.parse(json) as object)).toEqual(['version', 'kekId', 'aadDigest', 'wrappedDataKey', 'wrapNonce', 'ciphertext', 'nonce']);
    expect(sealedShareFromJson(json)).toEqual(sealedShareFromColumns(cols));
    expect(openShare(kek, sealedShareFromJson(json), ctx)).toEqual(share);
  });

  it('refuses malformed documents and rows', () => {
    const doc = JSON.parse(sealedShareToJson(sealed)) as Record<string, unknown>;
    const bad: Array<[string, unknown]> = [
      ['not JSON', '{'],
      ['an array', '[]'],
      ['an unknown field', { ...doc, extra: 1 }],
      ['a missing field', { ...doc, nonce: undefined }],
      ['unpadded base64', { ...doc, aadDigest: (doc.aadDigest as string).replace(/=+$/, '') }],
      ['a short nonce', { ...doc, nonce: Buffer.alloc(8).toString('base64') }],
      ['version 2', { ...doc, version: 2 }],
      ['a version string', { ...doc, version: '1' }],
      ['an upper-case kekId', { ...doc, kekId: (doc.kekId as string).toUpperCase() + 'A' }],
    ];
    for (const [, value] of bad) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      expect(vaultError(() => sealedShareFromJson(text)).reason).toBe('malformed');
    }
    const cols = sealedShareToColumns(sealed);
    expect(vaultError(() => sealedShareFromColumns({ ...cols, ciphertext: 'abc' })).reason).toBe('malformed');
    expect(vaultError(() => sealedShareFromColumns({ ...cols, keyId: 'x' })).reason).toBe('malformed');
    expect(vaultError(() => sealedShareFromColumns(null)).reason).toBe('malformed');
  });
});

describe('record format, pinned (snapshot: a change makes every stored share unreadable)', () => {
  it('pins a sealed share for a fixed KEK, context and rng', () => {
    const sealed = sealShare(kek, utf8ToBytes('TEST-ONLY share for the snapshot'), ctx, testOnlyRng('snapshot'));
    expect(sealedShareToJson(sealed)).toMatchSnapshot('sealed share JSON');
  });
});

describe('rewrapShare (KEK rotation)', () => {
  const sealed = sealShare(kek, share, ctx, testOnlyRng('rotate'));

  it('moves a record to a new KEK without changing the share ciphertext', () => {
    const rotated = rewrapShare(kek, otherKek, sealed, ctx);
    expect(rotated.kekId).toBe(otherKek.kekId);
    expect(rotated.ciphertext).toEqual(sealed.ciphertext);
    expect(openShare(otherKek, rotated, ctx)).toEqual(share);
    expect(vaultError(() => openShare(kek, rotated, ctx)).reason).toBe('wrong-kek');
  });

  it('refuses to rotate a record it cannot open (wrong old KEK, other context, tampered ciphertext)', () => {
    expect(vaultError(() => rewrapShare(otherKek, kek, sealed, ctx)).reason).toBe('wrong-kek');
    expect(vaultError(() => rewrapShare(kek, otherKek, sealed, { ...ctx, signerId: 9 })).reason).toBe('wrong-context');
    const tampered = { ...sealed, ciphertext: flip(sealed.ciphertext, 4) };
    expect(vaultError(() => rewrapShare(kek, otherKek, tampered, ctx)).reason).toBe('tampered');
  });
});

describe('assertRecordsSealedBy (start-up check)', () => {
  it('passes when every record names this KEK (or there are none), and fails closed otherwise', () => {
    expect(() => assertRecordsSealedBy(kek, [kek.kekId, kek.kekId])).not.toThrow();
    expect(() => assertRecordsSealedBy(kek, [])).not.toThrow();
    const e = vaultError(() => assertRecordsSealedBy(otherKek, [kek.kekId]));
    expect(e.reason).toBe('wrong-kek');
    expect(e.message).toMatch(/^wrong key-encryption key: this node's KEK is [0-9a-f]{32}, but stored records were sealed by [0-9a-f]{32}$/);
    expect(vaultError(() => assertRecordsSealedBy(kek, ['XYZ'])).reason).toBe('malformed');
  });
});
