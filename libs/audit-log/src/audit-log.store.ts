import {
  consistencyProof,
  formatCheckpoint,
  formatTlogProof,
  hashChildren,
  hashLeaf,
  inclusionProof,
  openNote,
  parseCheckpoint,
  rootHash,
  signNote,
  verifyConsistency,
  type NodeAccessor,
  type NoteSigner,
  type NoteVerifier,
} from '@custody/transparency-log';
import { encodeRecord, formatExport, type AuditRecord } from '@custody/audit-core';
import { queryPrepared, type SqlExecutor } from '@custody/persistence';

export type { SqlExecutor };

/** The log refused to go on: its stored state contradicts what it signed. Never signs past this. */
export class AuditLogIntegrityError extends Error {
  override readonly name = 'AuditLogIntegrityError';
}

export class AuditNotFoundError extends Error {
  override readonly name = 'AuditNotFoundError';
}

/** Grants older than this before a witness's last checkpoint cannot be signed any more (15 min lifetime + skew + margin). */
export const DEFAULT_GRANT_HORIZON_MS = 17 * 60 * 1000;

/** A checkpoint's log-signed note with every cosignature line stored for it appended (in witness order). */
const CHECKPOINT_WITH_COSIGNATURES = `SELECT c.size, c.root_hash,
       c.note || coalesce((SELECT string_agg(s.signature_line, '' ORDER BY s.witness) FROM audit.cosignatures s WHERE s.size = c.size), '') AS note
  FROM audit.checkpoints c`;

/** Most inclusion proofs one {@link AuditLogStore.inclusionProofs} call computes (one query's node list stays bounded). */
export const MAX_INCLUSION_PROOFS = 1000;

/** pg advisory lock key of the one sequencer per database (ASCII "auditseq"). */
const SEQUENCER_LOCK = '7022629598042219889';

/**
 * Appends records in the caller's transaction: they are inserted into `audit.pending` with their
 * leaf hashes and no tree index, so concurrent writers never wait on each other. If the caller's
 * transaction rolls back, so do the records; if they cannot be written, the caller's action fails.
 * The sequencer (`AuditLogStore.integrate()`) gives committed records their gap-free tree index.
 */
export async function appendAuditRecords(tx: SqlExecutor, records: readonly AuditRecord[]): Promise<{ count: number }> {
  if (records.length === 0) throw new RangeError('appendAuditRecords: at least one record');
  if (records.length > 10_000) throw new RangeError('appendAuditRecords: at most 10000 records per call');
  const encoded = records.map(encodeRecord);
  if (records.length === 1) {
    const r = records[0]!;
    // The one hot statement of every audited action: prepared once per connection.
    await queryPrepared(tx, 'audit_append_one', 'INSERT INTO audit.pending (type, occurred_at, actor, request_id, wallet, body, leaf_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      r.type,
      new Date(r.occurredAt).toISOString(),
      r.actor,
      r.requestId,
      r.wallet,
      Buffer.from(encoded[0]!),
      Buffer.from(hashLeaf(encoded[0]!)),
    ]);
    return { count: 1 };
  }
  await tx.query(
    `INSERT INTO audit.pending (type, occurred_at, actor, request_id, wallet, body, leaf_hash)
     SELECT a, b, c, d, e, f, g
       FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::bytea[]) WITH ORDINALITY AS u(a, b, c, d, e, f, g, n)
      ORDER BY n`,
    [
      records.map((r) => r.type),
      records.map((r) => new Date(r.occurredAt).toISOString()),
      records.map((r) => r.actor),
      records.map((r) => r.requestId),
      records.map((r) => r.wallet),
      encoded.map((b) => Buffer.from(b)),
      encoded.map((b) => Buffer.from(hashLeaf(b))),
    ],
  );
  return { count: records.length };
}

export async function appendAuditRecord(tx: SqlExecutor, record: AuditRecord): Promise<void> {
  await appendAuditRecords(tx, [record]);
}

function firstRow<T>(rows: unknown): T {
  // TypeORM returns [rows, count] for UPDATE … RETURNING; pg returns { rows }.
  const list = Array.isArray(rows) ? (Array.isArray(rows[0]) ? (rows[0] as T[]) : (rows as T[])) : ((rows as { rows: T[] }).rows ?? []);
  if (list.length === 0) throw new AuditLogIntegrityError('audit.log_head is missing (is the audit migration applied?)');
  return list[0]!;
}

