import { utf8ToBytes } from '@noble/hashes/utils.js';
import { InvalidInputError, type PartyId } from '../errors';
import { Transcript } from '../transcript';
import { fromHex, hex } from './common';
import { validateKeyShare, validatePublicKeyPackage, type KeyShare, type PublicKeyPackage } from './key-share';
import type {
  DkgRound1Message,
  DkgRound2Message,
  FrostMessage,
  PublishedCommitment,
  RefreshCommitmentMessage,
  RefreshShareMessage,
  SignRound1Message,
  SignRound2Message,
} from './messages';
import { commitmentId as computeCommitmentId } from './sign/preprocess';
import { markImported, wasImported } from './sign/imported-nonces';
import { InMemoryNonceStore, type DurableNonceStore, type NonceRecord, type TakenNonce } from './state';
import { getSuite, getSuiteByWireId, type FrostSuite } from './suite';

/**
 * Versioned binary encodings of FROST key shares and messages (format version 1).
 *
 * Every encoding starts with a 5-byte header: `0x43 0x46` ("CF"), the format version `0x01`, a kind
 * byte and the suite's wire id (1 = Ed25519, 2 = BIP340, 3 = secp256k1). Then, in order:
 *
 * | kind | name | body |
 * | --- | --- | --- |
 * | 0x01 | key share (SECRET) | party u8 ‖ public package body ‖ signing share |
 * | 0x02 | public key package | t u8 ‖ n u8 ‖ ids u8×n ‖ t points ‖ n verifying shares ‖ chain code (32) |
 * | 0x10 | dkg/round-1 | sid ‖ count u8 ‖ points ‖ noble proof of knowledge (signature length) ‖ session proof (point ‖ scalar) |
 * | 0x11 | dkg/round-2 (secret, p2p) | sid ‖ scalar |
 * | 0x20 | sign/round-1 | sid ‖ commitment id (16) ‖ hiding point ‖ binding point |
 * | 0x21 | sign/round-2 | sid ‖ scalar |
 * | 0x30 | refresh/round-1-commitment | sid ‖ count u8 ‖ points |
 * | 0x31 | refresh/round-1-share (secret, p2p) | sid ‖ scalar |
 * | 0x40 | published commitment | party u8 ‖ commitment id (16) ‖ hiding ‖ binding |
 * | 0x41 | nonce record (SECRET; decoded only by {@link takeNonce}) | published commitment body ‖ hiding nonce ‖ binding nonce |
 *
 * `sid` is the session id as u8 length (16..64) ‖ bytes. Points use the suite's canonical encoding
 * (Ed25519: 32 bytes; secp256k1: 33-byte compressed); scalars are 32 bytes in the suite's byte order.
 * Decoding checks everything (header, lengths, canonical points in the prime-order group and not the
 * identity, scalars below the order, no trailing bytes) and throws InvalidInputError naming the field.
 */
export const FORMAT_VERSION = 1;
const MAGIC = [0x43, 0x46] as const;

const KIND = {
  keyShare: 0x01,
  publicPackage: 0x02,
  'dkg/round-1': 0x10,
  'dkg/round-2': 0x11,
  'sign/round-1': 0x20,
  'sign/round-2': 0x21,
  'refresh/round-1-commitment': 0x30,
  'refresh/round-1-share': 0x31,
  publishedCommitment: 0x40,
  nonceRecord: 0x41,
} as const;
type KindName = keyof typeof KIND;

