import { InvalidInputError, type PartyId } from '../../errors';
import { CURVE_ORDER, G, type Point, assertPoint, invq, mulPublic, pointFromHex, pointToHex } from '../curve';
import { normalizeParties, parseVersionedRecord } from '../protocol';
import type { Presignature } from './state';

/**
 * Versioned serialization of a presignature, for a node's presignature store (secret: k_i and χ_i;
 * seal it like a key share). The store must consume it (delete or mark used) before a σ_i leaves
 * the node. Deserializing checks every point, every scalar and the presigning relations
 * (R = δ^-1·Γ, δ·G = ΣΔ_j).
 */
export const PRESIGNATURE_VERSION = 1;

const hex = (x: bigint): string => x.toString(16);

export function serializePresignature(p: Presignature): string {
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

export function deserializePresignature(text: string): Presignature {
  const o = parseVersionedRecord(text, 'presignature', PRESIGNATURE_VERSION);
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
  };
  assertPoint(p.R, 'presignature.R');
  if (!mulPublic(p.Gamma, invq(p.delta)).equals(p.R)) throw new InvalidInputError('presignature.R', 'is not δ^-1·Γ');
  if (!mulPublic(G, p.delta).equals(Delta.reduce((a, b) => a.add(b)))) throw new InvalidInputError('presignature.Delta', 'δ·G is not ΣΔ_j');
  if (!mulPublic(p.publicKey, p.delta).equals(S.reduce((a, b) => a.add(b)))) throw new InvalidInputError('presignature.S', 'ΣS_j is not δ·X');
  if (!mulPublic(p.Gamma, p.k).equals(p.Delta.get(p.self)!)) throw new InvalidInputError('presignature.k', 'does not match Δ_self');
  if (!mulPublic(p.Gamma, p.chi).equals(p.S.get(p.self)!)) throw new InvalidInputError('presignature.chi', 'does not match S_self');
  return p;
}
