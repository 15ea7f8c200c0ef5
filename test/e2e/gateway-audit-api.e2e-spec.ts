import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { DataSource } from 'typeorm';
import { AuditApi, CustodyApiError, CustodyClient, CustodyGrpcClient, signatureHeaders, type AuditRecordProofPage, type AuditRecordResource } from '@custody/client';
import { type AuditRecord } from '@custody/audit-core';
import { AuditLogStore, appendAuditRecords } from '@custody/audit-log';
import { connectPostgres } from '@custody/persistence';
import { custody } from '@custody/proto';
import {
  cosignatureVerifier,
  cosigner,
  decodeBase64Strict,
  ed25519NoteSigner,
  formatTlogProof,
  formatVerifierKey,
  hashLeaf,
  openNote,
  parseCheckpoint,
  parseTlogProof,
  verifierFromKey,
  verifyConsistency,
  verifyInclusion,
  verifyTlogProof,
} from '@custody/transparency-log';
import { CUSTODY_BIN, startGateway, testKey, type RunningGateway, type TestKey } from '@custody/testing';
import { API_METHODS } from '../../apps/gateway/src/api/api-methods';
import { ROLES, type Role } from '../../apps/gateway/src/auth/api-client';
import { runAuditVerify } from '../../apps/cli/src/commands/audit.command';

/**
 * The auditor's API, end to end through the real gateway on Postgres and Redis: records (written
 * here with libs/audit-log into the services' database, as the services do in their transactions,
 * and checkpointed and cosigned as the log's owner and a witness do), filters and paging, inclusion
 * and consistency proofs, the cosigned checkpoint, an export that `custody audit verify` accepts,
 * and C2SP tlog-proof bundles verified offline. And the roles: the auditor reads the log and no
 * other role does; every method of policies, approvals, the address book and the audit log is
 * refused to each role it does not name (403 / PERMISSION_DENIED), on both transports.
 */
jest.setTimeout(60_000);

const ORIGIN = 'custody.test/audit-api';
const logSeed = randomBytes(32);
const logKey = formatVerifierKey(ORIGIN, 0x01, ed25519.getPublicKey(logSeed));
const witness = cosigner('witness-1.custody.test', randomBytes(32));
const witnessKey = formatVerifierKey(witness.name, 0x04, witness.publicKey);
const witnessVerifier = cosignatureVerifier(witness.name, witness.publicKey);

const GRPC_OPTS = { longs: String, enums: String, defaults: true, arrays: true } as const;
const containing = (text: string): string => expect.stringContaining(text) as string;
/** A REST record as the tests' gRPC decoding (defaults: true) shows it: AuditRecord.inclusion_proof (ListAuditRecords view full only) empty, where REST leaves it out. */
const withGrpcDefaults = <T extends object>(record: T): T & { inclusionProof: string[] } => ({ inclusionProof: [], ...record });

function record(type: AuditRecord['type'], actor: string, requestId: string | null, wallet: string | null, occurredAt: number, body: Record<string, string>): AuditRecord {
  return { version: 1, type, occurredAt, actor, requestId, wallet, body };
}

async function restError(p: Promise<unknown>): Promise<{ status: number; code: string; detail: string }> {
  try {
    await p;
  } catch (error) {
    if (error instanceof CustodyApiError) return { status: error.status, code: error.code, detail: error.detail };
    throw error;
  }
  throw new Error('expected the request to fail');
}

/** The CLI, asynchronously (a blocked event loop would leave the test's keep-alive sockets to the gateway stale). */
const run = promisify(execFile);

async function verifyCli(file: string): Promise<{ status: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [CUSTODY_BIN, 'audit', 'verify', file, '--log-key', logKey, '--witness-key', witnessKey, '--witness-quorum', '1'], { encoding: 'utf8' });
    return { status: 0, output: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { status: e.code, output: `${e.stdout}${e.stderr}` };
  }
}

