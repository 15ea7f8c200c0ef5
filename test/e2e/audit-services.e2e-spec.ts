import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { DataSource } from 'typeorm';
import { connectPostgres } from '@custody/persistence';
import { approvalMessage, BOOTSTRAP_FORMAT, POLICY_FORMAT, policyHash } from '@custody/policy-core';
import { decodeSignGrant, requestDigest, signingInput, signRequestToJson, type SignRequest } from '@custody/sign-grant';
import { SignerCallError, type KeyInfo } from '@custody/signer-client';
import { startPolicyEngine, startSignerCluster, testPrincipal, type PolicyEngineProcess, type SignerCluster, type TestPrincipal } from '@custody/testing';
import { AuditCheckpointer, AuditLogStore, type WitnessEndpoint } from '@custody/audit-log';
import { decodeRecord, encodeRecord, type AuditRecord } from '@custody/audit-core';
import { ed25519NoteSigner, formatVerifierKey, verifierFromKey } from '@custody/transparency-log';
import { runAuditVerify } from '../../apps/cli/src/commands/audit.command';

/**
 * The services write the audit log: a real policy engine and three real signers (writing to the
 * engine's database, AUDIT_DATABASE_URL) record each action; the checkpointer has the signers
 * cosign; `custody audit verify` passes on the export of the real flow (client request → policy →
 * approvals → grant → signing session → signature) and catches a record changed in the database;
 * an action whose audit record cannot be written does not happen.
 */
jest.setTimeout(180_000);

const ORIGIN = 'custody.test/audit-services';
const approvers = ['ap-1', 'ap-2'].map(testPrincipal) as [TestPrincipal, TestPrincipal];
const admin = testPrincipal('adm-1');
const bootstrap = {
  format: BOOTSTRAP_FORMAT,
  admins: { members: ['adm-1'], quorum: 1 },
  keys: Object.fromEntries([admin, ...approvers].map((p) => [p.id, p.publicKeyHex])),
  policy: {
    format: POLICY_FORMAT,
    metadata: { name: 'audit services test' },
    approverGroups: { treasury: { members: ['ap-1', 'ap-2'] } },
    rules: [
      {
        id: 'two-approvals',
        match: { operation: ['message-signing'] },
        action: { type: 'require-approvals', combinator: 'all-of', groups: [{ group: 'treasury', quorum: 2 }], expiry: '1h', allowSelfApproval: false },
      },
    ],
  },
};

interface DecisionResponse {
  outcome: string;
  status: string;
  policyVersion: number;
  policyHash: string;
  grantJson: string;
  requestDigestHex: string;
}

