import { randomBytes, type KeyObject } from 'node:crypto';
import { contentDigest, signMessage } from '@custody/http-signatures';

/** Who signs: the API client id (the signature `keyid`) and its Ed25519 private key. */
export interface ClientCredentials {
  readonly clientId: string;
  readonly privateKey: KeyObject;
}

/** A fresh nonce: 16 random bytes, base64url (22 characters). */
export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The headers that sign a request: `content-digest` (RFC 9530, sha-256 of `body`), `signature-input`
 * and `signature` (RFC 9421 over @method, @target-uri, content-digest; created, nonce, keyid, alg).
 * `now` is Unix time in seconds.
 */
export async function signatureHeaders(method: string, targetUri: string, body: Uint8Array, credentials: ClientCredentials, now: number, nonce = newNonce()): Promise<Record<string, string>> {
  const digest = contentDigest(body);
  const signed = await signMessage({ method, targetUri, headers: { 'content-digest': digest } }, { keyId: credentials.clientId, created: now, nonce }, credentials.privateKey);
  return { 'content-digest': digest, ...signed };
}

/** The `@target-uri` of a gRPC method path: `grpc://` + `/custody.v1.Service/Method`. */
export function grpcTargetUri(methodPath: string): string {
  return `grpc://${methodPath}`;
}

/** The gRPC metadata that signs a call: the same three fields, over the serialized request bytes. */
export function grpcSignatureMetadata(methodPath: string, requestBytes: Uint8Array, credentials: ClientCredentials, now: number, nonce = newNonce()): Promise<Record<string, string>> {
  return signatureHeaders('POST', grpcTargetUri(methodPath), requestBytes, credentials, now, nonce);
}
