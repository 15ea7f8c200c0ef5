import { InvalidInputError } from '@custody/mpc-core';
import { IDENTIFIER_PATTERN } from '@custody/sign-grant';

export const PROTOCOLS = ['ecdsa-keygen', 'ecdsa-refresh', 'ecdsa-presign', 'ecdsa-sign', 'eddsa-keygen', 'eddsa-refresh', 'eddsa-sign'] as const;
export type SessionProtocol = (typeof PROTOCOLS)[number];

/**
 * What a coordinator proposes to every participant: the protocol, the key, who takes part, until
 * when, and the protocol's own parameters. Each participant checks it against its own state and
 * configuration before accepting; a signing invitation carries the policy engine's grant, which each
 * participant verifies itself.
 */
export interface SessionInvite {
  readonly protocol: SessionProtocol;
  readonly keyId: string;
  readonly participants: readonly number[];
  readonly coordinator: number;
  /** Absolute deadline, ms since the epoch. */
  readonly deadline: number;
  /** Keygen: signers needed to sign. */
  readonly threshold?: number;
  /** Signing: the grant, canonical JSON. */
  readonly grant?: string;
  /** ECDSA signing: the presignature every participant consumes (absent: presign within the session). */
  readonly presignatureId?: string;
  /** Signing: the digest (ECDSA) or message (EdDSA) the caller asked for, hex; checked against the grant. */
  readonly signingInput?: string;
}

/** Key ids follow the one identifier grammar (libs/sign-grant), as at the API. */
export const KEY_ID_PATTERN = IDENTIFIER_PATTERN;
export const INVITE_LABEL = 'invite';
export const START_LABEL = 'start';

export function encodeInvite(invite: SessionInvite): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(invite));
}

function fail(field: string, reason: string): never {
  throw new InvalidInputError(`invite.${field}`, reason);
}

/** Parses and checks the shape of an invitation (its meaning is checked by the protocol's handler). */
export function decodeInvite(payload: Uint8Array): SessionInvite {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    fail('payload', 'not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('payload', 'not an object');
  const v = value as Record<string, unknown>;
  if (typeof v.protocol !== 'string' || !(PROTOCOLS as readonly string[]).includes(v.protocol)) fail('protocol', 'unknown');
  if (typeof v.keyId !== 'string' || !KEY_ID_PATTERN.test(v.keyId)) fail('keyId', 'malformed');
  const participants = v.participants;
  if (!Array.isArray(participants) || participants.length < 2 || participants.length > 255) fail('participants', 'must list 2 to 255 signers');
  for (const p of participants) if (!Number.isInteger(p) || (p as number) < 1 || (p as number) > 255) fail('participants', 'ids must be 1..255');
  const ids = participants as number[];
  if (new Set(ids).size !== ids.length) fail('participants', 'duplicate id');
  if (ids.some((p, i) => i > 0 && p < ids[i - 1]!)) fail('participants', 'must be ascending');
  if (!Number.isInteger(v.coordinator) || !ids.includes(v.coordinator as number)) fail('coordinator', 'must be a participant');
  if (!Number.isSafeInteger(v.deadline)) fail('deadline', 'must be ms since the epoch');
  if (v.threshold !== undefined && (!Number.isInteger(v.threshold) || (v.threshold as number) < 2 || (v.threshold as number) > ids.length)) fail('threshold', 'must be 2..n');
  if (v.grant !== undefined && (typeof v.grant !== 'string' || v.grant.length > 1_000_000)) fail('grant', 'must be a string');
  if (v.signingInput !== undefined && (typeof v.signingInput !== 'string' || !/^([0-9a-f]{2}){0,65536}$/.test(v.signingInput))) fail('signingInput', 'must be hex');
  if (v.presignatureId !== undefined && (typeof v.presignatureId !== 'string' || !/^[0-9a-f]{32,128}$/.test(v.presignatureId))) fail('presignatureId', 'malformed');
  return {
    protocol: v.protocol as SessionProtocol,
    keyId: v.keyId,
    participants: ids,
    coordinator: v.coordinator as number,
    deadline: v.deadline as number,
    ...(v.threshold !== undefined ? { threshold: v.threshold as number } : {}),
    ...(v.grant !== undefined ? { grant: v.grant as string } : {}),
    ...(v.presignatureId !== undefined ? { presignatureId: v.presignatureId as string } : {}),
    ...(v.signingInput !== undefined ? { signingInput: v.signingInput as string } : {}),
  };
}
