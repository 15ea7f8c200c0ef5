import { Inject, Injectable } from '@nestjs/common';
import { POSTGRES } from '@custody/platform';
import { AUDIT_RECORD_TYPES, canonicalJson, decodeRecord, formatExport } from '@custody/audit-core';
import { AuditLogStore, AuditNotFoundError, type AuditRecordRow, type SqlExecutor, type StoredCheckpoint } from '@custody/audit-log';
import { encodeBase64, formatTlogProof, type NoteSigner, type NoteVerifier } from '@custody/transparency-log';
import type { DataSource } from 'typeorm';
import { ApiError, preview } from '../errors/api-error';
import { pageSizeOf, timeOf } from '../http/query';

/** A record as the auditor's API shows it (REST JSON and gRPC `custody.v1.AuditRecord`). */
export interface AuditRecordView {
  name: string;
  index: string;
  type: string;
  occurTime: string;
  actor: string;
  requestId: string;
  wallet: string;
  body: string;
  canonical: string;
  leafHash: string;
  /** View `full` only: the inclusion proof at the page's checkpoint (base64; empty beyond its size). */
  inclusionProof?: string[];
}

export interface AuditCheckpointView {
  size: string;
  rootHash: string;
  note: string;
}

export interface AuditRecordProofView {
  record: AuditRecordView;
  inclusionProof: string[];
  checkpoint: AuditCheckpointView;
  tlogProof: string;
}

export interface AuditRecordPage {
  records: AuditRecordView[];
  nextPageToken: string;
  /** View `full` only: the checkpoint every record's proof is against. */
  checkpoint?: AuditCheckpointView;
}

export interface AuditFilterInput {
  type?: string;
  wallet?: string;
  client?: string;
  requestId?: string;
  startTime?: string;
  endTime?: string;
  /** Decimal strings (REST) or numbers (gRPC); 0 or empty: no bound. */
  startIndex?: string | number;
  endIndex?: string | number;
}

/** ListAuditRecords' views (AIP-157): `basic` the records, `full` each with its inclusion proof at one checkpoint. */
export const AUDIT_RECORD_VIEWS = ['basic', 'full'] as const;
export type AuditRecordViewName = (typeof AUDIT_RECORD_VIEWS)[number];

export interface AuditListOptions {
  /** `basic` (default) or `full`. */
  view?: string;
  /** View `full`: the checkpoint size to prove against (0 or empty: the latest). */
  treeSize?: string | number;
}

const IDENT = /^[A-Za-z0-9._:@/-]{1,128}$/;
const DEFAULT_PAGE = 50;
/** page_size's maximum, with either view (a full page's proofs come from one query, {@link AuditLogStore.inclusionProofs}). */
export const MAX_AUDIT_PAGE = 100;
const MAX_BUNDLE_RECORDS = 1000;

/** The gateway only reads the log: the log's owner signs checkpoints; these refuse if ever asked. */
const READ_ONLY_SIGNER: NoteSigner = {
  name: 'gateway-read-only',
  keyId: 0,
  sign() {
    throw new Error('the gateway does not sign audit checkpoints');
  },
};
const READ_ONLY_VERIFIER: NoteVerifier = {
  name: 'gateway-read-only',
  keyId: 0,
  sigType: 0,
  publicKey: new Uint8Array(32),
  verify: () => false,
};

function ident(value: string | undefined, field: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!IDENT.test(value)) throw new ApiError('invalid-argument', `${field} ${preview(value)} must be 1..128 characters of [A-Za-z0-9._:@/-]`);
  return value;
}

function size(value: string | number | undefined | null, field: string): number {
  if (value === undefined || value === null || value === '' || value === 0 || value === '0') return 0;
  const n = typeof value === 'number' ? value : /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new ApiError('invalid-argument', `${field} must be a tree size (a non-negative integer)`);
  return n;
}

