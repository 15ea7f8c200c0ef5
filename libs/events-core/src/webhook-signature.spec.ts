import { createPrivateKey, createPublicKey, randomBytes, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { endpointSecret, formatPublicKey, formatSecret, parsePublicKey, signedContent, signV1, signV1a, verifyV1a, webhookPublicKey } from './webhook-signature';

/** An Ed25519 private key object of a raw 32-byte seed (PKCS#8 DER prefix of RFC 8410). */
function nodeKey(seed: Uint8Array) {
  return createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
}

describe('Standard Webhooks signatures', () => {
  const seed = new Uint8Array(randomBytes(32));
  const body = '{"type":"deposit.seen","timestamp":"2026-12-02T17:00:00.000Z","data":{"amount":"1"}}';
  const now = Math.floor(Date.now() / 1000);

  it('signs `${id}.${timestamp}.${body}` exactly', () => {
    expect(Buffer.from(signedContent('evt_1', 1674087231, body)).toString('utf8')).toBe(`evt_1.1674087231.${body}`);
  });

  it('v1a is an Ed25519 signature that node:crypto verifies under the published public key, and no other content', () => {
    const header = signV1a(seed, 'evt_42', now, body);
    expect(header).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    const signature = Buffer.from(header.slice(4), 'base64');
    const publicKey = createPublicKey(nodeKey(seed));
    expect(nodeVerify(null, Buffer.from(`evt_42.${now}.${body}`), publicKey, signature)).toBe(true);
    expect(nodeVerify(null, Buffer.from(`evt_43.${now}.${body}`), publicKey, signature)).toBe(false);
    // node signs the same bytes to the same signature (Ed25519 is deterministic).
    expect(nodeSign(null, Buffer.from(`evt_42.${now}.${body}`), nodeKey(seed)).equals(signature)).toBe(true);
    const published = formatPublicKey(webhookPublicKey(seed));
    expect(published).toMatch(/^whpk_/);
    expect(Buffer.from(parsePublicKey(published)).equals(Buffer.from(publicKey.export({ format: 'der', type: 'spki' })).subarray(-32))).toBe(true);
  });

  it('verifyV1a accepts the signature among others and refuses a changed body, id or timestamp', () => {
    const pub = webhookPublicKey(seed);
    const header = `v1,abc= ${signV1a(seed, 'evt_7', now, body)}`;
    expect(verifyV1a(pub, 'evt_7', now, body, header)).toBe(true);
    expect(verifyV1a(pub, 'evt_7', now, body + ' ', header)).toBe(false);
    expect(verifyV1a(pub, 'evt_8', now, body, header)).toBe(false);
    expect(verifyV1a(pub, 'evt_7', now + 1, body, header)).toBe(false);
    expect(verifyV1a(pub, 'evt_7', now, body, 'v1a,AAAA')).toBe(false);
  });

  it('v1 (HMAC) verifies with the standardwebhooks package under the endpoint secret, and fails under another', () => {
    const secret = endpointSecret(seed, 'wh_0123456789abcdef');
    const header = `${signV1(secret, 'evt_9', now, body)} ${signV1a(seed, 'evt_9', now, body)}`;
    const headers = { 'webhook-id': 'evt_9', 'webhook-timestamp': String(now), 'webhook-signature': header };
    expect(new Webhook(formatSecret(secret)).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(formatSecret(endpointSecret(seed, 'wh_other0123456789'))).verify(body, headers)).toThrow();
    // and the package's own signature is ours, byte for byte
    expect(new Webhook(formatSecret(secret)).sign('evt_9', new Date(now * 1000), body)).toBe(signV1(secret, 'evt_9', now, body));
  });

  it('refuses bad arguments by name', () => {
    expect(() => signV1a(new Uint8Array(31), 'evt_1', now, body)).toThrow(/secretKey must be 32 bytes/);
    expect(() => signedContent('bad id', now, body)).toThrow(/webhook-id/);
    expect(() => signedContent('evt_1', -1, body)).toThrow(/webhook-timestamp/);
    expect(() => parsePublicKey('pk_xx')).toThrow(/whpk_/);
    expect(() => signV1(new Uint8Array(8), 'evt_1', now, body)).toThrow(/secret must be 24..64 bytes/);
  });
});
