import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { Presignature } from '@custody/mpc-core/ecdsa/presign/state';

type Point = InstanceType<typeof secp256k1.Point>;
const { Point } = secp256k1;
const N = Point.CURVE().n;

interface PresignatureJson {
  v: 1;
  id: string;
  publicKey: string;
  self: number;
  signers: number[];
  R: string;
  Gamma: string;
  delta: string;
  k: string;
  chi: string;
  Delta: Array<[number, string]>;
  S: Array<[number, string]>;
}

const hexPoint = (p: Point): string => p.toHex(true);
const scalar = (x: bigint): string => x.toString(16);

/**
 * A presignature as the vault seals it (the whole JSON is encrypted: k and χ are secret). Decoding
 * checks every point is on the curve and every scalar below the group order.
 */
export function encodePresignature(p: Presignature): Uint8Array {
  const json: PresignatureJson = {
    v: 1,
    id: p.id,
    publicKey: hexPoint(p.publicKey),
    self: p.self,
    signers: [...p.signers],
    R: hexPoint(p.R),
    Gamma: hexPoint(p.Gamma),
    delta: scalar(p.delta),
    k: scalar(p.k),
    chi: scalar(p.chi),
    Delta: [...p.Delta].map(([id, point]) => [id, hexPoint(point)]),
    S: [...p.S].map(([id, point]) => [id, hexPoint(point)]),
  };
  return new TextEncoder().encode(JSON.stringify(json));
}

function point(hex: unknown, name: string): Point {
  if (typeof hex !== 'string' || !/^0[23][0-9a-f]{64}$/.test(hex)) throw new Error(`presignature ${name} is not a compressed point`);
  return Point.fromHex(hex);
}

function scalarOf(hex: unknown, name: string): bigint {
  if (typeof hex !== 'string' || !/^[0-9a-f]{1,64}$/.test(hex)) throw new Error(`presignature ${name} is not a scalar`);
  const x = BigInt('0x' + hex);
  if (x >= N) throw new Error(`presignature ${name} is not below the group order`);
  return x;
}

export function decodePresignature(bytes: Uint8Array): Presignature {
  const j = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Partial<PresignatureJson>;
  if (j.v !== 1 || typeof j.id !== 'string' || !Number.isInteger(j.self) || !Array.isArray(j.signers) || !Array.isArray(j.Delta) || !Array.isArray(j.S)) {
    throw new Error('malformed presignature record');
  }
  return {
    id: j.id,
    publicKey: point(j.publicKey, 'publicKey'),
    self: j.self!,
    signers: j.signers.map(Number),
    R: point(j.R, 'R'),
    Gamma: point(j.Gamma, 'Gamma'),
    delta: scalarOf(j.delta, 'delta'),
    k: scalarOf(j.k, 'k'),
    chi: scalarOf(j.chi, 'chi'),
    Delta: new Map(j.Delta.map(([id, h]) => [Number(id), point(h, 'Delta')])),
    S: new Map(j.S.map(([id, h]) => [Number(id), point(h, 'S')])),
  };
}

export function presignatureRecordId(presignatureId: string): string {
  return `presig.${presignatureId}`;
}
