import { ed25519 } from '@noble/curves/ed25519.js';

/**
 * The console user's Ed25519 key, made and kept by the browser (WebCrypto). The private key is created
 * non-extractable: script on the page can ask the browser to sign with it, but can never read it,
 * and it never leaves this browser profile. Only the public key is exported, for an admin to register.
 */

export interface KeyPair {
  readonly privateKey: CryptoKey;
  /** The raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
}

const ED25519 = { name: 'Ed25519' } as const;

/** A new key pair; the private half cannot be exported. */
export async function createKeyPair(): Promise<KeyPair> {
  const pair = (await crypto.subtle.generateKey(ED25519, false, ['sign', 'verify'])) as CryptoKeyPair;
  return { privateKey: pair.privateKey, publicKey: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)) };
}

/** PKCS#8 prefix of an Ed25519 private key (RFC 8410): the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = hexToBytes('302e020100300506032b657004220420');

/**
 * Imports an existing key from its 32-byte seed (64 hex digits), e.g. one `custody up` wrote under
 * .custody/local-secrets. It is imported non-extractable and the page keeps no copy of the seed; the
 * public key is computed from the seed with @noble/curves, as the rest of the project does.
 */
export async function importSeed(seedHex: string): Promise<KeyPair> {
  const trimmed = seedHex.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(trimmed)) throw new Error('the seed must be 64 hexadecimal digits (32 bytes)');
  const pkcs8 = new Uint8Array([...PKCS8_ED25519_PREFIX, ...hexToBytes(trimmed)]);
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, ED25519, false, ['sign']);
  pkcs8.fill(0);
  return { privateKey, publicKey: ed25519.getPublicKey(hexToBytes(trimmed)) };
}

/** SHA-256 of the raw public key, the first 16 bytes in groups of four hex digits: what the page shows and an admin compares. */
export async function fingerprint(publicKey: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(publicKey)));
  return (bytesToHex(digest.subarray(0, 16)).match(/.{4}/g) ?? []).join(' ');
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error('not a hexadecimal byte string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function base64UrlToBytes(s: string): Uint8Array {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(s.length / 4) * 4, '=');
  const binary = atob(b64);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function bytesToBase64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
