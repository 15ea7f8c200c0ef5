import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { DataSource } from 'typeorm';
import { connectPostgres, ensureDatabase, runMigrationSet, signerDatabaseUrl } from '@custody/persistence';
import { MIGRATION_SETS } from '@custody/migrations';
import { SignerCallError, type KeyInfo } from '@custody/signer-client';
import { approverKeysEnv, makeTestGrant, startSignerCluster, testApprovers, uniqueTestDatabase, type SignerCluster } from '@custody/testing';
import { decodeSignGrant } from '@custody/sign-grant';
import { grantRecord, verifyExport, type AuditRecord } from '@custody/audit-core';
import { AuditCheckpointer, AuditLogStore, appendAuditRecords, type WitnessEndpoint } from '@custody/audit-log';
import {
  consistencyProof,
  ed25519NoteSigner,
  formatCheckpoint,
  formatVerifierKey,
  hashLeaf,
  memoryAccessor,
  rootHash,
  signNote,
  verifierFromKey,
} from '@custody/transparency-log';
import { clearWitnessAlarms } from '../../apps/cli/src/commands/witness.command';
import { independentVerifier, nodeEd25519Verify } from '../../apps/cli/src/commands/audit.command';

const ORIGIN = 'custody.test/audit';

/**
 * Three real signer processes as witnesses of a real audit log on Postgres: they cosign an honest
 * log; the one that signed a grant the log leaves out refuses, keeps the evidence and stops signing
 * until cleared; a second history (fork) is refused with the evidence kept.
 */
