import { PeerAuthInputError } from './errors';
import { equalBytes, parseIdentityPublicKey, validateIdentityPublicKey, x25519PublicKeyOf, type PeerIdentity } from './identity';
import { toHex } from './text-encoding';

/** A signer id: 1..255 (the Shamir evaluation point of its shares). */
export type SignerId = number;

export const MIN_SIGNER_ID = 1;
export const MAX_SIGNER_ID = 255;

/** One pinned peer of the cluster. */
export interface PeerEntry {
  readonly id: SignerId;
  /** Ed25519 identity public key (32 bytes, validated). */
  readonly identityPublicKey: Uint8Array;
  /** Its X25519 key, derived once (32 bytes). */
  readonly x25519PublicKey: Uint8Array;
  /** `host:port` (IPv6 hosts in brackets). */
  readonly address: string;
}

/** What a configuration lists per peer, before validation. */
export interface PeerEntryInput {
  readonly id: number;
  readonly identityPublicKey: Uint8Array;
  readonly address: string;
}

export function assertSignerId(id: unknown, argument: string): asserts id is SignerId {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < MIN_SIGNER_ID || id > MAX_SIGNER_ID) {
    throw new PeerAuthInputError(argument, `must be an integer in ${MIN_SIGNER_ID}..${MAX_SIGNER_ID}`);
  }
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV6_BRACKETED = /^\[[0-9A-Fa-f:.]{2,45}\]$/;

function validateAddress(address: unknown, argument: string): string {
  if (typeof address !== 'string') throw new PeerAuthInputError(argument, 'must be a string "host:port"');
  const colon = address.lastIndexOf(':');
  if (colon <= 0) throw new PeerAuthInputError(argument, 'must be "host:port"');
  const host = address.slice(0, colon);
  const port = address.slice(colon + 1);
  if (!/^[1-9][0-9]{0,4}$/.test(port) || Number(port) > 65535) {
    throw new PeerAuthInputError(argument, 'port must be an integer in 1..65535');
  }
  if (!HOST_NAME.test(host) && !IPV6_BRACKETED.test(host)) {
    throw new PeerAuthInputError(argument, 'host must be a DNS name, an IPv4 address or a bracketed IPv6 address');
  }
  return address;
}

/**
 * The pinned cluster: every signer's id, identity public key and address. Immutable once built;
 * ids and keys are unique. Build it from the node's configuration with {@link PeerDirectory.fromConfig}.
 */
export class PeerDirectory {
  readonly #byId: ReadonlyMap<SignerId, PeerEntry>;

  private constructor(entries: readonly PeerEntry[]) {
    this.#byId = new Map([...entries].sort((a, b) => a.id - b.id).map((e) => [e.id, e] as const));
  }

  /** Validates entries (ids 1..255 unique, keys valid and unique, addresses `host:port` and unique). */
  static fromEntries(entries: readonly PeerEntryInput[], argument = 'peers'): PeerDirectory {
    if (!Array.isArray(entries as unknown)) throw new PeerAuthInputError(argument, 'must be an array');
    if (entries.length === 0) throw new PeerAuthInputError(argument, 'must list at least one peer');
    if (entries.length > MAX_SIGNER_ID) throw new PeerAuthInputError(argument, `must list at most ${MAX_SIGNER_ID} peers`);
    const out: PeerEntry[] = [];
    for (let i = 0; i < entries.length; i++) {
      const entry: PeerEntryInput | undefined = entries[i];
      const at = `${argument}[${i}]`;
      if (typeof entry !== 'object' || entry === null) throw new PeerAuthInputError(at, 'must be an object');
      assertSignerId(entry.id, `${at}.id`);
      const identityPublicKey = validateIdentityPublicKey(entry.identityPublicKey, `${at}.publicKey`);
      const address = validateAddress(entry.address, `${at}.address`);
      if (out.some((e) => e.id === entry.id)) throw new PeerAuthInputError(`${at}.id`, `duplicate signer id ${entry.id}`);
      const clash = out.find((e) => equalBytes(e.identityPublicKey, identityPublicKey));
      if (clash) throw new PeerAuthInputError(`${at}.publicKey`, `same identity key as signer ${clash.id}`);
      const sameAddress = out.find((e) => e.address.toLowerCase() === address.toLowerCase());
      if (sameAddress) throw new PeerAuthInputError(`${at}.address`, `same address as signer ${sameAddress.id}`);
      out.push(
        Object.freeze({ id: entry.id, identityPublicKey, x25519PublicKey: x25519PublicKeyOf(identityPublicKey), address }),
      );
    }
    return new PeerDirectory(out);
  }

  /**
   * Parses the cluster configuration: a JSON array of
   * `{"id": 1, "publicKey": "<hex or base64>", "address": "host:port"}`. Unknown fields are refused
   * (a misspelt field must not be ignored).
   */
  static fromConfig(json: string, argument = 'peers'): PeerDirectory {
    if (typeof json !== 'string') throw new PeerAuthInputError(argument, 'must be a JSON string');
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new PeerAuthInputError(argument, 'is not valid JSON');
    }
    if (!Array.isArray(parsed)) throw new PeerAuthInputError(argument, 'must be a JSON array');
    const inputs = parsed.map((raw: unknown, i): PeerEntryInput => {
      const at = `${argument}[${i}]`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PeerAuthInputError(at, 'must be an object');
      const record = raw as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (key !== 'id' && key !== 'publicKey' && key !== 'address') throw new PeerAuthInputError(`${at}.${key}`, 'unknown field');
      }
      assertSignerId(record.id, `${at}.id`);
      if (typeof record.publicKey !== 'string') throw new PeerAuthInputError(`${at}.publicKey`, 'must be a string');
      return {
        id: record.id,
        identityPublicKey: parseIdentityPublicKey(record.publicKey, `${at}.publicKey`),
        address: validateAddress(record.address, `${at}.address`),
      };
    });
    return PeerDirectory.fromEntries(inputs, argument);
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Signer ids in ascending order. */
  ids(): SignerId[] {
    return [...this.#byId.keys()];
  }

  entries(): PeerEntry[] {
    return [...this.#byId.values()];
  }

  has(id: SignerId): boolean {
    return this.#byId.has(id);
  }

  /** The entry of `id`, or `undefined`. */
  get(id: SignerId): PeerEntry | undefined {
    return this.#byId.get(id);
  }

  /** The entry of `id`; throws {@link PeerAuthInputError} if it is not pinned. */
  require(id: SignerId, argument = 'signerId'): PeerEntry {
    const entry = this.#byId.get(id);
    if (!entry) throw new PeerAuthInputError(argument, `signer ${id} is not in the peer directory`);
    return entry;
  }

  /** The id pinned to an identity public key, or `undefined`. */
  idOf(identityPublicKey: Uint8Array): SignerId | undefined {
    for (const e of this.#byId.values()) if (equalBytes(e.identityPublicKey, identityPublicKey)) return e.id;
    return undefined;
  }

  /**
   * Checks that this node's own identity is pinned under its own id (a node started with the wrong
   * seed or id must not run). Throws {@link PeerAuthInputError}.
   */
  assertSelf(id: SignerId, identity: PeerIdentity, argument = 'self'): void {
    assertSignerId(id, `${argument}.id`);
    const entry = this.require(id, `${argument}.id`);
    if (!equalBytes(entry.identityPublicKey, identity.publicKey)) {
      throw new PeerAuthInputError(
        `${argument}.identity`,
        `public key ${toHex(identity.publicKey)} is not the key pinned for signer ${id}`,
      );
    }
  }
}
