import { decodeBase64Strict, encodeBase64 } from '@custody/transparency-log';
import { AuditInputError } from './errors';

/**
 * The export an auditor downloads: JSON lines. Line 1 is the header
 * `{"format":"custody-audit-export/v1","origin":...,"start":0,"size":N,"checkpoint":"<signed note>"}`
 * (the checkpoint covers exactly `size` records, cosigned by the witnesses); then one line per
 * record `{"index":i,"record":"<base64 of the canonical record bytes>"}` for i = start..size-1.
 * Only a full export (start 0) lets the verifier recompute the tree; that is what `custody audit
 * verify` requires.
 */
export const EXPORT_FORMAT = 'custody-audit-export/v1';

export interface AuditExport {
  readonly origin: string;
  readonly size: number;
  /** Signed checkpoint note for `size`. */
  readonly checkpoint: string;
  /** Canonical record bytes, index 0..size-1. */
  readonly records: readonly Uint8Array[];
}

/** `indices`: the index each record had in the store (default its position); written as found, never renumbered. */
export function formatExport(e: AuditExport, indices?: readonly number[]): string {
  const head = JSON.stringify({ format: EXPORT_FORMAT, origin: e.origin, start: 0, size: e.size, checkpoint: e.checkpoint });
  return [head, ...e.records.map((r, i) => JSON.stringify({ index: indices?.[i] ?? i, record: encodeBase64(r) }))].join('\n') + '\n';
}

export const MAX_EXPORT_RECORDS = 50_000_000;

export function parseExport(text: string): AuditExport {
  if (typeof text !== 'string') throw new AuditInputError('export', 'must be text');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new AuditInputError('export', 'is empty');
  let head: unknown;
  try {
    head = JSON.parse(lines[0]!);
  } catch {
    throw new AuditInputError('export.header', 'is not JSON');
  }
  const h = head as Record<string, unknown>;
  if (typeof h !== 'object' || h === null || h.format !== EXPORT_FORMAT) throw new AuditInputError('export.header.format', `must be ${EXPORT_FORMAT}`);
  if (typeof h.origin !== 'string' || h.origin.length === 0 || h.origin.length > 256) throw new AuditInputError('export.header.origin', 'must be a non-empty string');
  if (h.start !== 0) throw new AuditInputError('export.header.start', 'only full exports (start 0) can be verified');
  if (typeof h.size !== 'number' || !Number.isSafeInteger(h.size) || h.size < 0 || h.size > MAX_EXPORT_RECORDS) throw new AuditInputError('export.header.size', 'must be a record count');
  if (typeof h.checkpoint !== 'string') throw new AuditInputError('export.header.checkpoint', 'must be a signed note');
  const records: Uint8Array[] = [];
  for (let i = 1; i < lines.length; i++) {
    let row: unknown;
    try {
      row = JSON.parse(lines[i]!);
    } catch {
      throw new AuditInputError(`export.line[${i + 1}]`, 'is not JSON');
    }
    const r = row as Record<string, unknown>;
    if (typeof r !== 'object' || r === null || r.index !== i - 1) throw new AuditInputError(`export.line[${i + 1}].index`, `must be ${i - 1}`);
    if (typeof r.record !== 'string') throw new AuditInputError(`export.line[${i + 1}].record`, 'must be base64');
    records.push(decodeBase64Strict(`export.line[${i + 1}].record`, r.record, 512 * 1024));
  }
  return { origin: h.origin, size: h.size, checkpoint: h.checkpoint, records };
}