describe('signers as witnesses of the audit log (e2e)', () => {
  const approvers = testApprovers(2);
  const logSeed = randomBytes(32);
  const logKey = formatVerifierKey(ORIGIN, 0x01, ed25519.getPublicKey(logSeed));
  const auditDb = uniqueTestDatabase('audit_witness');
  let ds: DataSource;
  let store: AuditLogStore;
  let signers: SignerCluster;
  let key: KeyInfo;
  const cosigned = new Map<number, number>(); // signer id → size it last cosigned

  beforeAll(async () => {
    await ensureDatabase(auditDb.url);
    await runMigrationSet(auditDb.url, MIGRATION_SETS.find((s) => s.owner === 'audit')!);
    ds = await connectPostgres(auditDb.url, { poolSize: 4 });
    store = new AuditLogStore(ds, ORIGIN, ed25519NoteSigner(ORIGIN, logSeed), verifierFromKey(logKey));
    // Bound 0: every grant a signer signed is due at its next cosignature (no clock in the assertions).
    signers = await startSignerCluster(3, { APPROVER_KEYS: approverKeysEnv(approvers), SIGNER_MIN_APPROVALS: '2', AUDIT_LOG_KEY: logKey, WITNESS_GRANT_BOUND_MS: '0' });
    key = await signers.client(1).createKey('eddsa', 2, [1, 2, 3]);
  }, 180_000);

  afterAll(async () => {
    await signers?.destroy();
    await ds?.destroy();
    await auditDb.drop();
  }, 60_000);

  /** Signs through signer `a` with [a, b] and returns the records the policy engine and signers would log. */
  async function signed(a: number, b: number): Promise<{ grant: AuditRecord; session: AuditRecord }> {
    const g = makeTestGrant({ engineSeedFile: signers.secrets.policyEngine.seedFile, approvers, keyId: key.keyId, scheme: 'eddsa', message: randomBytes(32) });
    const result = await signers.client(a).sign(g.grant, [a, b], g.signingInput);
    const grant = decodeSignGrant(new TextDecoder().decode(g.grant));
    const session: AuditRecord = {
      version: 1,
      type: 'signing-session',
      occurredAt: grant.issuedAt,
      actor: `service:signer-${a}`,
      requestId: grant.request.requestId,
      wallet: key.keyId,
      body: { outcome: 'signed', scheme: 'eddsa', keyId: key.keyId, participants: [a, b], signature: Buffer.from(result.signature).toString('hex'), publicKey: Buffer.from(result.publicKey).toString('hex') },
    };
    return { grant: grantRecord(grant), session };
  }

  async function askWitness(id: number): Promise<string> {
    const req = await store.witnessRequest(cosigned.get(id) ?? 0);
    const line = await signers.client(id).addCheckpoint(req);
    const cp = (await store.latestCheckpoint())!;
    await store.addCosignature(cp.size, verifierFromKey((await signers.client(id).getWitness()).verifierKey), line);
    cosigned.set(id, cp.size);
    return line;
  }

  async function refusal(call: Promise<unknown>): Promise<string> {
    const e: unknown = await call.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(SignerCallError);
    return (e as SignerCallError).details;
  }

  async function evidence(id: number): Promise<{ kind: string; cleared_at: Date | null }[]> {
    const sds = await connectPostgres(signerDatabaseUrl(signers.databaseUrl, id), { poolSize: 1 });
    try {
      return (await sds.query('SELECT kind, cleared_at FROM signer.witness_evidence ORDER BY id')) as { kind: string; cleared_at: Date | null }[];
    } finally {
      await sds.destroy();
    }
  }

  it('every witness cosigns an honest log; the export verifies offline with the whole chain', async () => {
    const one = await signed(1, 2);
    await ds.transaction((tx) => appendAuditRecords(tx, [one.grant, one.session]));
    await store.integrate();
    for (const id of [1, 2, 3]) await askWitness(id);
    const witnessVerifiers = await Promise.all([1, 2, 3].map(async (id) => verifierFromKey((await signers.client(id).getWitness()).verifierKey)));
    const engine = new Uint8Array(Buffer.from(readFileSync(signers.secrets.policyEngine.seedFile, 'utf8').trim(), 'hex'));
    const report = verifyExport(await store.exportLatest(), {
      logVerifier: verifierFromKey(logKey),
      witnessVerifiers,
      chain: {
        enginePublicKey: ed25519.getPublicKey(engine),
        approverKeys: new Map(approvers.map((a) => [a.id, new Uint8Array(Buffer.from(a.publicKeyHex, 'hex'))])),
        verifyEd25519: nodeEd25519Verify,
        verifySignature: independentVerifier,
      },
    });
    expect(report.failure).toBeNull();
    expect(report.witnessesCosigned).toHaveLength(3);
    expect(report.chains.map((c) => c.checked)).toEqual([['grant', 'engine-signature', 'approvals', 'signature']]);
  }, 60_000);

  it('the checkpointer issues a checkpoint and collects a quorum of cosignatures, recovering a witness whose answer was lost', async () => {
    const verifiers = await Promise.all([1, 2, 3].map(async (id) => verifierFromKey((await signers.client(id).getWitness()).verifierKey)));
    const endpoints: WitnessEndpoint[] = [1, 2, 3].map((id, i) => ({
      verifier: verifiers[i]!,
      addCheckpoint: (req) => signers.client(id).addCheckpoint(req),
      cosignedSize: async () => (await signers.client(id).getWitness()).cosignedSize,
    }));
    const checkpointer = new AuditCheckpointer(store, endpoints, 2);
    const two = await signed(2, 3);
    await ds.transaction((tx) => appendAuditRecords(tx, [two.grant, two.session]));
    const first = await checkpointer.checkpointNow();
    expect(first.refused).toEqual([]);
    expect([...first.cosigned].sort()).toEqual(verifiers.map((v) => v.name).sort());
    expect(first.witnessed).toBe(true);
    // Signer 2 cosigns the next checkpoint but the answer never reaches the log.
    const three = await signed(3, 1);
    await ds.transaction((tx) => appendAuditRecords(tx, [three.grant, three.session]));
    const cp = await store.integrate();
    await signers.client(2).addCheckpoint(await store.witnessRequest(first.checkpoint.size));
    expect(await store.lastCosignedSize(verifiers[1]!.name)).toBe(first.checkpoint.size);
    await ds.transaction((tx) => appendAuditRecords(tx, [{ ...three.session, type: 'api-request', body: { method: 'GET' } }]));
    const second = await checkpointer.checkpointNow();
    expect(second.checkpoint.size).toBe(cp.size + 1);
    expect(second.refused).toEqual([]);
    expect(second.cosigned).toHaveLength(3);
    for (const [i, id] of [1, 2, 3].entries()) {
      expect(await store.lastCosignedSize(verifiers[i]!.name)).toBe(second.checkpoint.size);
      cosigned.set(id, second.checkpoint.size);
    }
    // The stored note carries the log's signature and the three cosignatures.
    expect((await store.latestCheckpoint())!.note.split('\n— ').length - 1).toBe(4);
  }, 60_000);

  it('a log that leaves out a grant a signer signed is refused by that signer, which stops signing until cleared', async () => {
    const hidden = await signed(1, 2);
    // The log records the session but not the grant.
    await ds.transaction((tx) => appendAuditRecords(tx, [hidden.session]));
    await store.integrate();
    expect(await refusal(askWitness(1))).toMatch(/missing grant: .*(evidence \d+ kept; this signer is halted until cleared)/);
    // Signer 3 did not sign it: it cosigns.
    await askWitness(3);
    expect(await evidence(1)).toEqual([{ kind: 'missing-grant', cleared_at: null }]);
    expect((await signers.client(1).getWitness()).halted).toBe(true);
    // Halted: it coordinates nothing and accepts no invitation.
    const g = () => makeTestGrant({ engineSeedFile: signers.secrets.policyEngine.seedFile, approvers, keyId: key.keyId, scheme: 'eddsa', message: randomBytes(32) });
    const a = g();
    expect(await refusal(signers.client(1).sign(a.grant, [1, 3], a.signingInput))).toMatch(/witness alarm/);
    const b = g();
    expect(await refusal(signers.client(3).sign(b.grant, [3, 1], b.signingInput))).toMatch(/witness alarm/);
    // Signer 3 with signer 2 still signs: the alarm is signer 1's.
    const c = g();
    await signers.client(3).sign(c.grant, [3, 2], c.signingInput);
    // The operator clears it; the evidence stays; signer 1 signs again.
    expect(await clearWitnessAlarms(signerDatabaseUrl(signers.databaseUrl, 1), 'ops.alice')).toEqual({ cleared: 1, waivedGrants: 1 });
    expect((await evidence(1))[0]!.cleared_at).not.toBeNull();
    expect((await signers.client(1).getWitness()).halted).toBe(false);
    const d = g();
    await signers.client(1).sign(d.grant, [1, 3], d.signingInput);
  }, 90_000);

  it('a log that presents a fork is refused with the evidence kept', async () => {
    const size = cosigned.get(3)!;
    // The log operator signs a second history: the same size + 1 records, the first one changed.
    const honest = await store.records(0, size);
    const forkLeaves = honest.map((r) => r.leafHash);
    forkLeaves[0] = hashLeaf(new TextEncoder().encode('another history'));
    forkLeaves.push(hashLeaf(new TextEncoder().encode('one more')));
    const nodes = memoryAccessor(forkLeaves);
    const note = signNote(formatCheckpoint({ origin: ORIGIN, size: size + 1, rootHash: rootHash(nodes, size + 1) }), [ed25519NoteSigner(ORIGIN, logSeed)]);
    const details = await refusal(signers.client(3).addCheckpoint({ oldSize: size, consistencyProof: consistencyProof(nodes, size, size + 1), checkpoint: note, grantInclusions: [] }));
    expect(details).toMatch(/fork: not consistent with the checkpoint of size \d+ cosigned before/);
    expect((await evidence(3)).map((e) => e.kind)).toEqual(['fork']);
    // A fork does not halt signing (nothing this signer did is hidden); a stale old size is a conflict, not evidence.
    expect((await signers.client(3).getWitness()).halted).toBe(false);
    expect(await refusal(signers.client(3).addCheckpoint({ oldSize: 0, consistencyProof: [], checkpoint: note, grantInclusions: [] }))).toMatch(/conflict: this witness last cosigned size/);
    expect(await evidence(3)).toHaveLength(1);
  }, 60_000);
});
