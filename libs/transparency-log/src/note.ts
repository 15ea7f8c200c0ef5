import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { TlogInputError, TlogVerificationError, excerpt } from './errors';
import { concatBytes, decodeBase64Strict, encodeBase64, toWellFormedString, utf8 } from './encoding';

/**
 * C2SP signed-note (https://c2sp.org/signed-note): text ending in a newline, a blank line, and one or
 * more lines `— <key name> base64(key ID || signature)`. Compatible with golang.org/x/mod/sumdb/note.
 */

/** Signature type bytes of signed-note §"Signature types". */
export const SIG_TYPE_ED25519 = 0x01;
export const SIG_TYPE_COSIGNATURE_V1 = 0x04;

/** We refuse notes with more signature lines than this (the spec demands ≥ 16; Go's note caps at 100). */
export const MAX_SIGNATURES = 100;
/** We refuse notes larger than this many bytes (UTF-8). */
export const MAX_NOTE_BYTES = 1 << 20;
/** Key names longer than this are refused. */
export const MAX_KEY_NAME_LENGTH = 256;

const EM_DASH_PREFIX = '\u2014 ';
// Unicode White_Space (what Go's unicode.IsSpace accepts, plus the rest of Zs).
const UNICODE_SPACE = /[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;

export interface NoteSignature {
  readonly name: string;
  /** uint32, big-endian first four bytes of the decoded signature. */
  readonly keyId: number;
  /** The bytes after the key id. */
  readonly signature: Uint8Array;
  /** The signature as it appeared (base64 of key id || signature). */
  readonly base64: string;
}

export interface ParsedNote {
  /** Includes the final newline. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** A key that can check one kind of signature over a note text. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly sigType: number;
  readonly publicKey: Uint8Array;
  verify(text: string, signature: Uint8Array): boolean;
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(text: string): Uint8Array;
}

/** A key name per signed-note: non-empty, no Unicode space, no '+', no control characters. */
export function assertKeyName(field: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) throw new TlogInputError(field, 'must be a non-empty string');
  if (name.length > MAX_KEY_NAME_LENGTH) throw new TlogInputError(field, `is longer than ${MAX_KEY_NAME_LENGTH} characters`);
  if (name.includes('+') || UNICODE_SPACE.test(name) || hasControl(name)) {
    throw new TlogInputError(field, `must not contain spaces, '+' or control characters: ${excerpt(name)}`);
  }
  toWellFormedString(field, name);
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** key ID = SHA-256(name || 0x0A || type || public key)[:4], big-endian. */
export function keyId(name: string, sigType: number, publicKey: Uint8Array): number {
  assertKeyName('name', name);
  const h = sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, sigType), publicKey));
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

export function keyIdHex(id: number): string {
  return id.toString(16).padStart(8, '0');
}

/** Checks the note text grammar: well-formed UTF-8, ends in a newline, no control characters but newline. */
export function assertNoteText(field: string, text: unknown): asserts text is string {
  if (typeof text !== 'string') throw new TlogInputError(field, 'must be a string');
  toWellFormedString(field, text);
  if (text.length === 0 || !text.endsWith('\n')) throw new TlogInputError(field, 'must end with a newline');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) throw new TlogInputError(field, `contains control character 0x${c.toString(16).padStart(2, '0')}`);
  }
}

/**
 * Parses a signed note without verifying anything. Strict: valid UTF-8, no control characters but
 * newline, a text ending in a newline, a blank line, ≥ 1 well-formed signature line (canonical base64
 * of at least 5 bytes), at most MAX_SIGNATURES, nothing after the last line. Identical duplicate
 * lines are collapsed (they could never count twice).
 */
export function parseNote(input: string | Uint8Array): ParsedNote {
  if (input instanceof Uint8Array && input.length > MAX_NOTE_BYTES) throw new TlogInputError('note', `is larger than ${MAX_NOTE_BYTES} bytes`);
  const msg = toWellFormedString('note', input);
  if (msg.length > MAX_NOTE_BYTES) throw new TlogInputError('note', `is larger than ${MAX_NOTE_BYTES} bytes`);
  for (let i = 0; i < msg.length; i++) {
    const c = msg.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) throw new TlogInputError('note', `contains control character 0x${c.toString(16).padStart(2, '0')}`);
  }
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw new TlogInputError('note', 'has no blank line before the signatures');
  const text = msg.slice(0, split + 1);
  const block = msg.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw new TlogInputError('note', 'signature block must be non-empty and end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new TlogInputError('note', `has more than ${MAX_SIGNATURES} signatures`);
  const seen = new Set<string>();
  const signatures: NoteSignature[] = [];
  lines.forEach((line, i) => {
    const field = `note.signatures[${i}]`;
    if (!line.startsWith(EM_DASH_PREFIX)) throw new TlogInputError(field, `must start with an em dash and a space: ${excerpt(line)}`);
    const rest = line.slice(EM_DASH_PREFIX.length);
    const space = rest.indexOf(' ');
    if (space < 0) throw new TlogInputError(field, 'must be "— <name> <base64>"');
    const name = rest.slice(0, space);
    const b64 = rest.slice(space + 1);
    assertKeyName(`${field}.name`, name);
    const raw = decodeBase64Strict(`${field}.signature`, b64);
    if (raw.length < 5) throw new TlogInputError(`${field}.signature`, 'must hold a 4-byte key id and a signature');
    if (seen.has(line)) return;
    seen.add(line);
    const id = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
    signatures.push({ name, keyId: id, signature: raw.slice(4), base64: b64 });
  });
  return { text, signatures };
}