describe('the services write the audit log (e2e)', () => {
  const logSeed = randomBytes(32);
  const logKey = formatVerifierKey(ORIGIN, 0x01, ed25519.getPublicKey(logSeed));
  let engine: PolicyEngineProcess;
  let signers: SignerCluster;
  let ds: DataSource;
  let store: AuditLogStore;
  let checkpointer: AuditCheckpointer;
  let witnessKeys: string[];
  let key: KeyInfo;

  beforeAll(async () => {
    engine = await startPolicyEngine({ bootstrap });
    signers = await startSignerCluster(3, {
      APPROVER_KEYS: JSON.stringify(Object.fromEntries(approvers.map((a) => [a.id, a.publicKeyHex]))),
      SIGNER_MIN_APPROVALS: '2',
      SIGNER_PRESIGN_POOL_SIZE: '0',
      SIGNER_NONCE_POOL_SIZE: '2',
      POLICY_ENGINE_PUBLIC_KEY: engine.enginePublicKeyHex,
      AUDIT_DATABASE_URL: engine.databaseUrl.toString(),
      AUDIT_LOG_KEY: logKey,
      WITNESS_GRANT_BOUND_MS: '0',
    });
    ds = await connectPostgres(engine.databaseUrl, { poolSize: 4 });
    store = new AuditLogStore(ds, ORIGIN, ed25519NoteSigner(ORIGIN, logSeed), verifierFromKey(logKey));
    witnessKeys = await Promise.all([1, 2, 3].map(async (id) => (await signers.client(id).getWitness()).verifierKey));
    const endpoints: WitnessEndpoint[] = [1, 2, 3].map((id, i) => ({
      verifier: verifierFromKey(witnessKeys[i]!),
      addCheckpoint: (req) => signers.client(id).addCheckpoint(req),
      cosignedSize: async () => (await signers.client(id).getWitness()).cosignedSize,
    }));
    checkpointer = new AuditCheckpointer(store, endpoints, 2);
    key = await signers.client(1).createKey('eddsa', 2, [1, 2, 3]);
  });

  afterAll(async () => {
    await ds?.destroy();
    await signers?.destroy();
    await engine?.stop();
  });

  async function records(): Promise<{ type: string; requestId: string | null; record: AuditRecord }[]> {
    const rows = (await ds.query('SELECT body FROM audit.records ORDER BY idx')) as { body: Buffer }[];
    const pending = (await ds.query('SELECT body FROM audit.pending ORDER BY id')) as { body: Buffer }[];
    return [...rows, ...pending].map((r) => {
      const record = decodeRecord(new Uint8Array(r.body));
      return { type: record.type, requestId: record.requestId, record };
    });
  }

  async function approvedGrant(message: Uint8Array): Promise<{ requestId: string; grantJson: string }> {
    const requestId = `msg-${bytesToHex(randomBytes(6))}`;
    const request: SignRequest = { requestId, keyId: key.keyId, scheme: 'eddsa', derivationPath: [], payload: { kind: 'message', message, hash: 'none' } };
    const d = await engine.call<DecisionResponse>('Evaluate', { request: { requestId, operation: 'message-signing', initiatorId: 'client-1', signRequestJson: JSON.stringify(signRequestToJson(request)) } });
    let last = d;
    for (const a of approvers) {
      const policySig = ed25519.sign(approvalMessage({ requestId, requestDigest: hexToBytes(d.requestDigestHex), policyVersion: d.policyVersion, policyHash: d.policyHash, decision: 'approve' }), a.seed);
      last = await engine.call<DecisionResponse>('SubmitApproval', { requestId, approverId: a.id, decision: 'approve', signature: policySig, grantSignature: ed25519.sign(requestDigest(request), a.seed) });
    }
    expect(last).toMatchObject({ outcome: 'allow', status: 'allowed' });
    return { requestId, grantJson: last.grantJson };
  }

  it('the engine records its bootstrap activation and the signer its key generation', async () => {
    const all = await records();
    const activation = all.find((r) => r.type === 'policy-activation');
    expect(activation?.record.body).toMatchObject({ kind: 'bootstrap', version: 1, contentHash: policyHash(bootstrap.policy as never) });
    const keygen = all.filter((r) => r.type === 'key-generation');
    expect(keygen.map((r) => r.record.body)).toEqual([expect.objectContaining({ keyId: key.keyId, scheme: 'eddsa', threshold: 2, participants: [1, 2, 3], publicKey: bytesToHex(key.publicKey) })]);
    expect(keygen[0]!.record.actor).toBe('service:signer-1');
  });

  it('a real flow (evaluation → approvals → grant → signing) is recorded, witnessed, and passes custody audit verify; a changed record fails it', async () => {
    const message = randomBytes(32);
    const { requestId, grantJson } = await approvedGrant(message);
    const grant = decodeSignGrant(grantJson);
    const result = await signers.client(2).sign(new TextEncoder().encode(grantJson), [2, 3], signingInput(grant.request.payload, 'eddsa'));
    const mine = (await records()).filter((r) => r.requestId === requestId);
    expect(mine.map((r) => r.type)).toEqual(['evaluation', 'request-approval', 'evaluation', 'request-approval', 'evaluation', 'sign-grant', 'signing-session']);
    expect(mine[0]!.record.body).toMatchObject({ status: 'pending-approval', policyVersion: 1, policyHash: policyHash(bootstrap.policy as never) });
    expect(mine[0]!.record.body.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(mine[6]!.record.body).toMatchObject({ outcome: 'signed', participants: [2, 3], signature: bytesToHex(result.signature) });

    const round = await checkpointer.checkpointNow();
    expect(round.refused).toEqual([]);
    expect(round.cosigned).toHaveLength(3);
    expect(await store.pendingCount()).toBe(0);

    const dir = mkdtempSync(join(tmpdir(), 'audit-services-'));
    const file = join(dir, 'export.jsonl');
    writeFileSync(file, await store.exportLatest());
    const args = { file, logKey, witnessKeys, approverKeys: approvers.map((a) => `${a.id}=${a.publicKeyHex}`), engineKey: engine.enginePublicKeyHex };
    const ok = runAuditVerify(args);
    expect(ok.report.failure).toBeNull();
    expect(ok.report.chains.map((c) => [c.requestId, c.checked])).toEqual([[requestId, ['grant', 'engine-signature', 'approvals', 'signature']]]);

    // A superuser changes the signing session's record (triggers off): the export no longer verifies.
    const [{ idx, body: original }] = (await ds.query("SELECT idx, body FROM audit.records WHERE type = 'signing-session' AND request_id = $1", [requestId])) as [{ idx: string; body: Buffer }];
    const session = mine[6]!.record;
    const forged = encodeRecord({ ...session, body: { ...session.body, participants: [1, 3] } });
    const put = (bytes: Uint8Array) =>
      ds.transaction(async (tx) => {
        await tx.query('SET LOCAL session_replication_role = replica');
        await tx.query('UPDATE audit.records SET body = $1 WHERE idx = $2', [Buffer.from(bytes), idx]);
      });
    await put(forged);
    writeFileSync(file, await store.exportLatest());
    expect(runAuditVerify(args).report.failure).toMatch(/tree: the root recomputed/);
    await put(original);
    writeFileSync(file, await store.exportLatest());
    expect(runAuditVerify(args).report.failure).toBeNull();
  });

  describe('an action whose audit record cannot be written does not happen', () => {
    async function refuse(type: string): Promise<void> {
      await ds.query(`CREATE OR REPLACE FUNCTION public.test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.type = '${type}' THEN RAISE EXCEPTION 'test: audit write refused'; END IF; RETURN NEW; END $$`);
      await ds.query('CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit.pending FOR EACH ROW EXECUTE FUNCTION public.test_refuse_audit()');
    }
    afterEach(async () => {
      await ds.query('DROP TRIGGER IF EXISTS test_refuse_audit ON audit.pending');
    });

    it('the engine: no evaluation is stored without its record', async () => {
      await refuse('evaluation');
      const requestId = `msg-${bytesToHex(randomBytes(6))}`;
      await expect(engine.call('Evaluate', { request: { requestId, operation: 'message-signing', initiatorId: 'client-1' } })).rejects.toThrow();
      expect(await ds.query('SELECT count(*)::int AS n FROM policy.requests WHERE request_id = $1', [requestId])).toEqual([{ n: 0 }]);
    });

    it('the engine: no grant is issued without its record', async () => {
      const before = (await ds.query('SELECT count(*)::int AS n FROM policy.grants')) as [{ n: number }];
      await refuse('sign-grant');
      await expect(approvedGrant(randomBytes(16))).rejects.toThrow();
      expect(await ds.query('SELECT count(*)::int AS n FROM policy.grants')).toEqual(before);
    });

    it('the signer: no signature is released without the session record', async () => {
      await ds.query('DROP TRIGGER IF EXISTS test_refuse_audit ON audit.pending');
      const { grantJson, requestId } = await approvedGrant(randomBytes(24));
      await refuse('signing-session');
      const grant = decodeSignGrant(grantJson);
      const e: unknown = await signers.client(1).sign(new TextEncoder().encode(grantJson), [1, 3], signingInput(grant.request.payload, 'eddsa')).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(SignerCallError);
      expect((await records()).filter((r) => r.requestId === requestId && r.type === 'signing-session')).toEqual([]);
    });
  });
});
