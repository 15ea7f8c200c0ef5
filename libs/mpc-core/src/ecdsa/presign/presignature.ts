import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { InvalidInputError, type PartyId } from '../../errors';
import { CURVE_ORDER, G, type Point, assertPoint, invq, isHex, mulPublic, pointFromHex, pointToHex } from '../curve';
import { normalizeParties, parseVersionedRecord } from '../protocol';
import { rhoCommitment } from '../sign/rerandomize';
import type { KeyShare } from '../key-share';
import { keyGenerationFingerprint } from './generation';
import { consumePresignature, issueFromStore } from './one-time';
import type { Presignature } from './state';

/**
 * Versioned serialization of a presignature, for exactly one durable store of a node (secret: k_i,
 * χ_i and ρ_i; seal it like a key share). Serializing consumes the in-memory presignature: from then
 * on the record is the presignature, and the only way back to a usable one is
 * {@link takePresignature}, through the store's one-time `consume`. Parsing checks every point, every
 * scalar and the presigning relations (R = δ^-1·Γ, δ·G = ΣΔ_j, ΣS_j = δ·X, own k_i, χ_i, ρ_i).
 *
 * Version 2 (this one) adds the key-generation fingerprint and the re-randomization values; version-1
 * records are refused (they predate both: presign again).
 */
export const PRESIGNATURE_VERSION = 2;

const hex = (x: bigint): string => x.toString(16);

/** Serializes `p` for its store and consumes it (a used, pooled or already serialized presignature is refused). */
export function serializePresignature(presignature: Presignature): string {
  const p = consumePresignature(presignature, 'store');
  return JSON.stringify({
    version: PRESIGNATURE_VERSION,
    curve: 'secp256k1',
    id: p.id,
    publicKey: pointToHex(p.publicKey),
    self: p.self,
    signers: [...p.signers],
    R: pointToHex(p.R),
    Gamma: pointToHex(p.Gamma),
    delta: hex(p.delta),
    k: hex(p.k),
    chi: hex(p.chi),
    Delta: p.signers.map((j) => pointToHex(p.Delta.get(j)!)),
    S: p.signers.map((j) => pointToHex(p.S.get(j)!)),
    keyGeneration: p.keyGeneration,
    rho: bytesToHex(p.rho),
    rhoCommitments: p.signers.map((j) => p.rhoCommitments.get(j)!),
  });
}

function scalar(v: unknown, name: string): bigint {
  if (typeof v !== 'string' || !/^[0-9a-f]{1,64}$/.test(v)) throw new InvalidInputError(name, 'must be lowercase hex');
  const x = BigInt('0x' + v);
  if (x === 0n || x >= CURVE_ORDER) throw new InvalidInputError(name, 'must be in [1, n)');
  return x;
}

function points(v: unknown, n: number, name: string): Point[] {
  if (!Array.isArray(v) || v.length !== n) throw new InvalidInputError(name, `must be ${n} points`);
  return v.map((h: unknown, i) => pointFromHex(h, `${name}[${i}]`));
}

function hex32(v: unknown, name: string): string {
  if (!isHex(v, 32)) throw new InvalidInputError(name, 'must be 32 bytes of lowercase hex');
  return v;
}

function parseRecord(text: string): Record<string, unknown> {
  try {
    return parseVersionedRecord(text, 'presignature', PRESIGNATURE_VERSION);
  } catch (error) {
    if (error instanceof InvalidInputError && error.argument === 'presignature.version' && (JSON.parse(text) as { version?: unknown }).version === 1) {
      throw new InvalidInputError('presignature.version', 'version 1 records predate generation binding and re-randomization and are refused: presign again');
    }
    throw error;
  }
}