export interface OpenedNote {
  readonly text: string;
  /** Verifiers whose signature verified, each once, in note order. */
  readonly verified: readonly NoteVerifier[];
  /** Signatures from keys we do not know (ignored, as the spec requires). */
  readonly unverified: readonly NoteSignature[];
}

/**
 * Parses and verifies a note against known keys (signed-note §"Signatures"): signatures from unknown
 * (name, key id) pairs are ignored; a signature from a known key that fails to verify rejects the whole
 * note; at least one known key must have signed. Each known key counts once however many lines it has.
 * Two verifiers with the same (name, key id) are refused as ambiguous.
 */
export function openNote(input: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const note = parseNote(input);
  const byKey = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const k = `${v.name}+${keyIdHex(v.keyId)}`;
    if (byKey.has(k)) throw new TlogInputError('verifiers', `ambiguous key ${excerpt(k)}`);
    byKey.set(k, v);
  }
  const verified: NoteVerifier[] = [];
  const unverified: NoteSignature[] = [];
  for (const sig of note.signatures) {
    const v = byKey.get(`${sig.name}+${keyIdHex(sig.keyId)}`);
    if (v === undefined) {
      unverified.push(sig);
      continue;
    }
    if (!v.verify(note.text, sig.signature)) {
      throw new TlogVerificationError('note', `invalid signature for key ${excerpt(`${sig.name}+${keyIdHex(sig.keyId)}`)}`);
    }
    if (!verified.includes(v)) verified.push(v);
  }
  if (verified.length === 0) throw new TlogVerificationError('note', 'has no verifiable signatures');
  return { text: note.text, verified, unverified };
}

/** Signs `text` with every signer and returns the note (text, blank line, signature lines). */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  assertNoteText('text', text);
  if (signers.length === 0) throw new TlogInputError('signers', 'at least one signer is required');
  return `${text}\n${signers.map((s) => signatureLine(s.name, s.keyId, s.sign(text))).join('')}`;
}

/** `— <name> base64(key id || signature)\n`. */
export function signatureLine(name: string, id: number, signature: Uint8Array): string {
  assertKeyName('name', name);
  const raw = new Uint8Array(4 + signature.length);
  new DataView(raw.buffer).setUint32(0, id >>> 0, false);
  raw.set(signature, 4);
  return `${EM_DASH_PREFIX}${name} ${encodeBase64(raw)}\n`;
}

/** Appends signature lines to an already signed note (e.g. a witness's cosignature). */
export function addSignatureLines(note: string, lines: readonly string[]): string {
  parseNote(note);
  const out = note + lines.join('');
  parseNote(out);
  return out;
}

/** An Ed25519 note verifier (type 0x01: the signature is Ed25519 over the note text). */
export function ed25519NoteVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  assertKeyName('name', name);
  assertEd25519PublicKey('publicKey', publicKey);
  const pk = Uint8Array.from(publicKey);
  return {
    name,
    keyId: keyId(name, SIG_TYPE_ED25519, pk),
    sigType: SIG_TYPE_ED25519,
    publicKey: pk,
    verify: (text, sig) => sig.length === 64 && safeVerify(sig, utf8(text), pk),
  };
}

/** An Ed25519 note signer from a 32-byte RFC 8032 seed. */
export function ed25519NoteSigner(name: string, seed: Uint8Array): NoteSigner {
  assertKeyName('name', name);
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new TlogInputError('seed', 'must be 32 bytes');
  const sk = Uint8Array.from(seed);
  const pk = ed25519.getPublicKey(sk);
  return { name, keyId: keyId(name, SIG_TYPE_ED25519, pk), sign: (text) => ed25519.sign(utf8(text), sk) };
}

