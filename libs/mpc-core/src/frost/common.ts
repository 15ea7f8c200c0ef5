import { InvalidInputError, ProtocolAbortError, type PartyId } from '../errors';
import type { Rng } from '../rng';
import type { FrostMessage, Incoming } from './messages';
import { validatePartyIds } from './key-share';
import { bytesEqual, type FrostSuite } from './suite';

/** noble's RNG shape from our injected {@link Rng}. */
export function nobleRng(rng: Rng): (byteLength?: number) => Uint8Array<ArrayBuffer> {
  if (typeof rng !== 'function') throw new InvalidInputError('rng', 'expected a function');
  return (byteLength = 32) => {
    const out = rng(byteLength);
    if (!(out instanceof Uint8Array) || out.length !== byteLength) throw new InvalidInputError('rng', 'returned the wrong number of bytes');
    return Uint8Array.from(out);
  };
}

export function validateSessionId(sessionId: unknown, argument = 'sessionId'): Uint8Array {
  if (!(sessionId instanceof Uint8Array) || sessionId.length < 16 || sessionId.length > 64) {
    throw new InvalidInputError(argument, 'must be 16 to 64 bytes');
  }
  return sessionId;
}

export function validateBytes(value: unknown, argument: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new InvalidInputError(argument, 'expected a Uint8Array');
  return value;
}

/** Checks the session's party list and that `me` is one of them. */
export function validateSessionParties(partyIds: unknown, me: unknown, argument = 'partyIds'): readonly PartyId[] {
  const ids = validatePartyIds(partyIds, argument);
  if (ids.length < 2) throw new InvalidInputError(argument, 'at least two parties');
  if (typeof me !== 'number' || !ids.includes(me)) throw new InvalidInputError('me', 'must be one of the party ids');
  return ids;
}

/**
 * Intake of one round's authenticated inbox: exactly one message of `kind` from each expected party,
 * for this suite and session; then `check` validates each message's content (throwing
 * InvalidInputError for malformed content). Every failure is collected and the culprits are named in
 * one ProtocolAbortError. Nothing is stored before all messages passed.
 */
export function intake<M extends FrostMessage>(
  round: string,
  suite: FrostSuite,
  sessionId: Uint8Array,
  expectedFrom: readonly PartyId[],
  kind: M['kind'],
  inbox: unknown,
  check: (message: M, from: PartyId) => void,
): Map<PartyId, M> {
  if (!Array.isArray(inbox)) throw new InvalidInputError('inbox', 'expected an array of incoming messages');
  const got = new Map<PartyId, M>();
  const bad = new Map<PartyId, string>();
  for (const [i, entry] of (inbox as unknown[]).entries()) {
    if (typeof entry !== 'object' || entry === null) throw new InvalidInputError(`inbox[${i}]`, 'expected { from, message }');
    const { from, message } = entry as Incoming<unknown>;
    if (typeof from !== 'number' || !expectedFrom.includes(from)) {
      throw new InvalidInputError(`inbox[${i}].from`, 'not a party expected in this round');
    }
    if (got.has(from) || bad.has(from)) {
      bad.set(from, 'duplicate-message');
      continue;
    }
    const m = message as M;
    if (typeof m !== 'object' || m === null || m.kind !== kind) {
      bad.set(from, 'wrong-message-kind');
      continue;
    }
    if (m.suite !== suite.name) {
      bad.set(from, 'wrong-suite');
      continue;
    }
    if (!(m.sessionId instanceof Uint8Array) || !bytesEqual(m.sessionId, sessionId)) {
      bad.set(from, 'session-id');
      continue;
    }
    try {
      check(m, from);
    } catch (error) {
      if (error instanceof InvalidInputError) {
        bad.set(from, `malformed ${error.argument}`);
        continue;
      }
      throw error;
    }
    got.set(from, m);
  }
  if (bad.size > 0) {
    const culprits = [...bad.keys()].sort((a, b) => a - b);
    const checks = [...new Set(bad.values())];
    throw new ProtocolAbortError(round, culprits, checks.length === 1 ? checks[0] : 'message-intake', culprits.map((c) => `${c}: ${bad.get(c)}`).join('; '));
  }
  const missing = expectedFrom.filter((p) => !got.has(p));
  if (missing.length > 0) throw new ProtocolAbortError(round, missing, 'missing-message');
  return got;
}

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(s: string, argument: string): Uint8Array {
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new InvalidInputError(argument, 'expected an even-length hex string');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Array check that does not widen the argument's static type to any[]. */
export function isArray(value: unknown): boolean {
  return Array.isArray(value);
}