function viewOf(value: string | undefined): AuditRecordViewName {
  if (value === undefined || value === '') return 'basic';
  if (!(AUDIT_RECORD_VIEWS as readonly string[]).includes(value)) throw new ApiError('invalid-argument', `view ${preview(value)} must be one of ${AUDIT_RECORD_VIEWS.join(', ')}`);
  return value as AuditRecordViewName;
}

/** A record index bound (start_index, end_index): a non-negative integer; 0 or empty: no bound. */
function indexBound(value: string | number | undefined | null, field: string): number | undefined {
  if (value === undefined || value === null || value === '' || value === 0 || value === '0') return undefined;
  const n = typeof value === 'number' ? value : /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new ApiError('invalid-argument', `${field} ${preview(String(value))} must be a record index (a non-negative integer)`);
  return n;
}

function recordView(row: AuditRecordRow): AuditRecordView {
  const r = decodeRecord(row.record);
  return {
    name: `auditRecords/${row.index}`,
    index: String(row.index),
    type: r.type,
    occurTime: new Date(r.occurredAt).toISOString(),
    actor: r.actor,
    requestId: r.requestId ?? '',
    wallet: r.wallet ?? '',
    body: canonicalJson(r.body),
    canonical: encodeBase64(row.record),
    leafHash: Buffer.from(row.leafHash).toString('hex'),
  };
}

function checkpointView(cp: StoredCheckpoint): AuditCheckpointView {
  return { size: String(cp.size), rootHash: encodeBase64(cp.rootHash), note: cp.note };
}

/** `auditRecords/{index}` → the index. */
export function parseRecordName(name: string): number {
  if (!name.startsWith('auditRecords/')) throw new ApiError('invalid-argument', `name ${preview(name)} must be auditRecords/{index}`);
  return recordIndexOf(name.slice('auditRecords/'.length), 'name');
}

export function recordIndexOf(value: string, field = 'recordIndex'): number {
  const n = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new ApiError('invalid-argument', `${field} ${preview(value)} must be a record index (a non-negative integer)`);
  return n;
}

/**
 * The auditor's API over libs/audit-log (schema `audit` of the services' database): records and
 * their filters, inclusion and consistency proofs from the stored tree nodes, the latest checkpoint
 * with the witnesses' cosignatures, exports (custody-audit-export/v1) and C2SP tlog-proof bundles.
 * Read only: checkpoints are signed by the log's owner, never here.
 */
@Injectable()
export class AuditService {
  private readonly store: AuditLogStore;

  constructor(@Inject(POSTGRES) dataSource: DataSource) {
    const db = dataSource as unknown as SqlExecutor & { transaction<T>(f: (tx: SqlExecutor) => Promise<T>): Promise<T> };
    this.store = new AuditLogStore(db, '', READ_ONLY_SIGNER, READ_ONLY_VERIFIER);
  }