export function safeVerify(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean {
  try {
    return ed25519.verify(sig, msg, pk, { zip215: false });
  } catch {
    return false;
  }
}

export function assertEd25519PublicKey(field: string, pk: unknown): asserts pk is Uint8Array {
  if (!(pk instanceof Uint8Array) || pk.length !== 32) throw new TlogInputError(field, 'must be a 32-byte Ed25519 public key');
  try {
    ed25519.Point.fromBytes(pk);
  } catch {
    throw new TlogInputError(field, 'is not a valid Ed25519 point');
  }
}

const HEX8 = /^[0-9a-f]{8}$/;

/** Splits at the first n-1 '+' (the base64 key at the end may itself contain '+'). */
function splitPlus(s: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf('+');
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + 1);
  }
  out.push(rest);
  return out;
}

export interface VerifierKey {
  readonly name: string;
  readonly keyId: number;
  readonly sigType: number;
  readonly publicKey: Uint8Array;
}

/**
 * Parses a verifier key `<name>+<hex key id>+<base64(type || public key)>` (signed-note §"Verifier
 * keys", golang.org/x/mod/sumdb/note NewVerifier). Checks the key id against the key, the type is
 * 0x01 (Ed25519) or 0x04 (cosignature/v1 Ed25519) and the key is 32 bytes.
 */
export function parseVerifierKey(vkey: string): VerifierKey {
  if (typeof vkey !== 'string' || vkey.length > 1024) throw new TlogInputError('vkey', 'must be a string of at most 1024 characters');
  const parts = splitPlus(vkey, 3);
  if (parts.length !== 3) throw new TlogInputError('vkey', `must be name+keyid+key: ${excerpt(vkey)}`);
  const [name, hex, b64] = parts as [string, string, string];
  assertKeyName('vkey.name', name);
  if (!HEX8.test(hex)) throw new TlogInputError('vkey.keyId', 'must be 8 lowercase hex digits');
  const raw = decodeBase64Strict('vkey.key', b64, 1024);
  if (raw.length !== 33) throw new TlogInputError('vkey.key', 'must be a type byte and a 32-byte Ed25519 key');
  const sigType = raw[0]!;
  if (sigType !== SIG_TYPE_ED25519 && sigType !== SIG_TYPE_COSIGNATURE_V1) throw new TlogInputError('vkey.key', `unsupported signature type 0x${sigType.toString(16)}`);
  const publicKey = raw.slice(1);
  assertEd25519PublicKey('vkey.key', publicKey);
  const id = keyId(name, sigType, publicKey);
  if (keyIdHex(id) !== hex) throw new TlogInputError('vkey.keyId', 'does not match the key');
  return { name, keyId: id, sigType, publicKey };
}

/** Formats a verifier key. */
export function formatVerifierKey(name: string, sigType: number, publicKey: Uint8Array): string {
  assertKeyName('name', name);
  assertEd25519PublicKey('publicKey', publicKey);
  return `${name}+${keyIdHex(keyId(name, sigType, publicKey))}+${encodeBase64(concatBytes(Uint8Array.of(sigType), publicKey))}`;
}

/**
 * Parses a signer key `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || 32-byte seed)>` (the
 * golang.org/x/mod/sumdb/note format). Checks the key id against the derived public key.
 */
export function parseSignerKey(skey: string): NoteSigner {
  if (typeof skey !== 'string' || skey.length > 1024) throw new TlogInputError('skey', 'must be a string of at most 1024 characters');
  const parts = splitPlus(skey, 5);
  if (parts.length !== 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw new TlogInputError('skey', 'must be PRIVATE+KEY+name+keyid+key');
  const [, , name, hex, b64] = parts as [string, string, string, string, string];
  assertKeyName('skey.name', name);
  if (!HEX8.test(hex)) throw new TlogInputError('skey.keyId', 'must be 8 lowercase hex digits');
  const raw = decodeBase64Strict('skey.key', b64, 1024);
  if (raw.length !== 33 || raw[0] !== SIG_TYPE_ED25519) throw new TlogInputError('skey.key', 'must be 0x01 and a 32-byte Ed25519 seed');
  const signer = ed25519NoteSigner(name, raw.slice(1));
  if (keyIdHex(signer.keyId) !== hex) throw new TlogInputError('skey.keyId', 'does not match the key');
  return signer;
}

/** Formats a signer key (a secret: never log it). */
export function formatSignerKey(name: string, seed: Uint8Array): string {
  const s = ed25519NoteSigner(name, seed);
  return `PRIVATE+KEY+${name}+${keyIdHex(s.keyId)}+${encodeBase64(concatBytes(Uint8Array.of(SIG_TYPE_ED25519), seed))}`;
}
