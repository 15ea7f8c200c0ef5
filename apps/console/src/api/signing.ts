import { bytesToBase64, bytesToBase64Url } from '../keys/key-pair';

/**
 * RFC 9421 HTTP Message Signatures, the profile of our public API, in the browser: the signature base
 * over `@method`, `@target-uri` and `content-digest` (RFC 9530, SHA-256 of the body) with `created`,
 * `nonce`, `keyid` and `alg="ed25519"`, signed by WebCrypto with the non-extractable key. The gateway
 * verifies it with the maintained RFC 9421 implementation (libs/http-signatures); the console's
 * end-to-end test is the check that both agree.
 */

export const COMPONENTS = ['@method', '@target-uri', 'content-digest'] as const;

export interface SignedHeaders {
  readonly 'content-digest': string;
  readonly 'signature-input': string;
  readonly signature: string;
}

/** `sha-256=:<base64>:` of the body (of nothing for a GET). */
export async function contentDigest(body: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(body)));
  return `sha-256=:${bytesToBase64(digest)}:`;
}

/** A fresh nonce: 16 random bytes, base64url. */
export function newNonce(): string {
  return bytesToBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

function quoted(s: string): string {
  if (!/^[\x20-\x7e]*$/.test(s)) throw new Error('a signature parameter must be printable ASCII');
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The `@signature-params` value (also the Signature-Input member), RFC 9421 section 2.3. */
export function signatureParams(created: number, nonce: string, keyId: string): string {
  return `(${COMPONENTS.map((c) => `"${c}"`).join(' ')});created=${created};nonce=${quoted(nonce)};keyid=${quoted(keyId)};alg="ed25519"`;
}

/** The signature base, RFC 9421 section 2.5. */
export function signatureBase(method: string, targetUri: string, digest: string, params: string): string {
  return [`"@method": ${method.toUpperCase()}`, `"@target-uri": ${targetUri}`, `"content-digest": ${digest}`, `"@signature-params": ${params}`].join('\n');
}

export async function signRequest(method: string, targetUri: string, body: Uint8Array, keyId: string, privateKey: CryptoKey, now = Math.floor(Date.now() / 1000)): Promise<SignedHeaders> {
  const digest = await contentDigest(body);
  const params = signatureParams(now, newNonce(), keyId);
  const base = signatureBase(method, targetUri, digest, params);
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, privateKey, new TextEncoder().encode(base)));
  return { 'content-digest': digest, 'signature-input': `sig1=${params}`, signature: `sig1=:${bytesToBase64(signature)}:` };
}
