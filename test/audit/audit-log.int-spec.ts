import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { DataSource } from 'typeorm';
import { connectPostgres, ensureDatabase, runMigrationSet } from '@custody/persistence';
import { MIGRATION_SETS } from '@custody/migrations';
import { uniqueTestDatabase } from '@custody/testing';
import { cosignatureVerifier, cosigner, ed25519NoteSigner, ed25519NoteVerifier, hashLeaf, openNote, parseCheckpoint, verifyConsistency, verifyInclusion } from '@custody/transparency-log';
import { encodeRecord, verifyExport, type AuditRecord, type VerifyExportOptions } from '@custody/audit-core';
import { AuditLogStore, appendAuditRecord, appendAuditRecords } from '@custody/audit-log';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatVerifierKey, parseTlogProof, verifyTlogProof } from '@custody/transparency-log';
import { runAuditVerify } from '../../apps/cli/src/commands/audit.command';

const ORIGIN = 'custody.test/audit';
const logSeed = randomBytes(32);
const logVerifier = ed25519NoteVerifier(ORIGIN, ed25519.getPublicKey(logSeed));
const witness = cosigner('signer-1.custody.test', randomBytes(32));
const witnessVerifier = cosignatureVerifier('signer-1.custody.test', witness.publicKey);
const verifyOpts: VerifyExportOptions = {
  logVerifier,
  witnessVerifiers: [witnessVerifier],
  chain: { enginePublicKey: null, approverKeys: new Map(), verifyEd25519: () => false, verifySignature: () => false },
};

const rec = (n: number): AuditRecord => ({
  version: 1,
  type: 'api-request',
  occurredAt: 1_767_225_600_000 + n,
  actor: `client-${n % 3}`,
  requestId: `req-${n}`,
  wallet: null,
  body: { method: 'POST', path: '/v1/withdrawals', signature: `sig-${n}` },
});

