import { TlogInputError, excerpt } from './errors';
import { decodeBase64Strict, encodeBase64, parseDecimal } from './encoding';
import { HASH_SIZE, assertHash, assertSize } from './merkle';
import { assertNoteText } from './note';

/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text
 * `<origin>\n<tree size>\n<base64 root hash>\n[extension lines\n]`.
 */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** Opaque, non-empty lines; NOT RECOMMENDED by the spec; we emit none. */
  readonly extensions: readonly string[];
}

export const MAX_ORIGIN_LENGTH = 256;

function assertOrigin(origin: unknown): asserts origin is string {
  if (typeof origin !== 'string' || origin.length === 0) throw new TlogInputError('checkpoint.origin', 'must be non-empty');
  if (origin.length > MAX_ORIGIN_LENGTH) throw new TlogInputError('checkpoint.origin', `is longer than ${MAX_ORIGIN_LENGTH} characters`);
  if (origin.includes('\n')) throw new TlogInputError('checkpoint.origin', 'must be one line');
}

export function formatCheckpoint(c: { origin: string; size: number; rootHash: Uint8Array; extensions?: readonly string[] }): string {
  assertOrigin(c.origin);
  assertSize('checkpoint.size', c.size);
  assertHash('checkpoint.rootHash', c.rootHash);
  const ext = c.extensions ?? [];
  ext.forEach((l, i) => {
    if (typeof l !== 'string' || l.length === 0 || l.includes('\n')) throw new TlogInputError(`checkpoint.extensions[${i}]`, 'must be a non-empty line');
  });
  const text = [c.origin, String(c.size), encodeBase64(c.rootHash), ...ext].join('\n') + '\n';
  assertNoteText('checkpoint', text);
  return text;
}

/** Parses a checkpoint body (the note text, final newline included). Strict per the spec. */
export function parseCheckpoint(text: string): Checkpoint {
  assertNoteText('checkpoint', text);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new TlogInputError('checkpoint', 'must have at least three lines');
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  assertOrigin(origin);
  const size = parseDecimal('checkpoint.size', sizeLine);
  const rootHash = decodeBase64Strict('checkpoint.rootHash', rootLine, 64);
  if (rootHash.length !== HASH_SIZE) throw new TlogInputError('checkpoint.rootHash', `must be ${HASH_SIZE} bytes: ${excerpt(rootLine)}`);
  extensions.forEach((l, i) => {
    if (l.length === 0) throw new TlogInputError(`checkpoint.extensions[${i}]`, 'must be non-empty');
  });
  return { origin, size, rootHash, extensions };
}
