import { createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { checkContentDigest, contentDigest, ed25519PrivateKey, ed25519PublicKey, ed25519RawPublicKey, parseSignature, SignatureError, signMessage, verifyParsedSignature, type MessageForSignature } from '../src';
import b26 from './fixtures/rfc9421-b26.json';
import rfc9530 from './fixtures/rfc9530.json';

const b26Message: MessageForSignature = { method: b26.request.method, targetUri: b26.request.targetUri, headers: b26.request.headers };
const b26Policy = { now: 1618884473, windowSeconds: 300, requiredComponents: ['@method', '@path', '@authority'], requireNonce: false, requireAlg: false };

function reason(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof SignatureError) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('RFC 9421 appendix B.2.6 (Ed25519)', () => {
  const publicKey = createPublicKey(b26.publicKeyPem);
  const privateKey = createPrivateKey(b26.privateKeyPem);

  it('builds the RFC signature base byte for byte', () => {
    expect(parseSignature(b26Message, b26Policy).base.toString('utf8')).toBe(b26.signatureBase);
  });

  it('verifies the RFC signature with the RFC test key', () => {
    const parsed = parseSignature(b26Message, b26Policy);
    expect(parsed.label).toBe('sig-b26');
    expect(parsed.keyId).toBe('test-key-ed25519');
    expect(parsed.created).toBe(1618884473);
    expect(verifyParsedSignature(parsed, publicKey)).toBe(true);
  });

  it('reproduces the RFC signature from the RFC private key (Ed25519 is deterministic)', () => {
    const parsed = parseSignature(b26Message, b26Policy);
    expect(sign(null, parsed.base, privateKey).toString('base64')).toBe('wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==');
  });

  it('refuses the RFC signature once a covered header changes', () => {
    const changed = { ...b26Message, headers: { ...b26Message.headers, 'content-length': '19' } };
    expect(verifyParsedSignature(parseSignature(changed, b26Policy), publicKey)).toBe(false);
  });

  it('raw key helpers round-trip the RFC key', () => {
    const raw = ed25519RawPublicKey(publicKey);
    expect(ed25519PublicKey(raw).export({ format: 'pem', type: 'spki' })).toBe(b26.publicKeyPem);
  });
});

describe('RFC 9530 content-digest', () => {
  const body = Buffer.from(rfc9530.body, 'utf8');
  it('computes the RFC sha-256 value', () => {
    expect(contentDigest(body)).toBe(rfc9530.sha256);
  });
  it('accepts the RFC header with both sha-512 and sha-256 members', () => {
    expect(() => checkContentDigest(`${rfc9530.sha512}, ${rfc9530.sha256}`, body)).not.toThrow();
  });
  it('refuses sha-512 alone, another body, and malformed values', () => {
    expect(reason(() => checkContentDigest(rfc9530.sha512, body))).toBe('content-digest-malformed');
    expect(reason(() => checkContentDigest(rfc9530.sha256, Buffer.from('{"hello": "world!"}')))).toBe('content-digest-mismatch');
    expect(reason(() => checkContentDigest('sha-256="abc"', body))).toBe('content-digest-malformed');
    expect(reason(() => checkContentDigest('((', body))).toBe('content-digest-malformed');
    expect(reason(() => checkContentDigest(undefined, body))).toBe('content-digest-missing');
  });
});

describe('our profile: @method, @target-uri, content-digest, created, nonce, keyid, alg', () => {
  const seed = randomBytes(32);
  const privateKey = ed25519PrivateKey(seed);
  const publicKey = createPublicKey(privateKey);
  const body = Buffer.from('{"name":"x"}');
  const now = 1_800_000_000;
  const policy = { now, windowSeconds: 60 };

  async function signed(overrides: { created?: number; body?: Buffer } = {}): Promise<MessageForSignature> {
    const message = { method: 'POST', targetUri: 'https://custody.example/v1/clients', headers: { 'content-digest': contentDigest(overrides.body ?? body) } };
    const headers = await signMessage(message, { keyId: 'client-1', created: overrides.created ?? now, nonce: randomBytes(16).toString('base64url') }, privateKey);
    return { ...message, headers: { ...message.headers, ...headers } };
  }

  it('signs and verifies, with the parameters in the signature input', async () => {
    const message = await signed();
    expect(message.headers['signature-input']).toMatch(/^sig1=\("@method" "@target-uri" "content-digest"\);created=1800000000;nonce="[A-Za-z0-9_-]{22}";keyid="client-1";alg="ed25519"$/);
    const parsed = parseSignature(message, policy);
    expect(verifyParsedSignature(parsed, publicKey)).toBe(true);
    expect(verifyParsedSignature(parsed, createPublicKey(ed25519PrivateKey(randomBytes(32))))).toBe(false);
  });

  it('refuses a signature replayed to another method or target', async () => {
    const message = await signed();
    expect(verifyParsedSignature(parseSignature({ ...message, method: 'PUT' }, policy), publicKey)).toBe(false);
    expect(verifyParsedSignature(parseSignature({ ...message, targetUri: 'https://custody.example/v1/clients/other' }, policy), publicKey)).toBe(false);
  });

  it('refuses stale and future created times outside the window', async () => {
    expect(reason(() => parseSignature({ method: 'x', targetUri: 'https://a/', headers: {} }, policy))).toBe('signature-missing');
    const old = await signed({ created: now - 61 });
    expect(reason(() => parseSignature(old, policy))).toBe('signature-stale');
    const future = await signed({ created: now + 61 });
    expect(reason(() => parseSignature(future, policy))).toBe('signature-stale');
    const edge = await signed({ created: now - 60 });
    expect(reason(() => parseSignature(edge, policy))).toBe('accepted');
  });

  it('refuses signatures that omit a required component or parameter', async () => {
    const message = await signed();
    const input = message.headers['signature-input']!;
    const without = (value: string) => ({ ...message, headers: { ...message.headers, 'signature-input': value } });
    expect(reason(() => parseSignature(without(input.replace(' "content-digest"', '')), policy))).toBe('signature-components');
    expect(reason(() => parseSignature(without(input.replace(/;nonce="[^"]+"/, '')), policy))).toBe('signature-params');
    expect(reason(() => parseSignature(without(input.replace(';alg="ed25519"', ';alg="rsa-pss-sha512"')), policy))).toBe('signature-params');
    expect(reason(() => parseSignature(without(input + ';foo=1'), policy))).toBe('signature-params');
    expect(reason(() => parseSignature(without(input.replace('keyid="client-1"', 'keyid="a b"')), policy))).toBe('signature-params');
    expect(reason(() => parseSignature(without(`${input}, sig2=("@method");created=1`), policy))).toBe('signature-malformed');
    expect(reason(() => parseSignature({ ...message, headers: { ...message.headers, signature: 'sig1=:AAAA:' } }, policy))).toBe('signature-malformed');
    expect(reason(() => parseSignature({ ...message, headers: { ...message.headers, signature: 'other=:AAAA:' } }, policy))).toBe('signature-malformed');
    const noDigest = { ...message, headers: { ...message.headers, 'content-digest': undefined } };
    expect(reason(() => parseSignature(noDigest, policy))).toBe('signature-components');
  });
});