function rowsOf<T>(rows: unknown): T[] {
  return Array.isArray(rows) ? (rows as T[]) : ((rows as { rows: T[] }).rows ?? []);
}

export interface StoredCheckpoint {
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** The log-signed note with every cosignature received so far appended. */
  readonly note: string;
}

export interface AuditRecordRow {
  readonly index: number;
  readonly record: Uint8Array;
  readonly leafHash: Uint8Array;
}

export interface RecordFilter {
  readonly type?: string;
  readonly requestId?: string;
  readonly actor?: string;
  readonly wallet?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly afterIndex?: number;
  /** Records at or after this index. */
  readonly startIndex?: number;
  /** Records before this index. */
  readonly endIndex?: number;
  readonly limit: number;
}

/**
 * The log's reader and checkpointer over Postgres. `integrate()` is the only writer of tree nodes and
 * checkpoints; run it from one place (it takes the tree_head row lock, so two at once serialize).
 */
export class AuditLogStore {
  constructor(
    private readonly db: SqlExecutor & { transaction<T>(f: (tx: SqlExecutor) => Promise<T>): Promise<T> },
    private readonly origin: string,
    private readonly signer: NoteSigner,
    private readonly verifier: NoteVerifier,
  ) {}

  /** A NodeAccessor for the given (level, index) → hash pairs, fetched in one query after a dry run. */
  private async accessorFor(tx: SqlExecutor, compute: (nodes: NodeAccessor) => unknown, extra = new Map<string, Uint8Array>()): Promise<NodeAccessor> {
    const wanted = new Map<string, [number, number]>();
    const dry: NodeAccessor = (level, index) => {
      const k = `${level}:${index}`;
      if (!extra.has(k)) wanted.set(k, [level, index]);
      return new Uint8Array(32);
    };
    compute(dry);
    const found = new Map(extra);
    if (wanted.size > 0) for (const [k, h] of await this.fetchNodes(tx, [...wanted.values()])) found.set(k, h);
    return (level, index) => {
      const h = found.get(`${level}:${index}`);
      if (h === undefined) throw new AuditLogIntegrityError(`tree node (${level}, ${index}) is missing`);
      return h;
    };
  }

  /** The latest checkpoint with its cosignatures, in one query. */
  async latestCheckpoint(tx: SqlExecutor = this.db): Promise<StoredCheckpoint | null> {
    const rows = rowsOf<{ size: string; root_hash: Buffer; note: string }>(await tx.query(`${CHECKPOINT_WITH_COSIGNATURES} ORDER BY c.size DESC LIMIT 1`));
    if (rows.length === 0) return null;
    const r = rows[0]!;
    return { size: Number(r.size), rootHash: new Uint8Array(r.root_hash), note: r.note };
  }

  /** The checkpoint of `size` with its cosignatures, in one query; AuditNotFoundError if no checkpoint has that size. */
  async checkpoint(size: number): Promise<StoredCheckpoint> {
    const rows = rowsOf<{ size: string; root_hash: Buffer; note: string }>(await this.db.query(`${CHECKPOINT_WITH_COSIGNATURES} WHERE c.size = $1`, [String(size)]));
    if (rows.length === 0) throw new AuditNotFoundError(`no checkpoint of size ${size}`);
    return { size, rootHash: new Uint8Array(rows[0]!.root_hash), note: rows[0]!.note };
  }