describe('audit log on Postgres', () => {
  const db = uniqueTestDatabase('audit_log');
  let ds: DataSource;
  let store: AuditLogStore;

  beforeAll(async () => {
    await ensureDatabase(db.url);
    await runMigrationSet(db.url, MIGRATION_SETS.find((s) => s.owner === 'audit')!);
    ds = await connectPostgres(db.url, { poolSize: 8 });
    store = new AuditLogStore(ds, ORIGIN, ed25519NoteSigner(ORIGIN, logSeed), logVerifier);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db.drop();
  });

  async function cosignLatest(): Promise<void> {
    const cp = (await store.latestCheckpoint())!;
    const text = cp.note.slice(0, cp.note.indexOf('\n\n') + 1);
    await store.addCosignature(cp.size, witnessVerifier, witness.cosign(text, 1_767_225_700n));
  }

  it('appends in the caller transaction, gap-free under concurrency, and rolls back with it', async () => {
    await expect(
      ds.transaction(async (tx) => {
        await appendAuditRecord(tx, rec(999));
        throw new Error('the action failed');
      }),
    ).rejects.toThrow('the action failed');
    await Promise.all(Array.from({ length: 40 }, (_, i) => ds.transaction((tx) => appendAuditRecord(tx, rec(i)))));
    await ds.transaction((tx) => appendAuditRecords(tx, [rec(40), rec(41)]));
    // Committed, not yet sequenced: no tree index, no checkpoint, and nothing from the rolled-back one.
    expect(await store.pendingCount()).toBe(42);
    expect(await ds.query('SELECT count(*)::int AS n FROM audit.records')).toEqual([{ n: 0 }]);
    expect(await ds.query("SELECT count(*)::int AS n FROM audit.pending WHERE request_id = 'req-999'")).toEqual([{ n: 0 }]);
  });

  it('the sequencer gives committed records gap-free indexes and moves them out of pending', async () => {
    const cp = await store.integrate();
    expect(cp.size).toBe(42);
    expect(await store.pendingCount()).toBe(0);
    const rows = (await ds.query('SELECT idx, body FROM audit.records ORDER BY idx')) as { idx: string; body: Buffer }[];
    expect(rows.map((r) => Number(r.idx))).toEqual(Array.from({ length: 42 }, (_, i) => i));
    // Every record of the 42 is there exactly once, the rolled-back one is not.
    const ids = rows.map((r) => (JSON.parse(r.body.toString('utf8')) as { requestId: string }).requestId).sort();
    expect(ids).toEqual(Array.from({ length: 42 }, (_, i) => `req-${i}`).sort());
  });

  it('signs checkpoints only over consistent trees and serves proofs that verify', async () => {
    const cp1 = await store.integrate();
    expect(cp1.size).toBe(42);
    for (let i = 42; i < 77; i++) await ds.transaction((tx) => appendAuditRecord(tx, rec(i)));
    const cp2 = await store.integrate(20);
    expect(cp2.size).toBe(62);
    const cp3 = await store.integrate();
    expect(cp3.size).toBe(77);
    expect(await store.integrate()).toMatchObject({ size: 77 });
    expect(parseCheckpoint(openNote(cp3.note, [logVerifier]).text).size).toBe(77);
    // Records 0..39 were appended by concurrent transactions (any order); 40.. one after the other.
    const first = Buffer.from((await store.records(0, 1))[0]!.record);
    expect(Array.from({ length: 40 }, (_, i) => Buffer.from(encodeRecord(rec(i))).equals(first)).filter(Boolean)).toHaveLength(1);
    verifyInclusion(0, 77, hashLeaf(first), await store.inclusionProof(0, 77), cp3.rootHash);
    for (const i of [41, 42, 76]) {
      const leaf = hashLeaf(encodeRecord(rec(i)));
      verifyInclusion(i, 77, leaf, await store.inclusionProof(i, 77), cp3.rootHash);
    }
    verifyConsistency(42, 77, await store.consistencyProof(42, 77), cp1.rootHash, cp3.rootHash);
    verifyConsistency(62, 77, await store.consistencyProof(62, 77), cp2.rootHash, cp3.rootHash);
    await cosignLatest();
    expect(verifyExport(await store.exportLatest(), verifyOpts).failure).toBeNull();
  });

  it('serves a tlog-proof bundle that verifies offline with the witness quorum', async () => {
    const bundle = await store.proofBundle(41);
    const p = parseTlogProof(bundle);
    expect(Buffer.from(p.extra!)).toEqual(Buffer.from(encodeRecord(rec(41))));
    const ok = verifyTlogProof(bundle, hashLeaf(p.extra!), { origin: ORIGIN, logVerifier, witnessVerifiers: [witnessVerifier], witnessQuorum: 1 });
    expect(ok.checkpoint.size).toBe(77);
    await expect(store.proofBundle(77)).rejects.toThrow(/not in the latest checkpoint/);
  });


  it('serves the inclusion proofs of many records against one tree size from one query, equal to the single proofs', async () => {
    let queries = 0;
    const counting = new AuditLogStore(
      { query: (sql: string, parameters?: unknown[]) => ((queries += 1), ds.query(sql, parameters)), transaction: (f) => ds.transaction(f) },
      ORIGIN,
      ed25519NoteSigner(ORIGIN, logSeed),
      logVerifier,
    );
    const cp = await store.checkpoint(62);
    const indexes = [...Array.from({ length: 40 }, (_, i) => 11 + i), 0, 61, 7];
    const proofs = await counting.inclusionProofs(indexes, 62);
    expect(queries).toBe(1);
    const rows = await store.records(0, 62);
    for (const [k, i] of indexes.entries()) {
      expect(proofs[k]).toEqual(await store.inclusionProof(i, 62));
      verifyInclusion(i, 62, rows[i]!.leafHash, proofs[k]!, cp.rootHash);
    }
    expect(await counting.inclusionProofs([], 62)).toEqual([]);
    // The checkpoint and its cosignatures in one query too.
    queries = 0;
    expect((await counting.latestCheckpoint())!.note).toBe((await store.latestCheckpoint())!.note);
    expect((await counting.latestCheckpoint())!.note).toContain('— signer-1.custody.test ');
    expect(queries).toBe(2);
    await expect(counting.inclusionProofs([3], 78)).rejects.toThrow(/beyond the integrated tree/);
    await expect(counting.inclusionProofs(Array.from({ length: 1001 }, (_, i) => i % 62), 62)).rejects.toThrow(/at most 1000/);
    // The index range filter.
    expect((await store.findRecords({ startIndex: 10, endIndex: 13, limit: 100 })).map((r) => r.index)).toEqual([10, 11, 12]);
    expect((await store.findRecords({ startIndex: 10, endIndex: 13, afterIndex: 11, limit: 100 })).map((r) => r.index)).toEqual([12]);
  });
  it('refuses UPDATE, DELETE and TRUNCATE on the log tables', async () => {
    await expect(ds.query("UPDATE audit.records SET actor = 'x' WHERE idx = 3")).rejects.toThrow(/append-only/);
    await expect(ds.query('DELETE FROM audit.records WHERE idx = 3')).rejects.toThrow(/append-only/);
    await expect(ds.query('TRUNCATE audit.tree_nodes')).rejects.toThrow(/append-only/);
    await expect(ds.query('DELETE FROM audit.checkpoints')).rejects.toThrow(/append-only/);
  });

  /** A superuser with the triggers off: what the verifier must still catch. */
  async function tamper(sql: string): Promise<void> {
    await ds.transaction(async (tx) => {
      await tx.query('SET LOCAL session_replication_role = replica');
      for (const s of sql.split(';').filter((x) => x.trim())) await tx.query(s);
    });
  }

  it('one sequencer at a time: concurrent integrate() calls never sign two checkpoints of one size', async () => {
    const before = (await store.latestCheckpoint())!.size;
    for (let i = 300; i < 305; i++) await ds.transaction((tx) => appendAuditRecord(tx, rec(i)));
    const results = await Promise.all([store.integrate(), store.integrate(), store.integrate()]);
    // The lock holder signs before + 5; the others answer with a checkpoint already signed.
    expect(Math.max(...results.map((r) => r.size))).toBe(before + 5);
    for (const r of results) expect([before, before + 5]).toContain(r.size);
    expect(await store.pendingCount()).toBe(0);
    const sizes = (await ds.query('SELECT size FROM audit.checkpoints WHERE size >= $1 ORDER BY size', [before])) as { size: string }[];
    expect(sizes.map((r) => Number(r.size))).toEqual([before, before + 5]);
  });

  it('refuses to sign when a record was placed in the tree range without the sequencer', async () => {
    const size = (await store.latestCheckpoint())!.size;
    const bytes = encodeRecord(rec(400));
    await ds.query("INSERT INTO audit.records (idx, type, occurred_at, actor, body, leaf_hash) VALUES ($1, 'api-request', now(), 'x', $2, $3)", [size, Buffer.from(bytes), Buffer.from(hashLeaf(bytes))]);
    await ds.transaction((tx) => appendAuditRecord(tx, rec(401)));
    await expect(store.integrate()).rejects.toThrow(/not placed by the sequencer/);
    await tamper('DELETE FROM audit.records WHERE idx = ' + String(size));
    expect((await store.integrate()).size).toBe(size + 1);
  });

  it('a record changed, removed, reordered or inserted directly in the database is detected by custody audit verify', async () => {
    await cosignLatest();
    const honest = await store.exportLatest();
    expect(verifyExport(honest, verifyOpts).failure).toBeNull();
    const other = Buffer.from(encodeRecord(rec(1000))).toString('hex');
    const cases: [string, string, RegExp][] = [
      ['changed', `UPDATE audit.records SET body = '\\x${other}' WHERE idx = 5`, /tree: the root recomputed/],
      ['removed', 'DELETE FROM audit.records WHERE idx = 6', /index/],
      ['reordered', 'UPDATE audit.records SET idx = 100000 WHERE idx = 7; UPDATE audit.records SET idx = 7 WHERE idx = 8; UPDATE audit.records SET idx = 8 WHERE idx = 100000', /tree: the root recomputed/],
      ['inserted', `UPDATE audit.records SET idx = idx + 1000 WHERE idx >= 9; UPDATE audit.records SET idx = idx - 999 WHERE idx >= 1009; INSERT INTO audit.records (idx, type, occurred_at, actor, body, leaf_hash) VALUES (9, 'api-request', now(), 'x', '\\x${other}', '\\x${Buffer.from(hashLeaf(encodeRecord(rec(1000)))).toString('hex')}')`, /tree: the root recomputed|records: the export holds/],
    ];
    await ds.query('CREATE TABLE public.saved_records AS SELECT * FROM audit.records');
    for (const [what, sql, expected] of cases) {
      await tamper(sql);
      // Through `custody audit verify` itself: the export as a file, only public keys.
      const file = join(mkdtempSync(join(tmpdir(), 'audit-')), 'export.jsonl');
      writeFileSync(file, await store.exportLatest());
      const { report: r } = runAuditVerify({
        file,
        logKey: formatVerifierKey(ORIGIN, 0x01, ed25519.getPublicKey(logSeed)),
        witnessKeys: [formatVerifierKey('signer-1.custody.test', 0x04, witness.publicKey)],
        approverKeys: [],
      });
      expect({ what, matched: expected.test(r.failure ?? "") }).toEqual({ what, matched: true });
      // Restore the honest rows for the next case.
      await tamper('DELETE FROM audit.records; INSERT INTO audit.records SELECT * FROM public.saved_records');
      expect(verifyExport(await store.exportLatest(), verifyOpts).failure).toBeNull();
    }
  }, 30_000);

  it('refuses to sign when a stored leaf no longer matches its record', async () => {
    await ds.transaction((tx) => appendAuditRecord(tx, rec(200)));
    const other = Buffer.from(encodeRecord(rec(201))).toString('hex');
    // Changed while pending (before the sequencer placed it): refused, nothing moved, nothing signed.
    await tamper(`UPDATE audit.pending SET body = '\\x${other}'`);
    const size = (await store.latestCheckpoint())!.size;
    await expect(store.integrate()).rejects.toThrow(/leaf hash does not match/);
    expect(await store.pendingCount()).toBe(1);
    expect((await store.latestCheckpoint())!.size).toBe(size);
  });
});