class Writer {
  private readonly parts: number[] = [];
  constructor(kind: KindName, suite: FrostSuite) {
    this.parts.push(MAGIC[0], MAGIC[1], FORMAT_VERSION, KIND[kind], suite.wireId);
  }
  u8(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 255) throw new InvalidInputError('value', `not a u8: ${n}`);
    this.parts.push(n);
    return this;
  }
  raw(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  fixed(b: Uint8Array, length: number, argument: string): this {
    if (!(b instanceof Uint8Array) || b.length !== length) throw new InvalidInputError(argument, `expected ${length} bytes`);
    return this.raw(b);
  }
  sessionId(b: Uint8Array): this {
    if (!(b instanceof Uint8Array) || b.length < 16 || b.length > 64) throw new InvalidInputError('sessionId', 'must be 16 to 64 bytes');
    return this.u8(b.length).raw(b);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

class Reader {
  private offset = 5;
  readonly suite: FrostSuite;
  constructor(
    private readonly data: Uint8Array,
    expected: KindName,
    argument: string,
  ) {
    if (!(data instanceof Uint8Array)) throw new InvalidInputError(argument, 'expected a Uint8Array');
    if (data.length < 5 || data[0] !== MAGIC[0] || data[1] !== MAGIC[1]) throw new InvalidInputError(argument, 'not a custody FROST encoding');
    if (data[2] !== FORMAT_VERSION) throw new InvalidInputError(`${argument}.version`, `unsupported format version ${data[2]}`);
    if (data[3] !== KIND[expected]) throw new InvalidInputError(`${argument}.kind`, `expected kind ${expected}`);
    this.suite = getSuiteByWireId(data[4], `${argument}.suite`);
    this.argument = argument;
  }
  private readonly argument: string;
  private take(n: number, field: string): Uint8Array {
    if (this.offset + n > this.data.length) throw new InvalidInputError(`${this.argument}.${field}`, 'truncated');
    const out = this.data.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  u8(field: string): number {
    return this.take(1, field)[0];
  }
  point(field: string): Uint8Array {
    return this.suite.parsePoint(this.take(this.suite.pointLength, field), `${this.argument}.${field}`);
  }
  scalar(field: string): Uint8Array {
    const b = this.take(this.suite.scalarLength, field);
    this.suite.parseScalar(b, `${this.argument}.${field}`);
    return b;
  }
  fixed(n: number, field: string): Uint8Array {
    return this.take(n, field);
  }
  sessionId(): Uint8Array {
    const n = this.u8('sessionId.length');
    if (n < 16 || n > 64) throw new InvalidInputError(`${this.argument}.sessionId`, 'must be 16 to 64 bytes');
    return this.take(n, 'sessionId');
  }
  points(field: string): Uint8Array[] {
    const n = this.u8(`${field}.length`);
    return Array.from({ length: n }, (_, i) => this.point(`${field}[${i}]`));
  }
  end(): void {
    if (this.offset !== this.data.length) throw new InvalidInputError(this.argument, `${this.data.length - this.offset} trailing bytes`);
  }
}

function writePublicBody(w: Writer, suite: FrostSuite, p: PublicKeyPackage): void {
  w.u8(p.threshold).u8(p.partyIds.length);
  for (const id of p.partyIds) w.u8(id);
  p.groupCommitment.forEach((c, i) => w.fixed(c, suite.pointLength, `groupCommitment[${i}]`));
  p.verifyingShares.forEach((c, i) => w.fixed(c, suite.pointLength, `verifyingShares[${i}]`));
  w.fixed(p.chainCode, 32, 'chainCode');
}

function readPublicBody(r: Reader): PublicKeyPackage {
  const threshold = r.u8('threshold');
  const n = r.u8('partyIds.length');
  const partyIds: PartyId[] = Array.from({ length: n }, (_, i) => r.u8(`partyIds[${i}]`));
  const groupCommitment = Array.from({ length: threshold }, (_, i) => r.point(`groupCommitment[${i}]`));
  const verifyingShares = Array.from({ length: n }, (_, i) => r.point(`verifyingShares[${i}]`));
  const chainCode = r.fixed(32, 'chainCode');
  return { suite: r.suite.name, threshold, partyIds, groupCommitment, verifyingShares, chainCode };
}

export function encodePublicKeyPackage(p: PublicKeyPackage): Uint8Array {
  const pub = validatePublicKeyPackage(p, 'publicPackage');
  const suite = getSuite(pub.suite);
  const w = new Writer('publicPackage', suite);
  writePublicBody(w, suite, pub);
  return w.bytes();
}

export function decodePublicKeyPackage(bytes: Uint8Array): PublicKeyPackage {
  const r = new Reader(bytes, 'publicPackage', 'publicPackage');
  const p = readPublicBody(r);
  r.end();
  return validatePublicKeyPackage(p, 'publicPackage');
}

/** SECRET: for the share vault only (it encrypts the result), never the wire or a log. */
export function encodeKeyShare(k: KeyShare): Uint8Array {
  const share = validateKeyShare(k, 'keyShare');
  const suite = getSuite(share.publicPackage.suite);
  const w = new Writer('keyShare', suite).u8(share.partyId);
  writePublicBody(w, suite, share.publicPackage);
  w.fixed(share.signingShare, suite.scalarLength, 'signingShare');
  return w.bytes();
}

export function decodeKeyShare(bytes: Uint8Array): KeyShare {
  const r = new Reader(bytes, 'keyShare', 'keyShare');
  const partyId = r.u8('partyId');
  const publicPackage = readPublicBody(r);
  const signingShare = r.scalar('signingShare');
  r.end();
  return validateKeyShare({ publicPackage, partyId, signingShare }, 'keyShare');
}

export function encodePublishedCommitment(c: PublishedCommitment): Uint8Array {
  const suite = getSuite(c.suite, 'commitment.suite');
  return new Writer('publishedCommitment', suite).u8(c.partyId).fixed(fromHex(c.commitmentId, 'commitment.commitmentId'), 16, 'commitment.commitmentId').fixed(c.hiding, suite.pointLength, 'commitment.hiding').fixed(c.binding, suite.pointLength, 'commitment.binding').bytes();
}

export function decodePublishedCommitment(bytes: Uint8Array): PublishedCommitment {
  const r = new Reader(bytes, 'publishedCommitment', 'commitment');
  const partyId = r.u8('partyId');
  const id = hex(r.fixed(16, 'commitmentId'));
  const hiding = r.point('hiding');
  const binding = r.point('binding');
  r.end();
  if (partyId < 1) throw new InvalidInputError('commitment.partyId', 'must be at least 1');
  if (id !== computeCommitmentId(r.suite, partyId, hiding, binding)) throw new InvalidInputError('commitment.commitmentId', 'does not name this commitment pair');
  return { suite: r.suite.name, partyId, commitmentId: id, hiding, binding };
}

/** SECRET: a preprocessed nonce record, for the node's nonce table (encrypted at rest), never the wire. */
export function encodeNonceRecord(r: NonceRecord): Uint8Array {
  if (typeof r !== 'object' || r === null) throw new InvalidInputError('record', 'expected an object');
  const c = r.commitment;
  const suite = getSuite(c.suite, 'record.commitment.suite');
  return new Writer('nonceRecord', suite)
    .u8(c.partyId)
    .fixed(fromHex(c.commitmentId, 'record.commitment.commitmentId'), 16, 'record.commitment.commitmentId')
    .fixed(c.hiding, suite.pointLength, 'record.commitment.hiding')
    .fixed(c.binding, suite.pointLength, 'record.commitment.binding')
    .fixed(r.hiding, suite.scalarLength, 'record.hiding')
    .fixed(r.binding, suite.scalarLength, 'record.binding')
    .bytes();
}

/**
 * Decodes a nonce record and checks that its nonces match its commitments (d·G = D, e·G = E).
 * Deliberately NOT exported: a decoded record is a usable nonce, so the only way to one is
 * {@link takeNonce}, from the node's durable store.
 */
function decodeNonceRecord(bytes: Uint8Array): NonceRecord {
  const r = new Reader(bytes, 'nonceRecord', 'record');
  const partyId = r.u8('partyId');
  const id = hex(r.fixed(16, 'commitmentId'));
  const hidingPoint = r.point('commitment.hiding');
  const bindingPoint = r.point('commitment.binding');
  const hiding = r.scalar('hiding');
  const binding = r.scalar('binding');
  r.end();
  const suite = r.suite;
  if (partyId < 1) throw new InvalidInputError('record.partyId', 'must be at least 1');
  if (id !== computeCommitmentId(suite, partyId, hidingPoint, bindingPoint)) throw new InvalidInputError('record.commitmentId', 'does not name this commitment pair');
  for (const [nonce, point, field] of [[hiding, hidingPoint, 'hiding'], [binding, bindingPoint, 'binding']] as const) {
    const d = suite.parseScalar(nonce, `record.${field}`);
    if (d === 0n || !suite.pointEquals(suite.mulBase(d), point)) throw new InvalidInputError(`record.${field}`, 'does not match its commitment');
  }
  return { commitment: { suite: suite.name, partyId, commitmentId: id, hiding: hidingPoint, binding: bindingPoint }, hiding, binding };
}

/**
 * Takes one nonce pair from the node's durable store for one signing session: `store.consumeEncoded()`
 * (the node's atomic consume), then decodes and checks the record, wipes the bytes, and returns the
 * commitment with a store holding only this pair. Refuses a record already taken in this process (a
 * durable store that returned it twice); across processes, the durable store's consume is the guard.
 * The only way from an encoded nonce record back to usable nonces.
 */
export async function takeNonce(store: DurableNonceStore): Promise<TakenNonce | undefined> {
  if (typeof store !== 'object' || store === null || typeof store.consumeEncoded !== 'function') throw new InvalidInputError('store', 'expected a DurableNonceStore');
  const bytes = await store.consumeEncoded();
  if (bytes === undefined) return undefined;
  let record: NonceRecord;
  try {
    record = decodeNonceRecord(bytes);
  } finally {
    if (bytes instanceof Uint8Array) bytes.fill(0);
  }
  const id = record.commitment.commitmentId;
  if (wasImported(id)) {
    record.hiding.fill(0);
    record.binding.fill(0);
    throw new InvalidInputError('store', `nonce ${id} was already taken in this process: the durable store returned a consumed record again`);
  }
  const held = new InMemoryNonceStore();
  held.put(record);
  markImported(id);
  return { commitment: record.commitment, store: held };
}

/** Encodes any FROST wire message (its kind picks the layout). */
export function encodeMessage(m: FrostMessage): Uint8Array {
  if (typeof m !== 'object' || m === null) throw new InvalidInputError('message', 'expected an object');
  const suite = getSuite(m.suite, 'message.suite');
  const w = new Writer(m.kind, suite).sessionId(m.sessionId);
  switch (m.kind) {
    case 'dkg/round-1':
      w.u8(m.commitment.length);
      m.commitment.forEach((c, i) => w.fixed(c, suite.pointLength, `message.commitment[${i}]`));
      return w.fixed(m.proofOfKnowledge, suite.signatureLength, 'message.proofOfKnowledge').fixed(m.sessionProof, suite.pointLength + suite.scalarLength, 'message.sessionProof').bytes();
    case 'dkg/round-2':
      return w.fixed(m.signingShare, suite.scalarLength, 'message.signingShare').bytes();
    case 'sign/round-1':
      return w.fixed(fromHex(m.commitmentId, 'message.commitmentId'), 16, 'message.commitmentId').fixed(m.hiding, suite.pointLength, 'message.hiding').fixed(m.binding, suite.pointLength, 'message.binding').bytes();
    case 'sign/round-2':
      return w.fixed(m.signatureShare, suite.scalarLength, 'message.signatureShare').bytes();
    case 'refresh/round-1-commitment':
      w.u8(m.commitment.length);
      m.commitment.forEach((c, i) => w.fixed(c, suite.pointLength, `message.commitment[${i}]`));
      return w.bytes();
    case 'refresh/round-1-share':
      return w.fixed(m.share, suite.scalarLength, 'message.share').bytes();
    default:
      throw new InvalidInputError('message.kind', 'unknown message kind');
  }
}

const KIND_BY_BYTE = new Map<number, KindName>(Object.entries(KIND).map(([k, v]) => [v, k as KindName]));

/** Decodes any FROST wire message, fully validated. */
export function decodeMessage(bytes: Uint8Array): FrostMessage {
  if (!(bytes instanceof Uint8Array) || bytes.length < 5) throw new InvalidInputError('message', 'too short');
  const kind = KIND_BY_BYTE.get(bytes[3]);
  if (kind === undefined || kind === 'keyShare' || kind === 'publicPackage' || kind === 'publishedCommitment' || kind === 'nonceRecord') {
    throw new InvalidInputError('message.kind', 'not a FROST wire message kind');
  }
  const r = new Reader(bytes, kind, 'message');
  const suite = r.suite.name;
  const sessionId = r.sessionId();
  let m: FrostMessage;
  switch (kind) {
    case 'dkg/round-1': {
      const commitment = r.points('commitment');
      const proofOfKnowledge = r.fixed(r.suite.signatureLength, 'proofOfKnowledge');
      const sessionProof = r.fixed(r.suite.pointLength + r.suite.scalarLength, 'sessionProof');
      m = { kind, suite, sessionId, commitment, proofOfKnowledge, sessionProof } satisfies DkgRound1Message;
      break;
    }
    case 'dkg/round-2':
      m = { kind, suite, sessionId, signingShare: r.scalar('signingShare') } satisfies DkgRound2Message;
      break;
    case 'sign/round-1': {
      const commitmentId = hex(r.fixed(16, 'commitmentId'));
      m = { kind, suite, sessionId, commitmentId, hiding: r.point('hiding'), binding: r.point('binding') } satisfies SignRound1Message;
      break;
    }
    case 'sign/round-2':
      m = { kind, suite, sessionId, signatureShare: r.scalar('signatureShare') } satisfies SignRound2Message;
      break;
    case 'refresh/round-1-commitment':
      m = { kind, suite, sessionId, commitment: r.points('commitment') } satisfies RefreshCommitmentMessage;
      break;
    case 'refresh/round-1-share':
      m = { kind, suite, sessionId, share: r.scalar('share') } satisfies RefreshShareMessage;
      break;
  }
  r.end();
  return m;
}

/**
 * A digest of one round's broadcasts as this party holds them (its own included), for the echo check
 * that the transport runs before the next round: every party sends its digest to every other, and any
 * difference means a sender equivocated (sent different broadcasts to different parties), which the
 * round functions alone cannot see. `Transcript("custody-frost/broadcast-digest/v1")` over the session
 * id, the round name and each (sender, encoded message) in ascending sender order; 32 bytes.
 */
export function broadcastDigest(sessionId: Uint8Array, round: string, entries: readonly { readonly from: PartyId; readonly message: FrostMessage }[]): Uint8Array {
  if (!(sessionId instanceof Uint8Array) || sessionId.length < 16 || sessionId.length > 64) throw new InvalidInputError('sessionId', 'must be 16 to 64 bytes');
  if (typeof round !== 'string' || round.length === 0) throw new InvalidInputError('round', 'must be a non-empty string');
  const sorted = [...entries].sort((a, b) => a.from - b.from);
  sorted.forEach((e, i) => {
    if (i > 0 && sorted[i - 1]!.from === e.from) throw new InvalidInputError('entries', `two broadcasts from party ${e.from}`);
  });
  const t = new Transcript('custody-frost/broadcast-digest/v1').appendBytes('session-id', sessionId).appendBytes('round', utf8ToBytes(round));
  for (const { from, message } of sorted) t.appendNumber('from', from).appendBytes('message', encodeMessage(message));
  return t.challengeBytes('digest', 32);
}