  /**
   * The sequencer: moves up to `maxBatch` committed records from `audit.pending` into `audit.records`
   * with the next gap-free indexes (in the order of their pending ids, i.e. as they became visible),
   * checks each stored leaf hash against its record, stores the new tree nodes, computes the new root,
   * checks it is consistent with the last signed checkpoint (from the stored nodes, against the signed
   * root) and only then signs and stores the new checkpoint, all in one transaction. One sequencer
   * runs per database: a second caller finds the advisory lock taken and gets the latest checkpoint.
   * Returns the new checkpoint (or the last one when there is nothing new).
   */
  async integrate(maxBatch = 100_000): Promise<StoredCheckpoint> {
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) throw new RangeError('integrate: maxBatch must be a positive integer');
    const outcome = await this.db.transaction(async (tx): Promise<StoredCheckpoint | null> => {
      const locked = firstRow<{ ok: boolean }>(await tx.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [SEQUENCER_LOCK])).ok;
      if (!locked) return null;
      const treeSize = Number(firstRow<{ size: string }>(await tx.query('SELECT size FROM audit.tree_head FOR UPDATE')).size);
      const last = await this.latestCheckpoint(tx);
      if ((last?.size ?? 0) !== treeSize) throw new AuditLogIntegrityError(`tree size ${treeSize} differs from the last checkpoint's ${last?.size ?? 0}`);
      const recordsSize = Number(firstRow<{ n: string }>(await tx.query('SELECT count(*) AS n FROM audit.records WHERE idx >= $1', [String(treeSize)])).n);
      if (recordsSize !== 0) throw new AuditLogIntegrityError(`${recordsSize} record(s) at or beyond the tree size ${treeSize} were not placed by the sequencer`);
      // Move committed pending rows; the leaf hash is checked against the body by Postgres (sha256 of 0x00 || body).
      const moved = rowsOf<{ idx: string; leaf_hash: Buffer; ok: boolean }>(
        await tx.query(
          `WITH batch AS (SELECT id FROM audit.pending ORDER BY id LIMIT $2),
                moved AS (DELETE FROM audit.pending p USING batch b WHERE p.id = b.id RETURNING p.*)
           INSERT INTO audit.records (idx, type, occurred_at, actor, request_id, wallet, body, leaf_hash, recorded_at)
           SELECT $1::bigint + row_number() OVER (ORDER BY id) - 1, type, occurred_at, actor, request_id, wallet, body, leaf_hash, recorded_at FROM moved
           RETURNING idx, leaf_hash, sha256('\\x00'::bytea || body) = leaf_hash AS ok`,
          [String(treeSize), maxBatch],
        ),
      ).sort((a, b) => Number(a.idx) - Number(b.idx));
      if (moved.length === 0 && last !== null) return last;
      const target = treeSize + moved.length;
      const fresh = new Map<string, Uint8Array>();
      moved.forEach((r, i) => {
        if (Number(r.idx) !== treeSize + i) throw new AuditLogIntegrityError(`record ${treeSize + i} is missing`);
        if (!r.ok) throw new AuditLogIntegrityError(`record ${r.idx}: stored leaf hash does not match its body`);
        fresh.set(`0:${treeSize + i}`, new Uint8Array(r.leaf_hash));
      });
      // Parents of new nodes, level by level; a left sibling from before comes from the table.
      for (let level = 1; 2 ** level <= target; level++) {
        const from = Math.floor(treeSize / 2 ** level);
        const to = Math.floor(target / 2 ** level);
        if (from === to) continue;
        const need: [number, number][] = [];
        for (let i = from; i < to; i++) for (const c of [2 * i, 2 * i + 1]) if (!fresh.has(`${level - 1}:${c}`)) need.push([level - 1, c]);
        const lookup = need.length > 0 ? await this.fetchNodes(tx, need) : new Map<string, Uint8Array>();
        for (let i = from; i < to; i++) {
          const l = fresh.get(`${level - 1}:${2 * i}`) ?? lookup.get(`${level - 1}:${2 * i}`);
          const r = fresh.get(`${level - 1}:${2 * i + 1}`) ?? lookup.get(`${level - 1}:${2 * i + 1}`);
          if (l === undefined || r === undefined) throw new AuditLogIntegrityError(`tree node below (${level}, ${i}) is missing`);
          fresh.set(`${level}:${i}`, hashChildren(l, r));
        }
      }
      const entries = [...fresh.entries()].map(([k, h]) => [...k.split(':'), h] as [string, string, Uint8Array]);
      for (let i = 0; i < entries.length; i += 20_000) {
        const chunk = entries.slice(i, i + 20_000);
        await tx.query('INSERT INTO audit.tree_nodes (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])', [
          chunk.map((e) => Number(e[0])),
          chunk.map((e) => e[1]),
          chunk.map((e) => Buffer.from(e[2])),
        ]);
      }
      const rootNodes = await this.accessorFor(tx, (n) => rootHash(n, target), fresh);
      const root = rootHash(rootNodes, target);
      if (last !== null && last.size > 0) {
        const nodes = await this.accessorFor(tx, (n) => consistencyProof(n, last.size, target), fresh);
        try {
          verifyConsistency(last.size, target, consistencyProof(nodes, last.size, target), last.rootHash, root);
        } catch (e) {
          throw new AuditLogIntegrityError(`refusing to sign size ${target}: not consistent with the signed checkpoint of size ${last.size} (${(e as Error).message})`);
        }
      }
      const text = formatCheckpoint({ origin: this.origin, size: target, rootHash: root });
      const note = signNote(text, [this.signer]);
      await tx.query('INSERT INTO audit.checkpoints (size, root_hash, note) VALUES ($1, $2, $3)', [String(target), Buffer.from(root), note]);
      await tx.query('UPDATE audit.tree_head SET size = $1', [String(target)]);
      await tx.query('UPDATE audit.log_head SET size = $1', [String(target)]);
      return { size: target, rootHash: root, note };
    });
    if (outcome !== null) return outcome;
    // Another sequencer holds the lock: its checkpoint is the answer (it may be the one in progress).
    const latest = await this.latestCheckpoint();
    if (latest === null) throw new AuditNotFoundError('no checkpoint yet (another sequencer is issuing the first)');
    return latest;
  }

  /** Committed records not yet sequenced (what the next integrate() will place). */
  async pendingCount(): Promise<number> {
    return Number(firstRow<{ n: string }>(await this.db.query('SELECT count(*) AS n FROM audit.pending')).n);
  }

  private async fetchNodes(tx: SqlExecutor, need: [number, number][]): Promise<Map<string, Uint8Array>> {
    const rows = rowsOf<{ level: number; idx: string; hash: Buffer }>(
      await tx.query('SELECT n.level, n.idx, n.hash FROM audit.tree_nodes n JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) USING (level, idx)', [
        need.map((n) => n[0]),
        need.map((n) => String(n[1])),
      ]),
    );
    return new Map(rows.map((r) => [`${r.level}:${r.idx}`, new Uint8Array(r.hash)]));
  }

  /** Inclusion proof of record `index` in the tree of `size` (a checkpointed size). One query. */
  async inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
    const nodes = await this.proofNodes((n) => inclusionProof(n, index, size), size);
    return inclusionProof(nodes, index, size);
  }

  /**
   * The inclusion proofs of the records `indexes` (each below `size`, a checkpointed size) in the
   * tree of `size`, in the order given, from one query: a dry run collects the union of the stored
   * nodes the proofs read, one query fetches them and checks that `size` is integrated. For a
   * contiguous range of n records that union is about 2n + 2·log2(size) nodes (221 for 100 records
   * at 10^6), where n separate proofs would read n·log2(size) in n queries.
   */
  async inclusionProofs(indexes: readonly number[], size: number): Promise<Uint8Array[][]> {
    if (indexes.length > MAX_INCLUSION_PROOFS) throw new RangeError(`inclusionProofs: at most ${MAX_INCLUSION_PROOFS} indexes per call, got ${indexes.length}`);
    if (indexes.length === 0) return [];
    const all = (nodes: NodeAccessor) => indexes.map((index) => inclusionProof(nodes, index, size));
    return all(await this.proofNodes(all, size));
  }

  async consistencyProof(oldSize: number, newSize: number): Promise<Uint8Array[]> {
    const nodes = await this.proofNodes((n) => consistencyProof(n, oldSize, newSize), newSize);
    return consistencyProof(nodes, oldSize, newSize);
  }

  /** The stored nodes a proof over the tree of `size` reads, and the check that `size` is integrated, in one round trip. */
  private async proofNodes(compute: (nodes: NodeAccessor) => unknown, size: number): Promise<NodeAccessor> {
    const wanted = new Map<string, [number, number]>();
    compute((level, index) => {
      wanted.set(`${level}:${index}`, [level, index]);
      return new Uint8Array(32);
    });
    if (wanted.size === 0) {
      await this.assertIntegrated(size);
      return () => {
        throw new AuditLogIntegrityError('no tree node expected');
      };
    }
    const rows = rowsOf<{ level: number; idx: string; hash: Buffer; tree_size: string }>(
      await this.db.query(
        `SELECT n.level, n.idx, n.hash, h.size AS tree_size
           FROM audit.tree_head h
           LEFT JOIN (audit.tree_nodes n JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) USING (level, idx)) ON true`,
        [[...wanted.values()].map((w) => w[0]), [...wanted.values()].map((w) => String(w[1]))],
      ),
    );
    const treeSize = Number(rows[0]?.tree_size ?? 0);
    if (size > treeSize) throw new AuditNotFoundError(`size ${size} is beyond the integrated tree (${treeSize})`);
    const found = new Map(rows.filter((r) => r.hash !== null).map((r) => [`${r.level}:${r.idx}`, new Uint8Array(r.hash)]));
    return (level, index) => {
      const h = found.get(`${level}:${index}`);
      if (h === undefined) throw new AuditLogIntegrityError(`tree node (${level}, ${index}) is missing`);
      return h;
    };
  }

  private async assertIntegrated(size: number): Promise<void> {
    const treeSize = Number(firstRow<{ size: string }>(await this.db.query('SELECT size FROM audit.tree_head')).size);
    if (size > treeSize) throw new AuditNotFoundError(`size ${size} is beyond the integrated tree (${treeSize})`);
  }

  /**
   * Stores a witness's cosignature line for a checkpoint after checking it verifies (with the
   * witness's pinned verifier). Idempotent per (size, witness).
   */
  async addCosignature(size: number, witness: NoteVerifier, signatureLine: string): Promise<void> {
    await this.checkpoint(size);
    const signed = rowsOf<{ note: string }>(await this.db.query('SELECT note FROM audit.checkpoints WHERE size = $1', [String(size)]))[0]!.note;
    const opened = openNote(signed + signatureLine, [this.verifier, witness]);
    if (!opened.verified.includes(witness)) throw new AuditLogIntegrityError(`cosignature of ${witness.name} does not verify`);
    await this.db.query('INSERT INTO audit.cosignatures (size, witness, signature_line) VALUES ($1, $2, $3) ON CONFLICT (size, witness) DO NOTHING', [String(size), witness.name, signatureLine]);
  }

  /** The largest checkpoint size whose cosignature by `witness` (key name) is stored; 0 if none. */
  async lastCosignedSize(witness: string): Promise<number> {
    const rows = rowsOf<{ size: string | null }>(await this.db.query('SELECT max(size) AS size FROM audit.cosignatures WHERE witness = $1', [witness]));
    return Number(rows[0]?.size ?? 0);
  }

  async records(from: number, to: number): Promise<AuditRecordRow[]> {
    const rows = rowsOf<{ idx: string; body: Buffer; leaf_hash: Buffer }>(
      await this.db.query('SELECT idx, body, leaf_hash FROM audit.records WHERE idx >= $1 AND idx < $2 ORDER BY idx', [String(from), String(to)]),
    );
    return rows.map((r) => ({ index: Number(r.idx), record: new Uint8Array(r.body), leafHash: new Uint8Array(r.leaf_hash) }));
  }

  async findRecords(f: RecordFilter): Promise<AuditRecordRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.type !== undefined) add('type = ?', f.type);
    if (f.requestId !== undefined) add('request_id = ?', f.requestId);
    if (f.actor !== undefined) add('actor = ?', f.actor);
    if (f.wallet !== undefined) add('wallet = ?', f.wallet);
    if (f.from !== undefined) add('occurred_at >= ?', f.from.toISOString());
    if (f.to !== undefined) add('occurred_at < ?', f.to.toISOString());
    if (f.afterIndex !== undefined) add('idx > ?', String(f.afterIndex));
    if (f.startIndex !== undefined) add('idx >= ?', String(f.startIndex));
    if (f.endIndex !== undefined) add('idx < ?', String(f.endIndex));
    params.push(Math.min(Math.max(1, f.limit), 1000));
    const rows = rowsOf<{ idx: string; body: Buffer; leaf_hash: Buffer }>(
      await this.db.query(`SELECT idx, body, leaf_hash FROM audit.records ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY idx LIMIT $${params.length}`, params),
    );
    return rows.map((r) => ({ index: Number(r.idx), record: new Uint8Array(r.body), leafHash: new Uint8Array(r.leaf_hash) }));
  }

  /** The full export at the latest checkpoint (with its cosignatures): what `custody audit verify` reads. */
  async exportLatest(): Promise<string> {
    const cp = await this.latestCheckpoint();
    if (cp === null) throw new AuditNotFoundError('no checkpoint yet');
    const rows = await this.records(0, cp.size);
    return formatExport(
      { origin: this.origin, size: cp.size, checkpoint: cp.note, records: rows.map((r) => r.record) },
      rows.map((r) => r.index),
    );
  }

  /**
   * What a witness needs to cosign the latest checkpoint (C2SP tlog-witness add-checkpoint): the
   * consistency proof from the size it last cosigned, and the inclusion proofs of the sign-grant
   * records it may be waiting for: every grant placed since `oldSize`, and the older ones a signer could
   * still have signed after it cosigned `oldSize` (issued less than `grantHorizonMs` before that
   * checkpoint was signed: a grant's lifetime is bounded, 15 min by default, plus clock skew).
   * All proofs are generated from one fetch of the stored nodes they need.
   */
  async witnessRequest(
    oldSize: number,
    options: { grantHorizonMs?: number } = {},
  ): Promise<{ oldSize: number; consistencyProof: Uint8Array[]; checkpoint: string; grantInclusions: { requestId: string; index: number; proof: Uint8Array[] }[] }> {
    if (!Number.isSafeInteger(oldSize) || oldSize < 0) throw new RangeError('witnessRequest: oldSize must be a size');
    const horizon = options.grantHorizonMs ?? DEFAULT_GRANT_HORIZON_MS;
    const cp = await this.latestCheckpoint();
    if (cp === null) throw new AuditNotFoundError('no checkpoint yet');
    if (oldSize > cp.size) throw new AuditNotFoundError(`size ${oldSize} is beyond the latest checkpoint (${cp.size})`);
    const consistency = oldSize === 0 ? [] : await this.consistencyProof(oldSize, cp.size);
    const grants = rowsOf<{ idx: string; request_id: string }>(
      await this.db.query(
        // Two index scans (records_type_idx, records_grant_time_idx), not one OR over the whole table.
        `SELECT idx, request_id FROM audit.records
          WHERE type = 'sign-grant' AND request_id IS NOT NULL AND idx >= $2::bigint AND idx < $1
         UNION
         SELECT idx, request_id FROM audit.records
          WHERE type = 'sign-grant' AND request_id IS NOT NULL AND idx < $2::bigint
            AND occurred_at >= (SELECT signed_at FROM audit.checkpoints WHERE size = $2::bigint) - make_interval(secs => $3::double precision / 1000)
          ORDER BY idx`,
        [String(cp.size), String(oldSize), horizon],
      ),
    );
    const size = cp.size;
    const all = (n: NodeAccessor) => grants.map((g) => inclusionProof(n, Number(g.idx), size));
    const nodes = grants.length === 0 ? null : await this.accessorFor(this.db, all);
    const proofs = nodes === null ? [] : all(nodes);
    const grantInclusions = grants.map((g, i) => ({ requestId: g.request_id, index: Number(g.idx), proof: proofs[i]! }));
    return { oldSize, consistencyProof: consistency, checkpoint: cp.note, grantInclusions };
  }

  /**
   * A C2SP tlog-proof bundle for record `index` at the latest checkpoint (with its cosignatures);
   * `extra` carries the record's canonical bytes so the bundle verifies offline on its own.
   */
  async proofBundle(index: number): Promise<string> {
    const cp = await this.latestCheckpoint();
    if (cp === null) throw new AuditNotFoundError('no checkpoint yet');
    if (!Number.isSafeInteger(index) || index < 0 || index >= cp.size) throw new AuditNotFoundError(`record ${index} is not in the latest checkpoint (size ${cp.size})`);
    const [row] = await this.records(index, index + 1);
    if (row === undefined) throw new AuditLogIntegrityError(`record ${index} is missing`);
    return formatTlogProof({ extra: row.record, index, proof: await this.inclusionProof(index, cp.size), checkpoint: cp.note });
  }

  /** Parses a stored checkpoint note's body (for callers that need the size and root). */
  static parse(note: string) {
    return parseCheckpoint(note.slice(0, note.lastIndexOf('\n\n') + 1));
  }
}
