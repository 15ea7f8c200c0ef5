import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { httpbis, type Request as SignableRequest } from 'http-message-signatures';
import { isInnerList, parseDictionary, serializeItem, serializeList, Token, type InnerList, type Item } from 'structured-headers';
import { SignatureError } from './errors';

/** The components every request to the public API must cover (RFC 9421 section 2). */
export const REQUIRED_COMPONENTS = ['@method', '@target-uri', 'content-digest'] as const;
/** The one signature label our clients use (any single label is accepted). */
export const SIGNATURE_LABEL = 'sig1';
/** RFC 9421 section 3.3.6: EdDSA using curve edwards25519. */
export const ED25519_ALG = 'ed25519';
/** The signature parameters we understand; any other is refused rather than ignored. */
const KNOWN_PARAMS = new Set(['created', 'expires', 'nonce', 'alg', 'keyid', 'tag']);
/** Key ids: the client id grammar of the public API. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** Nonces: 16..128 characters of base64url (at least 96 bits from the client's random source). */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/** A request as the signature sees it: method, absolute target URI and lower-case header fields. */
export interface MessageForSignature {
  readonly method: string;
  readonly targetUri: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export interface SigningParameters {
  readonly keyId: string;
  /** Unix time in seconds (RFC 9421 `created`). */
  readonly created: number;
  readonly nonce: string;
}

/** What the verifier requires, beyond a well-formed signature. */
export interface VerificationPolicy {
  /** Unix time now, in seconds (the caller's clock: this library reads none). */
  readonly now: number;
  /** How far `created` may lie from `now`, either way, in seconds. */
  readonly windowSeconds: number;
  readonly requiredComponents?: readonly string[];
  /** Default true: a `nonce` parameter is required. */
  readonly requireNonce?: boolean;
  /** Default true: an `alg` parameter, `ed25519`, is required. */
  readonly requireAlg?: boolean;
}

/** A signature that is well-formed and fresh, not yet checked against a key. */
export interface ParsedSignature {
  readonly label: string;
  readonly keyId: string;
  readonly created: number;
  readonly nonce: string | undefined;
  readonly components: readonly string[];
  /** The signature base (RFC 9421 section 2.5) the signer must have signed. */
  readonly base: Buffer;
  readonly signature: Buffer;
}

function toSignable(message: MessageForSignature): SignableRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) if (value !== undefined) headers[name.toLowerCase()] = value;
  return { method: message.method, url: message.targetUri, headers };
}