/** Parses and validates a record; NOT exported: a usable presignature comes back only through {@link takePresignature}. */
function parsePresignature(text: string): Presignature {
  const o = parseRecord(text);
  if (typeof o.id !== 'string' || !/^[0-9a-f]{64}$/.test(o.id)) throw new InvalidInputError('presignature.id', 'must be 32 bytes of hex');
  if (typeof o.self !== 'number') throw new InvalidInputError('presignature.self', 'must be a number');
  if (!Array.isArray(o.signers)) throw new InvalidInputError('presignature.signers', 'must be an array');
  const signers = normalizeParties(o.signers as PartyId[], 'presignature.signers', o.self);
  if (signers.join(',') !== (o.signers as PartyId[]).join(',')) throw new InvalidInputError('presignature.signers', 'must be ascending');
  const Delta = points(o.Delta, signers.length, 'presignature.Delta');
  const S = points(o.S, signers.length, 'presignature.S');
  const p: Presignature = {
    id: o.id,
    publicKey: pointFromHex(o.publicKey, 'presignature.publicKey'),
    self: o.self,
    signers,
    R: pointFromHex(o.R, 'presignature.R'),
    Gamma: pointFromHex(o.Gamma, 'presignature.Gamma'),
    delta: scalar(o.delta, 'presignature.delta'),
    k: scalar(o.k, 'presignature.k'),
    chi: scalar(o.chi, 'presignature.chi'),
    Delta: new Map(signers.map((j, i) => [j, Delta[i]!])),
    S: new Map(signers.map((j, i) => [j, S[i]!])),
    keyGeneration: hex32(o.keyGeneration, 'presignature.keyGeneration'),
    rho: hexToBytes(hex32(o.rho, 'presignature.rho')),
    rhoCommitments: new Map(),
  };
  if (!Array.isArray(o.rhoCommitments) || o.rhoCommitments.length !== signers.length) throw new InvalidInputError('presignature.rhoCommitments', `must be ${signers.length} commitments`);
  const commitments = new Map(signers.map((j, i) => [j, hex32((o.rhoCommitments as unknown[])[i], `presignature.rhoCommitments[${i}]`)]));
  if (rhoCommitment(p.id, p.self, p.rho) !== commitments.get(p.self)) throw new InvalidInputError('presignature.rho', 'does not open our commitment');
  assertPoint(p.R, 'presignature.R');
  if (!mulPublic(p.Gamma, invq(p.delta)).equals(p.R)) throw new InvalidInputError('presignature.R', 'is not δ^-1·Γ');
  if (!mulPublic(G, p.delta).equals(Delta.reduce((a, b) => a.add(b)))) throw new InvalidInputError('presignature.Delta', 'δ·G is not ΣΔ_j');
  if (!mulPublic(p.publicKey, p.delta).equals(S.reduce((a, b) => a.add(b)))) throw new InvalidInputError('presignature.S', 'ΣS_j is not δ·X');
  if (!mulPublic(p.Gamma, p.k).equals(p.Delta.get(p.self)!)) throw new InvalidInputError('presignature.k', 'does not match Δ_self');
  if (!mulPublic(p.Gamma, p.chi).equals(p.S.get(p.self)!)) throw new InvalidInputError('presignature.chi', 'does not match S_self');
  return { ...p, rhoCommitments: commitments };
}

/**
 * Where a node keeps its serialized presignatures (sealed). `consume(id)` must atomically mark the
 * record used (or delete it) and return it, and return `undefined` for an unknown or already
 * consumed id; in a database: `UPDATE … SET consumed_at = now(), sealed = '{}' WHERE id = $1 AND
 * consumed_at IS NULL RETURNING sealed`. Records must never be copied into a second store.
 */
export interface PresignatureStore {
  consume(id: string): string | undefined | Promise<string | undefined>;
}

/** What the caller expects of the record (checked before the presignature is issued). */
export interface PresignatureExpectation {
  /** The current key share: the record must be this party's, made with this generation of the key. */
  readonly keyShare?: KeyShare;
  /** The signing set the record must belong to (ascending). */
  readonly signers?: readonly PartyId[];
}

/**
 * The one way from a record back to a usable presignature: consumes `id` from `store`, validates
 * the record, checks that it is the presignature `id` (and what `expected` asks: key generation,
 * party, signing set; refused with `presignature.keyGeneration`, `presignature.self` or
 * `presignature.signers`), and refuses a presignature already taken, signed or issued in this
 * process (presign/one-time.ts). The result signs once.
 */
export async function takePresignature(store: PresignatureStore, id: string, expected: PresignatureExpectation = {}): Promise<Presignature> {
  if (typeof store !== 'object' || store === null || typeof store.consume !== 'function') throw new InvalidInputError('store', 'expected a PresignatureStore');
  if (!isHex(id, 32)) throw new InvalidInputError('id', 'must be 32 bytes of lowercase hex');
  const text = await store.consume(id);
  if (text === undefined) throw new InvalidInputError('id', `presignature ${id} is not in the store (unknown or already consumed)`);
  if (typeof text !== 'string') throw new InvalidInputError('store', 'consume must return the serialized record');
  const p = parsePresignature(text);
  if (p.id !== id) throw new InvalidInputError('presignature.id', `the record is presignature ${p.id}, not ${id}`);
  if (expected.keyShare !== undefined) {
    if (p.keyGeneration !== keyGenerationFingerprint(expected.keyShare)) throw new InvalidInputError('presignature.keyGeneration', 'was made for another key or another generation of it');
    if (p.self !== expected.keyShare.self) throw new InvalidInputError('presignature.self', `is party ${p.self}'s, not ${expected.keyShare.self}'s`);
  }
  if (expected.signers !== undefined && p.signers.join(',') !== [...expected.signers].join(',')) throw new InvalidInputError('presignature.signers', 'belongs to another signer set');
  return issueFromStore(p);
}

/** An in-memory {@link PresignatureStore} for tests, the CLI and the bench (a node uses its database). */
export class InMemoryPresignatureStore implements PresignatureStore {
  private readonly records = new Map<string, string>();
  private readonly everSeen = new Set<string>();

  /** Serializes (and so consumes) `p` into the store; refuses an id this store has ever held. */
  put(p: Presignature): string {
    if (typeof p !== 'object' || p === null || typeof p.id !== 'string') throw new InvalidInputError('presignature', 'not a presignature');
    if (this.everSeen.has(p.id)) throw new InvalidInputError('presignature', `presignature ${p.id} was already stored once`);
    const text = serializePresignature(p);
    this.everSeen.add(p.id);
    this.records.set(p.id, text);
    return p.id;
  }

  consume(id: string): string | undefined {
    const text = this.records.get(id);
    this.records.delete(id);
    return text;
  }

  get size(): number {
    return this.records.size;
  }
}