  /**
   * Records in log order, filtered, a page at a time. View `full` answers the same records, each with
   * its inclusion proof against one checkpoint (`tree_size`, default the latest), and that checkpoint
   * once: the page's records and the checkpoint are read concurrently, then every proof of the page
   * from one query ({@link AuditLogStore.inclusionProofs}). A record at or beyond the checkpoint's
   * size has an empty proof (as GetAuditRecord answers it).
   */
  async list(filter: AuditFilterInput, pageSize: number, pageToken: string, options: AuditListOptions = {}): Promise<AuditRecordPage> {
    const limit = pageSizeOf(pageSize, MAX_AUDIT_PAGE) || DEFAULT_PAGE;
    const view = viewOf(options.view);
    const treeSize = size(options.treeSize, 'tree_size');
    if (view !== 'full' && treeSize !== 0) throw new ApiError('invalid-argument', 'tree_size is only for view full');
    const startIndex = indexBound(filter.startIndex, 'start_index');
    const endIndex = indexBound(filter.endIndex, 'end_index');
    if (startIndex !== undefined && endIndex !== undefined && startIndex >= endIndex) throw new ApiError('invalid-argument', `start_index (${startIndex}) must be below end_index (${endIndex})`);
    const type = filter.type || undefined;
    if (type !== undefined && !(AUDIT_RECORD_TYPES as readonly string[]).includes(type)) throw new ApiError('invalid-argument', `type ${preview(type)} must be one of ${AUDIT_RECORD_TYPES.join(', ')}`);
    let afterIndex: number | undefined;
    if (pageToken !== '') {
      const decoded = /^[A-Za-z0-9_-]{1,24}$/.test(pageToken) ? Buffer.from(pageToken, 'base64url').toString('utf8') : '';
      if (!/^i\d{1,15}$/.test(decoded)) throw new ApiError('invalid-argument', 'page_token is not a token this API issued');
      afterIndex = Number(decoded.slice(1));
    }
    const from = timeOf(filter.startTime, 'start_time');
    const to = timeOf(filter.endTime, 'end_time');
    const find = this.store.findRecords({
      ...(type !== undefined ? { type } : {}),
      ...optional('requestId', ident(filter.requestId, 'request_id')),
      ...optional('actor', ident(filter.client, 'client')),
      ...optional('wallet', ident(filter.wallet, 'wallet')),
      ...(from !== undefined ? { from: new Date(from) } : {}),
      ...(to !== undefined ? { to: new Date(to) } : {}),
      ...(afterIndex !== undefined ? { afterIndex } : {}),
      ...(startIndex !== undefined ? { startIndex } : {}),
      ...(endIndex !== undefined ? { endIndex } : {}),
      limit: limit + 1,
    });
    if (view === 'basic') return pageOf(await find, limit);
    const [rows, cp] = await Promise.all([find, treeSize === 0 ? this.store.latestCheckpoint() : this.treeSizeCheckpoint(treeSize)]);
    const page = pageOf(rows, limit);
    if (cp === null) return { ...page, records: page.records.map((r) => ({ ...r, inclusionProof: [] })), checkpoint: { size: '0', rootHash: '', note: '' } };
    const included = rows.slice(0, limit).filter((r) => r.index < cp.size);
    const proofs = await this.store.inclusionProofs(included.map((r) => r.index), cp.size);
    const byIndex = new Map(included.map((r, i) => [String(r.index), proofs[i]!.map(encodeBase64)]));
    return { ...page, records: page.records.map((r) => ({ ...r, inclusionProof: byIndex.get(r.index) ?? [] })), checkpoint: checkpointView(cp) };
  }

  /** One record with its inclusion proof at the latest checkpoint (empty while it is not in one yet). */
  async get(index: number): Promise<AuditRecordProofView> {
    const [row] = await this.store.records(index, index + 1);
    if (!row) throw new ApiError('not-found', `no audit record ${index}`);
    const cp = await this.store.latestCheckpoint();
    if (cp === null || index >= cp.size) return { record: recordView(row), inclusionProof: [], checkpoint: cp ? checkpointView(cp) : { size: '0', rootHash: '', note: '' }, tlogProof: '' };
    return this.proofOf(row, cp);
  }

  async latestCheckpoint(): Promise<AuditCheckpointView> {
    const cp = await this.store.latestCheckpoint();
    if (cp === null) throw new ApiError('not-found', 'the audit log has no checkpoint yet');
    return checkpointView(cp);
  }

  async consistency(firstValue: string | number | undefined, secondValue: string | number | undefined): Promise<{ firstSize: string; secondSize: string; proof: string[]; checkpoint: AuditCheckpointView }> {
    const first = size(firstValue, 'first_size');
    let second = size(secondValue, 'second_size');
    const latest = await this.store.latestCheckpoint();
    if (latest === null) throw new ApiError('not-found', 'the audit log has no checkpoint yet');
    if (second === 0) second = latest.size;
    if (first < 1 || first > second) throw new ApiError('invalid-argument', `first_size must be 1..second_size (${second})`);
    const cp = await this.checkpointOf(second, 'second_size');
    const proof = await this.store.consistencyProof(first, second);
    return { firstSize: String(first), secondSize: String(second), proof: proof.map(encodeBase64), checkpoint: checkpointView(cp) };
  }