/** An Ed25519 public key object from its 32 raw bytes. */
export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new RangeError(`an Ed25519 public key is 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
}

/** An Ed25519 private key object from its 32-byte seed. */
export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new RangeError(`an Ed25519 seed is 32 bytes, got ${seed.length}`);
  return createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
}

/** The raw 32 bytes of an Ed25519 public key. */
export function ed25519RawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

/**
 * Signs a request (RFC 9421 section 3.1) over {@link REQUIRED_COMPONENTS} with `created`, `nonce`,
 * `keyid` and `alg="ed25519"`. The message's headers must already carry `content-digest`. Returns
 * the `signature-input` and `signature` header values.
 */
export async function signMessage(message: MessageForSignature, params: SigningParameters, privateKey: KeyObject): Promise<{ 'signature-input': string; signature: string }> {
  if (!KEY_ID_PATTERN.test(params.keyId)) throw new RangeError('keyId must be 1..128 characters of [A-Za-z0-9._:-]');
  if (!NONCE_PATTERN.test(params.nonce)) throw new RangeError('nonce must be 16..128 characters of base64url');
  if (!Number.isSafeInteger(params.created) || params.created < 0) throw new RangeError('created must be a non-negative integer (seconds)');
  const signed = await httpbis.signMessage(
    {
      key: { id: params.keyId, alg: ED25519_ALG, sign: (data: Buffer) => Promise.resolve(cryptoSign(null, data, privateKey)) },
      name: SIGNATURE_LABEL,
      fields: [...REQUIRED_COMPONENTS],
      params: ['created', 'nonce', 'keyid', 'alg'],
      paramValues: { created: new Date(params.created * 1000), nonce: params.nonce, keyid: params.keyId, alg: ED25519_ALG },
    },
    toSignable(message),
  );
  return { 'signature-input': String(signed.headers['Signature-Input']), signature: String(signed.headers['Signature']) };
}

function parseSingle(header: string, field: string): [string, Item | InnerList] {
  let dictionary;
  try {
    dictionary = parseDictionary(header);
  } catch {
    throw new SignatureError('signature-malformed', `the ${field} header is not a structured-field dictionary (RFC 8941)`);
  }
  if (dictionary.size !== 1) throw new SignatureError('signature-malformed', `the ${field} header must carry exactly one signature, has ${dictionary.size}`);
  return [...dictionary.entries()][0]!;
}

/**
 * Parses the one signature of a request and checks everything but the key (RFC 9421 section 3.2,
 * steps 1-5): well-formed fields, the required components covered, known parameters of the right
 * types, `created` within the window, `expires` not passed; and builds the signature base.
 */
export function parseSignature(message: MessageForSignature, policy: VerificationPolicy): ParsedSignature {
  const inputHeader = message.headers['signature-input'];
  const signatureHeader = message.headers['signature'];
  if (!inputHeader || !signatureHeader) throw new SignatureError('signature-missing', 'the request is not signed: signature-input and signature headers are required (RFC 9421)');
  const [label, input] = parseSingle(inputHeader, 'signature-input');
  const [signatureLabel, signatureItem] = parseSingle(signatureHeader, 'signature');
  if (label !== signatureLabel) throw new SignatureError('signature-malformed', 'signature-input and signature carry different labels');
  if (!isInnerList(input)) throw new SignatureError('signature-malformed', 'signature-input must be an inner list of components');
  if (isInnerList(signatureItem) || !(signatureItem[0] instanceof ArrayBuffer)) throw new SignatureError('signature-malformed', 'signature must be a byte sequence');
  const signature = Buffer.from(signatureItem[0]);
  if (signature.length !== 64) throw new SignatureError('signature-malformed', `an ed25519 signature is 64 bytes, got ${signature.length}`);

  const [items, params] = input;
  const components: string[] = [];
  for (const [name, componentParams] of items) {
    if (typeof name !== 'string') throw new SignatureError('signature-components', 'every covered component must be a string');
    if (componentParams.size > 0) throw new SignatureError('signature-components', `component parameters are not supported (on ${JSON.stringify(name.slice(0, 32))})`);
    if (components.includes(name)) throw new SignatureError('signature-components', `component ${JSON.stringify(name.slice(0, 32))} is covered twice`);
    components.push(name);
  }
  for (const required of policy.requiredComponents ?? REQUIRED_COMPONENTS) {
    if (!components.includes(required)) throw new SignatureError('signature-components', `the signature must cover ${required}`);
  }

  for (const name of params.keys()) if (!KNOWN_PARAMS.has(name)) throw new SignatureError('signature-params', `unknown signature parameter ${JSON.stringify(name.slice(0, 32))}`);
  // structured-headers types bare items with DOM's BufferSource, unknown here: read them as unknown.
  const param = (name: string): unknown => params.get(name) as unknown;
  const created = param('created');
  if (typeof created !== 'number' || !Number.isSafeInteger(created)) throw new SignatureError('signature-params', 'the signature parameter created must be an integer');
  const keyId = param('keyid');
  if (typeof keyId !== 'string' || !KEY_ID_PATTERN.test(keyId)) throw new SignatureError('signature-params', 'the signature parameter keyid must be a string of 1..128 characters of [A-Za-z0-9._:-]');
  const nonce = param('nonce');
  if (nonce !== undefined && (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce))) throw new SignatureError('signature-params', 'the signature parameter nonce must be a string of 16..128 base64url characters');
  if ((policy.requireNonce ?? true) && nonce === undefined) throw new SignatureError('signature-params', 'the signature parameter nonce is required');
  const alg = param('alg');
  if (alg !== undefined && !(typeof alg === 'string' && alg === ED25519_ALG)) throw new SignatureError('signature-params', 'the signature parameter alg must be "ed25519"');
  if ((policy.requireAlg ?? true) && alg === undefined) throw new SignatureError('signature-params', 'the signature parameter alg is required');
  const expires = param('expires');
  if (expires !== undefined && (typeof expires !== 'number' || !Number.isSafeInteger(expires))) throw new SignatureError('signature-params', 'the signature parameter expires must be an integer');
  const tag = param('tag');
  if (tag !== undefined && typeof tag !== 'string' && !(tag instanceof Token)) throw new SignatureError('signature-params', 'the signature parameter tag must be a string');

  if (Math.abs(policy.now - created) > policy.windowSeconds) throw new SignatureError('signature-stale', `the signature's created time is outside the ${policy.windowSeconds} s window`);
  if (typeof expires === 'number' && expires < policy.now) throw new SignatureError('signature-stale', 'the signature has expired');

  let lines;
  try {
    lines = httpbis.createSignatureBase({ fields: items.map((item) => serializeItem(item)) }, toSignable(message));
  } catch (error) {
    const why = error instanceof Error ? error.message.slice(0, 100) : 'unknown';
    throw new SignatureError('signature-components', `a covered component is missing from the request: ${why}`);
  }
  lines.push(['"@signature-params"', [serializeList([input])]]);
  const base = Buffer.from(httpbis.formatSignatureBase(lines), 'utf8');
  return { label, keyId, created, nonce: typeof nonce === 'string' ? nonce : undefined, components, base, signature };
}

/** Whether `signature` is a valid Ed25519 signature of the parsed base under `publicKey`. */
export function verifyParsedSignature(parsed: ParsedSignature, publicKey: KeyObject): boolean {
  return cryptoVerify(null, parsed.base, publicKey, parsed.signature);
}
