import { VaultError } from './errors';
import { validateSealedShare, type SealedShare } from './vault';

/**
 * Database forms of a {@link SealedShare}: one `bytea` column per byte field (node-postgres and
 * TypeORM read `bytea` as Buffer), or one base64 JSON document (a `text`/`jsonb` column). Decoding is
 * strict: exact field set, types, lengths and version, else VaultError('malformed').
 */

const BYTE_FIELDS = ['aadDigest', 'wrappedDataKey', 'wrapNonce', 'ciphertext', 'nonce'] as const;
const ALL_FIELDS = ['version', 'kekId', ...BYTE_FIELDS] as const;

/** A row with `bytea` columns (Buffers). */
export interface SealedShareColumns {
  version: number;
  kekId: string;
  aadDigest: Buffer;
  wrappedDataKey: Buffer;
  wrapNonce: Buffer;
  ciphertext: Buffer;
  nonce: Buffer;
}

function malformed(what: string): never {
  throw new VaultError('malformed', `malformed sealed share: ${what}`);
}

function checkFieldSet(record: Record<string, unknown>): void {
  for (const key of Object.keys(record)) {
    if (!(ALL_FIELDS as readonly string[]).includes(key)) malformed(`unknown field ${JSON.stringify(key.slice(0, 40))}`);
  }
  for (const key of ALL_FIELDS) if (!(key in record)) malformed(`missing field ${key}`);
}

export function sealedShareToColumns(sealed: SealedShare): SealedShareColumns {
  validateSealedShare(sealed);
  const buf = (b: Uint8Array) => Buffer.from(b);
  return {
    version: sealed.version,
    kekId: sealed.kekId,
    aadDigest: buf(sealed.aadDigest),
    wrappedDataKey: buf(sealed.wrappedDataKey),
    wrapNonce: buf(sealed.wrapNonce),
    ciphertext: buf(sealed.ciphertext),
    nonce: buf(sealed.nonce),
  };
}

/** Builds and validates a SealedShare from a checked field set, decoding byte fields with `bytes`. */
function fromRecord(record: Record<string, unknown>, bytes: (name: (typeof BYTE_FIELDS)[number]) => Uint8Array): SealedShare {
  const sealed: SealedShare = {
    version: record.version as number,
    kekId: record.kekId as string,
    aadDigest: bytes('aadDigest'),
    wrappedDataKey: bytes('wrappedDataKey'),
    wrapNonce: bytes('wrapNonce'),
    ciphertext: bytes('ciphertext'),
    nonce: bytes('nonce'),
  };
  validateSealedShare(sealed);
  return sealed;
}

/** From a database row (extra columns such as key_id are the caller's to strip). */
export function sealedShareFromColumns(row: unknown): SealedShare {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) malformed('row is not an object');
  const record = row as Record<string, unknown>;
  checkFieldSet(record);
  const bytes = (name: (typeof BYTE_FIELDS)[number]): Uint8Array => {
    const v = record[name];
    if (!(v instanceof Uint8Array)) malformed(`${name} must be bytes`);
    return Uint8Array.from(v);
  };
  return fromRecord(record, bytes);
}

/** One JSON document, byte fields in canonical padded base64, keys in a fixed order. */
export function sealedShareToJson(sealed: SealedShare): string {
  validateSealedShare(sealed);
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  return JSON.stringify({
    version: sealed.version,
    kekId: sealed.kekId,
    aadDigest: b64(sealed.aadDigest),
    wrappedDataKey: b64(sealed.wrappedDataKey),
    wrapNonce: b64(sealed.wrapNonce),
    ciphertext: b64(sealed.ciphertext),
    nonce: b64(sealed.nonce),
  });
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function sealedShareFromJson(json: string): SealedShare {
  if (typeof json !== 'string') malformed('JSON must be a string');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    malformed('not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) malformed('JSON is not an object');
  const record = parsed as Record<string, unknown>;
  checkFieldSet(record);
  const bytes = (name: (typeof BYTE_FIELDS)[number]): Uint8Array => {
    const v = record[name];
    if (typeof v !== 'string' || !BASE64.test(v)) malformed(`${name} must be padded base64`);
    const out = Uint8Array.from(Buffer.from(v, 'base64'));
    if (Buffer.from(out).toString('base64') !== v) malformed(`${name} is not canonical base64`);
    return out;
  };
  return fromRecord(record, bytes);
}