  /** Records 0..size-1 with the checkpoint of that size (default the latest): what `custody audit verify` reads. */
  async export(sizeValue: string | number | undefined): Promise<{ size: string; content: string }> {
    const wanted = size(sizeValue, 'size');
    const cp = wanted === 0 ? await this.store.latestCheckpoint() : await this.checkpointOf(wanted, 'size');
    if (cp === null) throw new ApiError('not-found', 'the audit log has no checkpoint yet');
    const rows = await this.store.records(0, cp.size);
    const origin = AuditLogStore.parse(cp.note).origin;
    const content = formatExport({ origin, size: cp.size, checkpoint: cp.note, records: rows.map((r) => r.record) }, rows.map((r) => r.index));
    return { size: String(cp.size), content };
  }

  /** Proof bundles of every record of a subject in the latest checkpoint. */
  async bundle(subject: string): Promise<{ subject: string; proofs: AuditRecordProofView[] }> {
    const cp = await this.store.latestCheckpoint();
    if (cp === null) throw new ApiError('not-found', 'the audit log has no checkpoint yet');
    let rows: AuditRecordRow[];
    const m = /^(withdrawals|policies|requests|auditRecords)\/(.+)$/.exec(subject);
    if (!m) throw new ApiError('invalid-argument', `subject ${preview(subject)} must be withdrawals/{id}, policies/{id}, requests/{id} or auditRecords/{index}`);
    if (m[1] === 'auditRecords') rows = await this.store.records(recordIndexOf(m[2]!, 'subject'), recordIndexOf(m[2]!, 'subject') + 1);
    else rows = await this.store.findRecords({ requestId: ident(m[2], 'subject')!, limit: MAX_BUNDLE_RECORDS });
    const included = rows.filter((r) => r.index < cp.size);
    if (included.length === 0) throw new ApiError('not-found', `no audit record of ${preview(subject)} is in the latest checkpoint (size ${cp.size})${rows.length > 0 ? '; it is not integrated yet' : ''}`);
    const proofs: AuditRecordProofView[] = [];
    for (const row of included) proofs.push(await this.proofOf(row, cp));
    return { subject, proofs };
  }

  private async proofOf(row: AuditRecordRow, cp: StoredCheckpoint): Promise<AuditRecordProofView> {
    const proof = await this.store.inclusionProof(row.index, cp.size);
    return {
      record: recordView(row),
      inclusionProof: proof.map(encodeBase64),
      checkpoint: checkpointView(cp),
      tlogProof: formatTlogProof({ extra: row.record, index: row.index, proof, checkpoint: cp.note }),
    };
  }

  /** The checkpoint of `tree_size`; not-found naming the latest size when there is none of that size (beyond the latest, or between two). */
  private async treeSizeCheckpoint(treeSize: number): Promise<StoredCheckpoint> {
    try {
      return await this.store.checkpoint(treeSize);
    } catch (error) {
      if (!(error instanceof AuditNotFoundError)) throw error;
      const latest = await this.store.latestCheckpoint();
      const where = latest === null ? 'the audit log has no checkpoint yet' : treeSize > latest.size ? `it is beyond the latest checkpoint (size ${latest.size})` : `the latest checkpoint is of size ${latest.size}`;
      throw new ApiError('not-found', `tree_size: no checkpoint of size ${treeSize}; ${where}`);
    }
  }

  private async checkpointOf(treeSize: number, field: string): Promise<StoredCheckpoint> {
    try {
      return await this.store.checkpoint(treeSize);
    } catch (error) {
      if (error instanceof AuditNotFoundError) throw new ApiError('not-found', `${field}: no checkpoint of size ${treeSize}`);
      throw error;
    }
  }
}

/** The first `limit` rows (the query asked for one more, to know whether a next page exists) and the token of the next. */
function pageOf(rows: readonly AuditRecordRow[], limit: number): AuditRecordPage {
  const page = rows.slice(0, limit);
  const next = rows.length > limit ? Buffer.from(`i${page[page.length - 1]!.index}`, 'utf8').toString('base64url') : '';
  return { records: page.map(recordView), nextPageToken: next };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
