import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { InvalidInputError, ProtocolAbortError, type PartyId } from '../errors';
import { type ProofContext, Transcript } from '../transcript';
import { assertPartySet } from '../math/lagrange';

/**
 * The round contract of every ECDSA sub-protocol (house rule 1): a round is a function
 * `(state, inbox, rng) → { state, outgoing }` or it throws a {@link ProtocolAbortError} naming the
 * culprits. The inbox holds the messages addressed to this party, keyed by the sender's id as the
 * authenticated channel established it (never as a payload claims). A message carries the sender's
 * broadcast part and the part meant for this recipient only; the transport must deliver broadcast
 * parts reliably (echo broadcast: every party confirms the same hash of each round's broadcasts).
 */
export interface Outgoing<M> {
  readonly to: PartyId;
  readonly message: M;
}

export interface RoundResult<S, M> {
  readonly state: S;
  readonly outgoing: readonly Outgoing<M>[];
}

export type Inbox<M> = ReadonlyMap<PartyId, M>;

export function assertSessionId(sessionId: unknown, name = 'sessionId'): asserts sessionId is Uint8Array {
  if (!(sessionId instanceof Uint8Array) || sessionId.length < 16 || sessionId.length > 1024) {
    throw new InvalidInputError(name, 'must be 16 to 1024 bytes');
  }
}

/** A sub-session id: the session id bound to a protocol step label (injective, through the Transcript encoding). */
export function subSessionId(sessionId: Uint8Array, label: string): Uint8Array {
  return new Transcript('custody/ecdsa/sub-session').appendBytes('sid', sessionId).appendBytes('label', utf8ToBytes(label)).challengeBytes('id', 32);
}

export function proofContext(sessionId: Uint8Array, label: string, partyIds: readonly PartyId[], prover: PartyId): ProofContext {
  return { sessionId: subSessionId(sessionId, label), partyIds, prover };
}

/** Party ids sorted ascending, validated (positive, distinct), containing `self` if given. */
export function normalizeParties(ids: readonly PartyId[], name: string, self?: PartyId): PartyId[] {
  assertPartySet(ids, name);
  const sorted = [...ids].sort((a, b) => a - b);
  if (self !== undefined && !sorted.includes(self)) throw new InvalidInputError('self', `party ${self} is not in ${name}`);
  return sorted;
}

/**
 * Checks that the inbox holds exactly one message from every expected sender: a missing sender is
 * named in a ProtocolAbortError (check `missing-message`), an unexpected one is the caller's error.
 */
export function checkInbox<M>(round: string, inbox: Inbox<M>, expected: readonly PartyId[]): void {
  const box: unknown = inbox;
  if (!(box instanceof Map)) throw new InvalidInputError('inbox', 'must be a Map keyed by sender id');
  for (const from of inbox.keys()) {
    if (!expected.includes(from)) throw new InvalidInputError('inbox', `message from unexpected party ${String(from)}`);
  }
  const missing = expected.filter((id) => !inbox.has(id));
  if (missing.length > 0) throw new ProtocolAbortError(round, missing, 'missing-message');
  for (const [from, m] of inbox) {
    if (typeof m !== 'object' || m === null) throw new ProtocolAbortError(round, [from], 'malformed-message', 'not an object');
  }
}

/**
 * Runs the validation of one sender's message: an InvalidInputError raised while parsing it becomes
 * an abort naming that sender (check `malformed-message`, the field in the evidence).
 */
export function parseFrom<T>(round: string, from: PartyId, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidInputError) throw new ProtocolAbortError(round, [from], 'malformed-message', error.argument);
    throw error;
  }
}

/** Throws a ProtocolAbortError naming `from` and `check` unless `ok`. */
export function check(round: string, from: PartyId, check: string, ok: boolean, evidence?: string): void {
  if (!ok) throw new ProtocolAbortError(round, [from], check, evidence);
}

// ---- wire codec ---------------------------------------------------------------------------------

/**
 * Messages are plain data (bigint, string, number, boolean, arrays, plain objects, Uint8Array). The
 * codec writes JSON with bigints as `{"$n": "<signed hex>"}` and byte arrays as `{"$b": "<hex>"}`,
 * and reads them back; it checks structure only: every round validates every field it reads.
 */
export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return { $n: v < 0n ? '-' + (-v).toString(16) : v.toString(16) };
    if (v instanceof Uint8Array) return { $b: bytesToHex(v) };
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map)) {
      const proto = Object.getPrototypeOf(v) as unknown;
      // Plain data only: points travel as compressed hex strings, never as class instances.
      if (proto !== Object.prototype && proto !== null) throw new InvalidInputError('message', 'contains a non-plain object');
    }
    if (typeof v === 'function' || typeof v === 'symbol' || v === undefined) {
      throw new InvalidInputError('message', `contains a ${typeof v}`);
    }
    return v;
  });
}

const MAX_WIRE_CHARS = 64 * 1024 * 1024;

export function decodeWire(text: unknown): unknown {
  if (typeof text !== 'string') throw new InvalidInputError('text', 'must be a string');
  if (text.length > MAX_WIRE_CHARS) throw new InvalidInputError('text', 'too long');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (_key, v: unknown) => {
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        const keys = Object.keys(v);
        const o = v as Record<string, unknown>;
        if (keys.length === 1 && keys[0] === '$n') {
          const s = o.$n;
          if (typeof s !== 'string' || !/^-?[0-9a-f]{1,4096}$/.test(s)) throw new InvalidInputError('text', 'malformed bigint');
          return s.startsWith('-') ? -BigInt('0x' + s.slice(1)) : BigInt('0x' + s);
        }
        if (keys.length === 1 && keys[0] === '$b') {
          const s = o.$b;
          if (typeof s !== 'string' || !/^([0-9a-f]{2})*$/.test(s)) throw new InvalidInputError('text', 'malformed bytes');
          return hexToBytes(s);
        }
      }
      return v;
    });
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError('text', 'not valid JSON');
  }
  return parsed;
}

export function assertObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidInputError(name, 'must be an object');
}

/**
 * Parses a versioned secp256k1 record (key share, presignature): JSON, an object, the expected
 * `version`, `curve: 'secp256k1'`. The caller validates every other field.
 */
export function parseVersionedRecord(text: unknown, name: string, version: number): Record<string, unknown> {
  if (typeof text !== 'string') throw new InvalidInputError('text', 'must be a string');
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw new InvalidInputError('text', 'not valid JSON');
  }
  assertObject(o, name);
  if (o.version !== version) throw new InvalidInputError(`${name}.version`, `unsupported version ${String(o.version)}`);
  if (o.curve !== 'secp256k1') throw new InvalidInputError(`${name}.curve`, "must be 'secp256k1'");
  return o;
}