describe('gateway: the auditor API and roles (e2e)', () => {
  let gateway: RunningGateway;
  let ds: DataSource;
  let store: AuditLogStore;
  const byRole = new Map<Role, TestKey>();
  const t0 = Date.UTC(2026, 11, 2, 12, 0, 0);
  let firstRoot: Uint8Array = new Uint8Array();
  // Ids of this file's records (the log may hold others: the gateway records its own writes).
  const tag = randomUUID().slice(0, 8);
  const P = `p-audit-${tag}`;
  const WD = `wd-${tag}`;
  const WALLET = `w-${tag}`;
  const OPS = `ops-${tag}`;
  let firstSize = 0;
  let size = 0;
  /** The index of each of this file's records, in append order. */
  let idx: number[] = [];
  const grpcs: CustodyGrpcClient[] = [];
  let auditor: AuditApi;

  async function cosignLatest(): Promise<void> {
    const cp = (await store.latestCheckpoint())!;
    const text = cp.note.slice(0, cp.note.indexOf('\n\n') + 1);
    await store.addCosignature(cp.size, witnessVerifier, witness.cosign(text, BigInt(Math.floor(t0 / 1000))));
  }

  async function rpc(role: Role, method: string, req: { encode(m: object): { finish(): Uint8Array }; fromObject(o: object): object }, res: { decode(b: Uint8Array): object; toObject(m: never, o: object): Record<string, unknown> }, body: object): Promise<Record<string, unknown>> {
    const client = new CustodyGrpcClient(gateway.grpcAddress, byRole.get(role)!);
    grpcs.push(client);
    const decoded = await client.call(`/custody.v1.AuditService/${method}`, req.encode(req.fromObject(body)).finish(), (b) => res.decode(b));
    return res.toObject(decoded as never, GRPC_OPTS);
  }

  beforeAll(async () => {
    gateway = await startGateway({ GATEWAY_RATE_LIMIT_CLIENT: '100000', GATEWAY_RATE_LIMIT_IP: '100000' });
    const admin = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: gateway.admin, attempts: 1 });
    for (const role of ROLES) {
      const key = testKey(`${role}-${randomUUID().slice(0, 6)}`);
      await admin.createClient({ clientId: key.clientId, publicKey: key.publicKeyHex, roles: [role] });
      byRole.set(role, key);
    }
    auditor = new AuditApi(new CustodyClient({ baseUrl: gateway.baseUrl, credentials: byRole.get('auditor')!, attempts: 1 }));

    ds = await connectPostgres(gateway.databaseUrl, { poolSize: 2 });
    store = new AuditLogStore(ds, ORIGIN, ed25519NoteSigner(ORIGIN, logSeed), verifierFromKey(logKey));
    await ds.transaction((tx) =>
      appendAuditRecords(tx, [
        record('policy-proposal', 'ca-1', P, null, t0, { proposalId: P, contentHash: 'aa'.repeat(32) }),
        record('policy-approval', 'ca-1', P, null, t0 + 1000, { decision: 'approve', signature: 'bb'.repeat(64) }),
        record('api-request', OPS, WD, WALLET, t0 + 2000, { method: 'POST', path: '/v1/withdrawals' }),
      ]),
    );
    const first = await store.integrate();
    firstRoot = first.rootHash;
    firstSize = first.size;
    await cosignLatest();
    await ds.transaction((tx) =>
      appendAuditRecords(tx, [
        record('evaluation', 'service:policy-engine', WD, WALLET, t0 + 3000, { outcome: 'allow', traceHash: 'cc'.repeat(32) }),
        record('policy-activation', 'ca-2', P, null, t0 + 4000, { version: '2', contentHash: 'aa'.repeat(32) }),
      ]),
    );
    size = (await store.integrate()).size;
    await cosignLatest();
    const mine = await ds.query<{ idx: string; request_id: string; type: string }[]>('SELECT idx, request_id, type FROM audit.records WHERE request_id = ANY($1) ORDER BY idx', [[P, WD]]);
    idx = mine.map((r) => Number(r.idx));
    expect(mine.map((r) => r.type)).toEqual(['policy-proposal', 'policy-approval', 'api-request', 'evaluation', 'policy-activation']);
  }, 120_000);

  afterAll(async () => {
    for (const c of grpcs) c.close();
    await ds?.destroy();
    await gateway?.stop();
  }, 60_000);

  it('lists and filters records (type, client, request id, wallet, time) with cursor paging; gRPC answers the same', async () => {
    const names = (rs: AuditRecordResource[]) => rs.map((r) => r.name);
    const at = (...i: number[]) => i.map((k) => `auditRecords/${idx[k]}`);
    const all: AuditRecordResource[] = [];
    let token = '';
    do {
      const page = await auditor.list({}, 2, token);
      expect(page.items.length).toBeLessThanOrEqual(2);
      all.push(...page.items);
      token = page.nextPageToken;
    } while (token !== '');
    expect(all.map((r) => Number(r.index))).toEqual(all.map((_, i) => i));
    expect(names(all)).toEqual(expect.arrayContaining(at(0, 1, 2, 3, 4)) as string[]);
    const approval = all.find((r) => r.name === at(1)[0])!;
    expect(approval).toMatchObject({ type: 'policy-approval', actor: 'ca-1', requestId: P, occurTime: new Date(t0 + 1000).toISOString() });
    expect(JSON.parse(approval.body)).toEqual({ decision: 'approve', signature: 'bb'.repeat(64) });

    expect(names((await auditor.list({ type: 'policy-approval', requestId: P })).items)).toEqual(at(1));
    expect(names((await auditor.list({ client: OPS })).items)).toEqual(at(2));
    expect(names((await auditor.list({ requestId: P })).items)).toEqual(at(0, 1, 4));
    expect(names((await auditor.list({ wallet: WALLET })).items)).toEqual(at(2, 3));
    expect(names((await auditor.list({ wallet: WALLET, startTime: new Date(t0 + 2500).toISOString(), endTime: new Date(t0 + 5000).toISOString() })).items)).toEqual(at(3));

    const viaGrpc = await rpc('auditor', 'ListAuditRecords', custody.v1.ListAuditRecordsRequest, custody.v1.ListAuditRecordsResponse, { wallet: WALLET });
    // gRPC's defaults: the full view's fields empty.
    expect(viaGrpc).toEqual({ records: (await auditor.list({ wallet: WALLET })).items.map(withGrpcDefaults), nextPageToken: '', checkpoint: null });
    expect(names((await auditor.list({ startIndex: idx[1], endIndex: idx[3]! + 1 })).items)).toEqual(at(1, 2, 3));
    expect(names((await auditor.list({ requestId: P, startIndex: idx[1], endIndex: idx[4] })).items)).toEqual(at(1));
  });

  it('gets a record with its inclusion proof at the cosigned checkpoint', async () => {
    const i = idx[1]!;
    const got = await auditor.get(i);
    expect(got.checkpoint.size).toBe(String(size));
    const opened = openNote(got.checkpoint.note, [verifierFromKey(logKey), witnessVerifier]);
    expect(opened.verified.map((v) => v.name)).toEqual([ORIGIN, witness.name]);
    const leaf = hashLeaf(decodeBase64Strict('canonical', got.record.canonical, 1 << 20));
    expect(Buffer.from(leaf).toString('hex')).toBe(got.record.leafHash);
    expect(() => verifyInclusion(i, size, leaf, got.inclusionProof.map((h) => decodeBase64Strict('proof', h)), decodeBase64Strict('root', got.checkpoint.rootHash))).not.toThrow();
    expect(verifyTlogProof(got.tlogProof, leaf, { origin: ORIGIN, logVerifier: verifierFromKey(logKey), witnessVerifiers: [witnessVerifier], witnessQuorum: 1 }).index).toBe(i);
    const viaGrpc = await rpc('auditor', 'GetAuditRecord', custody.v1.GetAuditRecordRequest, custody.v1.AuditRecordProof, { name: `auditRecords/${i}` });
    expect(viaGrpc).toEqual({ ...got, record: withGrpcDefaults(got.record) });
    expect(await restError(auditor.get(size + 100_000))).toMatchObject({ status: 404, code: 'not-found' });
  });

  it('lists a page of records with their inclusion proofs against one checkpoint (view=full): each verifies with the pinned keys; gRPC answers the same', async () => {
    const logVerifier = verifierFromKey(logKey);
    /** Every record of a full page checked as an auditor does: the checkpoint's signatures, each leaf hash from the bytes, each proof to the signed root, and (as a C2SP tlog-proof) with the witness quorum. */
    const check = (page: AuditRecordProofPage, expectedSize: number): { proved: number[]; pending: number[] } => {
      const opened = openNote(page.checkpoint.note, [logVerifier, witnessVerifier]);
      expect(opened.verified.map((v) => v.name)).toEqual([ORIGIN, witness.name]);
      const cp = parseCheckpoint(opened.text);
      expect({ size: cp.size, root: Buffer.from(cp.rootHash).toString('base64') }).toEqual({ size: expectedSize, root: page.checkpoint.rootHash });
      expect(page.checkpoint.size).toBe(String(expectedSize));
      const proved: number[] = [];
      const pending: number[] = [];
      for (const r of page.items) {
        const i = Number(r.index);
        const bytes = decodeBase64Strict('canonical', r.canonical, 1 << 20);
        const leaf = hashLeaf(bytes);
        expect(Buffer.from(leaf).toString('hex')).toBe(r.leafHash);
        if (i >= cp.size) {
          expect(r.inclusionProof).toEqual([]);
          pending.push(i);
          continue;
        }
        const proof = r.inclusionProof.map((h) => decodeBase64Strict('proof', h));
        expect(() => verifyInclusion(i, cp.size, leaf, proof, cp.rootHash)).not.toThrow();
        const bundle = formatTlogProof({ extra: bytes, index: i, proof, checkpoint: page.checkpoint.note });
        expect(verifyTlogProof(bundle, leaf, { origin: ORIGIN, logVerifier, witnessVerifiers: [witnessVerifier], witnessQuorum: 1 }).index).toBe(i);
        proved.push(i);
      }
      return { proved, pending };
    };

    // The whole log in one page (the latest checkpoint), equal to the records of the basic view and to GetAuditRecord's proofs.
    const full = await auditor.listWithProofs({}, 100);
    expect(full.nextPageToken).toBe('');
    expect(check(full, size)).toEqual({ proved: Array.from({ length: size }, (_, i) => i), pending: [] });
    expect(full.items.map(({ inclusionProof: _, ...r }) => r)).toEqual((await auditor.list({}, 100)).items);
    for (const i of [idx[0]!, idx[4]!, size - 1]) expect(full.items[i]!.inclusionProof).toEqual((await auditor.get(i)).inclusionProof);

    // Against the first checkpoint (tree_size): the records after it are listed with no proof.
    const atFirst = await auditor.listWithProofs({ requestId: P }, 0, '', firstSize);
    expect(check(atFirst, firstSize)).toEqual({ proved: [idx[0], idx[1]], pending: [idx[4]] });
    const proofAtFirst = atFirst.items[0]!.inclusionProof.map((h) => decodeBase64Strict('proof', h));
    expect(() => verifyInclusion(idx[0]!, firstSize, new Uint8Array(Buffer.from(atFirst.items[0]!.leafHash, 'hex')), proofAtFirst, firstRoot)).not.toThrow();

    // Paging in the full view: every page against the same checkpoint, all records once.
    const seen: number[] = [];
    let token = '';
    do {
      const page = await auditor.listWithProofs({}, 3, token, size);
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...check(page, size).proved);
      token = page.nextPageToken;
    } while (token !== '');
    expect(seen).toEqual(Array.from({ length: size }, (_, i) => i));

    // An index range with a filter.
    const range = await auditor.listWithProofs({ wallet: WALLET, startIndex: idx[2], endIndex: idx[3]! + 1 });
    expect(check(range, size).proved).toEqual([idx[2], idx[3]]);

    const viaGrpc = await rpc('auditor', 'ListAuditRecords', custody.v1.ListAuditRecordsRequest, custody.v1.ListAuditRecordsResponse, { requestId: P, view: 'full', treeSize: firstSize });
    expect(viaGrpc).toEqual({ records: atFirst.items, nextPageToken: '', checkpoint: atFirst.checkpoint });
    const rangeGrpc = await rpc('auditor', 'ListAuditRecords', custody.v1.ListAuditRecordsRequest, custody.v1.ListAuditRecordsResponse, { wallet: WALLET, view: 'full', startIndex: idx[2], endIndex: idx[3]! + 1 });
    expect(rangeGrpc).toEqual({ records: range.items, nextPageToken: '', checkpoint: range.checkpoint });
  });

  it('refuses bad list inputs of the full view: view, tree_size (malformed, beyond the checkpoint, not a checkpoint), ranges, page size over 100; on both transports', async () => {
    const c = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: byRole.get('auditor')!, attempts: 1 });
    const cases: [string, number, string, string][] = [
      ['view=FULL', 400, 'invalid-argument', 'view'],
      ['view=partial', 400, 'invalid-argument', 'view'],
      ['view=full&view=basic', 400, 'invalid-argument', 'view'],
      ['tree_size=3', 400, 'invalid-argument', 'tree_size'],
      ['view=basic&tree_size=3', 400, 'invalid-argument', 'tree_size'],
      ['view=full&tree_size=abc', 400, 'invalid-argument', 'tree_size'],
      ['view=full&tree_size=-1', 400, 'invalid-argument', 'tree_size'],
      ['view=full&tree_size=1.5', 400, 'invalid-argument', 'tree_size'],
      ['view=full&tree_size=1234567890123456', 400, 'invalid-argument', 'tree_size'],
      [`view=full&tree_size=${size + 1}`, 404, 'not-found', `beyond the latest checkpoint (size ${size})`],
      [`view=full&tree_size=${firstSize + 1}`, 404, 'not-found', `no checkpoint of size ${firstSize + 1}`],
      ['view=full&page_size=101', 400, 'invalid-argument', 'page_size'],
      ['view=full&page_size=1000', 400, 'invalid-argument', 'page_size'],
      ['view=full&page_size=-5', 400, 'invalid-argument', 'page_size'],
      ['view=full&page_token=zz', 400, 'invalid-argument', 'page_token'],
      ['view=full&start_index=4&end_index=4', 400, 'invalid-argument', 'start_index'],
      ['view=full&start_index=9&end_index=3', 400, 'invalid-argument', 'start_index'],
      ['start_index=-1', 400, 'invalid-argument', 'start_index'],
      ['start_index=0x10', 400, 'invalid-argument', 'start_index'],
      ['end_index=1e3', 400, 'invalid-argument', 'end_index'],
      ['end_index=99999999999999999999', 400, 'invalid-argument', 'end_index'],
      ['view=full&start_index=1&start_index=2', 400, 'invalid-argument', 'start_index'],
      ['view=full&with_proofs=true', 400, 'unknown-field', 'with_proofs'],
    ];
    for (const [q, status, code, detail] of cases) {
      expect({ q, ...(await restError(c.request('GET', `/v1/audit/records?${q}`))) }).toMatchObject({ q, status, code, detail: containing(detail) });
    }
    // An empty range inside bounds is a page of no records (and the checkpoint), not an error.
    expect(await auditor.listWithProofs({ startIndex: size + 10, endIndex: size + 20 })).toMatchObject({ items: [], nextPageToken: '', checkpoint: { size: String(size) } });

    const grpcCases: [object, grpc.status, string][] = [
      [{ view: 'FULL' }, grpc.status.INVALID_ARGUMENT, 'view'],
      [{ treeSize: 3 }, grpc.status.INVALID_ARGUMENT, 'tree_size'],
      [{ view: 'full', treeSize: size + 1 }, grpc.status.NOT_FOUND, 'tree_size'],
      [{ view: 'full', pageSize: 101 }, grpc.status.INVALID_ARGUMENT, 'page_size'],
      [{ view: 'full', pageSize: -1 }, grpc.status.INVALID_ARGUMENT, 'page_size'],
      [{ view: 'full', startIndex: 9, endIndex: 3 }, grpc.status.INVALID_ARGUMENT, 'start_index'],
      [{ view: 'full', treeSize: '9007199254740993' }, grpc.status.INVALID_ARGUMENT, 'tree_size'],
    ];
    for (const [body, code, field] of grpcCases) {
      const e = await rpc('auditor', 'ListAuditRecords', custody.v1.ListAuditRecordsRequest, custody.v1.ListAuditRecordsResponse, body).then(
        () => undefined,
        (x: unknown) => x as grpc.ServiceError,
      );
      expect({ body, code: e?.code, message: e?.details }).toEqual({ body, code, message: containing(field) });
    }
  });

  it('serves the latest cosigned checkpoint and consistency proofs between two sizes', async () => {
    const cp = await auditor.checkpoint();
    expect(cp.size).toBe(String(size));
    const proof = await auditor.consistency(firstSize, size);
    expect(() => verifyConsistency(firstSize, size, proof.proof.map((h) => decodeBase64Strict('proof', h)), firstRoot, decodeBase64Strict('root', cp.rootHash))).not.toThrow();
    const viaGrpc = await rpc('auditor', 'GetConsistencyProof', custody.v1.GetConsistencyProofRequest, custody.v1.ConsistencyProof, { firstSize });
    expect(viaGrpc).toEqual(proof);
    expect(await rpc('auditor', 'GetLatestCheckpoint', custody.v1.GetLatestCheckpointRequest, custody.v1.AuditCheckpoint, {})).toEqual(cp);
    expect(await restError(auditor.consistency(1, size - 1))).toMatchObject({ status: 404, code: 'not-found', detail: containing('second_size') });
  });

  it('exports a range as a file `custody audit verify` accepts (and a tampered one it refuses)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-api-'));
    const verify = (file: string) => runAuditVerify({ file, logKey, witnessKeys: [witnessKey], witnessQuorum: 1, approverKeys: [] }).report;
    const first = join(dir, 'export-first.jsonl');
    writeFileSync(first, await auditor.export(firstSize));
    expect(verify(first)).toMatchObject({ ok: true, size: firstSize });
    const viaGrpc = await rpc('auditor', 'ExportAuditLog', custody.v1.ExportAuditLogRequest, custody.v1.AuditExport, { size: firstSize });
    expect(viaGrpc.content).toBe(await auditor.export(firstSize));
    const lines = (await auditor.export()).split('\n');
    const row = JSON.parse(lines[2]!) as { index: number; record: string };
    const other = JSON.parse(lines[3]!) as { index: number; record: string };
    lines[2] = JSON.stringify({ index: row.index, record: other.record });
    const tampered = join(dir, 'tampered.jsonl');
    writeFileSync(tampered, lines.join('\n'));
    expect(verify(tampered).ok).toBe(false);
  });

  it('the CLI: `custody audit list` prints a table as the auditor; `custody audit export --out` writes the file `custody audit verify` accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
    const seed = randomBytes(32);
    writeFileSync(join(dir, 'auditor.client-seed'), seed.toString('hex') + '\n', { mode: 0o600 });
    const admin = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: gateway.admin, attempts: 1 });
    await admin.createClient({ clientId: 'dev-auditor', publicKey: Buffer.from(ed25519.getPublicKey(seed)).toString('hex'), roles: ['auditor'] });
    const cli = async (args: string[]) => (await run(process.execPath, [CUSTODY_BIN, ...args, '--as', 'auditor', '--gateway', gateway.baseUrl, '--secrets-dir', dir], { encoding: 'utf8' })).stdout;
    const table = (await cli(['audit', 'list', '--request-id', P])).split('\n');
    expect(table[0]).toMatch(/^INDEX +TIME +TYPE +ACTOR +REQUEST +WALLET$/);
    expect(table.slice(1).filter((l) => l !== '').map((l) => l.split(/ +/)[2])).toEqual(['policy-proposal', 'policy-approval', 'policy-activation']);
    const file = join(dir, 'export.jsonl');
    await cli(['audit', 'export', '--out', file]);
    // The log holds this file's records and the gateway's own (its state-changing requests and API-client changes).
    expect(await verifyCli(file)).toMatchObject({ status: 0, output: expect.stringMatching(/records[\s\S]*policy-activation: 1[\s\S]*OK/) as string });
  });

  it('downloads the proof bundles of a policy change and of a withdrawal; each verifies offline (C2SP tlog-proof)', async () => {
    for (const [subject, indexes] of [[`policies/${P}`, [idx[0], idx[1], idx[4]]], [`withdrawals/${WD}`, [idx[2], idx[3]]]] as const) {
      const bundle = await auditor.bundle(subject);
      expect(bundle.proofs.map((p) => Number(p.record.index))).toEqual(indexes);
      for (const p of bundle.proofs) {
        const parsed = parseTlogProof(p.tlogProof);
        expect(Buffer.from(parsed.extra!).toString('base64')).toBe(p.record.canonical);
        const verified = verifyTlogProof(p.tlogProof, hashLeaf(parsed.extra!), { origin: ORIGIN, logVerifier: verifierFromKey(logKey), witnessVerifiers: [witnessVerifier], witnessQuorum: 1 });
        expect(verified.witnesses).toHaveLength(1);
      }
    }
    const viaGrpc = await rpc('auditor', 'GetProofBundle', custody.v1.GetProofBundleRequest, custody.v1.ProofBundle, { subject: `withdrawals/${WD}` });
    const viaRest = await auditor.bundle(`withdrawals/${WD}`);
    expect(viaGrpc).toEqual({ ...viaRest, proofs: viaRest.proofs.map((p) => ({ ...p, record: withGrpcDefaults(p.record) })) });
    expect(await restError(auditor.bundle('withdrawals/never-made'))).toMatchObject({ status: 404, code: 'not-found' });
  });

  it('refuses malformed input with 400 naming the field, on both transports', async () => {
    const c = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: byRole.get('auditor')!, attempts: 1 });
    const cases: [string, string, string][] = [
      ['/v1/audit/records?type=bogus', 'invalid-argument', 'type'],
      ['/v1/audit/records?start_time=yesterday', 'invalid-argument', 'start_time'],
      ['/v1/audit/records?page_token=zz', 'invalid-argument', 'page_token'],
      ['/v1/audit/records?page_size=1000', 'invalid-argument', 'page_size'],
      ['/v1/audit/records?colour=red', 'unknown-field', 'colour'],
      ['/v1/audit/records/abc', 'invalid-argument', 'recordIndex'],
      ['/v1/audit/consistency-proof?first_size=0', 'invalid-argument', 'first_size'],
      ['/v1/audit/consistency-proof?first_size=x', 'invalid-argument', 'first_size'],
      ['/v1/audit/export?size=-1', 'invalid-argument', 'size'],
      ['/v1/audit/proof-bundle', 'invalid-argument', 'subject'],
      ['/v1/audit/proof-bundle?subject=wallets/w-1', 'invalid-argument', 'subject'],
    ];
    for (const [path, code, field] of cases) expect({ path, ...(await restError(c.request('GET', path))) }).toMatchObject({ path, status: 400, code, detail: containing(field) });
    const e = await rpc('auditor', 'GetAuditRecord', custody.v1.GetAuditRecordRequest, custody.v1.AuditRecordProof, { name: 'records/1' }).catch((x: unknown) => x as grpc.ServiceError);
    expect({ code: (e as grpc.ServiceError).code, message: (e as grpc.ServiceError).details }).toEqual({ code: grpc.status.INVALID_ARGUMENT, message: containing('name') });
  });

  it('refuses every policy, approval, address-book and audit method to each role it does not name (403 / PERMISSION_DENIED); only the auditor reads the log', async () => {
    const methods = API_METHODS.filter((m) => ['PolicyService', 'ApprovalService', 'AddressBookService', 'AuditService'].includes(m.service));
    expect(methods.filter((m) => m.service === 'AuditService').every((m) => m.roles.length === 1 && m.roles[0] === 'auditor')).toBe(true);
    for (const role of ROLES) {
      const key = byRole.get(role)!;
      const client = new CustodyGrpcClient(gateway.grpcAddress, key);
      grpcs.push(client);
      for (const m of methods) {
        const allowed = (m.roles as readonly string[]).includes(role);
        const url = `${gateway.baseUrl}${m.path.replace(/:([A-Za-z]+)/g, '1')}`;
        const body = m.http === 'POST' ? Buffer.from('{}') : Buffer.alloc(0);
        const headers = await signatureHeaders(m.http, url, body, key, Math.floor(Date.now() / 1000));
        if (m.http === 'POST') Object.assign(headers, { 'content-type': 'application/json', 'idempotency-key': `"${randomUUID()}"` });
        const response = await fetch(url, { method: m.http, headers, body: body.length ? body : undefined });
        const problem = response.ok ? { code: 'ok' } : ((await response.json()) as { code: string });
        const refused = response.status === 403 && problem.code === 'permission-denied';
        expect({ role, method: m.method, refused }).toEqual({ role, method: m.method, refused: !allowed });

        const error = await client.call(`/custody.v1.${m.service}/${m.method}`, Buffer.alloc(0), (b) => b, { idempotencyKey: randomUUID() }).then(
          () => undefined,
          (e: grpc.ServiceError) => e,
        );
        expect({ role, method: m.method, denied: error?.code === grpc.status.PERMISSION_DENIED }).toEqual({ role, method: m.method, denied: !allowed });
      }
    }
  });
});
