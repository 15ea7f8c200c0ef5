import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { KeyEncryptionKey, openShare, sealedShareFromJson, VaultError } from '@custody/key-vault';
import { generateIdentity, sealEnvelope } from '@custody/peer-auth';
import { signerDatabaseUrl } from '@custody/persistence';
import { SignerCallError, type KeyInfo } from '@custody/signer-client';
import { PeerClient } from '../../apps/signer/src/peer/peer-client';
import { approverKeysEnv, makeTestGrant, startSignerCluster, testApprovers, type SignerCluster } from '@custody/testing';

async function failure(call: Promise<unknown>): Promise<SignerCallError> {
  const error: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SignerCallError);
  return error as SignerCallError;
}

async function query<T>(url: URL, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Signers that stop, crash, receive garbage, or start with the wrong key-encryption key. */
describe('signer network under faults (e2e)', () => {
  const approvers = testApprovers(1);
  let signers: SignerCluster;
  let ed: KeyInfo;
  let ec: KeyInfo;
  const grant = (key: KeyInfo) =>
    makeTestGrant({ engineSeedFile: signers.secrets.policyEngine.seedFile, approvers, keyId: key.keyId, scheme: key.scheme, message: randomBytes(32) });

  beforeAll(async () => {
    signers = await startSignerCluster(3, { APPROVER_KEYS: approverKeysEnv(approvers), SIGNER_PRESIGN_POOL_SIZE: '0', SIGNER_NONCE_POOL_SIZE: '2', SIGNER_SESSION_TIMEOUT_MS: '8000' });
    ed = await signers.client(1).createKey('eddsa', 2, [1, 2, 3]);
    ec = await signers.client(1).createKey('ecdsa', 2, [1, 2, 3], 120_000);
  }, 240_000);

  afterAll(async () => {
    await signers?.destroy();
  }, 60_000);

  it('keeps shares unreadable without the key-encryption key (raw rows)', async () => {
    const url = signerDatabaseUrl(signers.databaseUrl, 1);
    const rows = await query<{ key_id: string; generation: number; sealed: object }>(url, `SELECT key_id, generation, sealed FROM signer.key_shares`);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const kek = KeyEncryptionKey.fromFileContents(fs.readFileSync(signers.secrets.signers.get(1)!.kekFile, 'utf8'));
    for (const row of rows) {
      const sealed = sealedShareFromJson(JSON.stringify(row.sealed));
      const context = { keyId: `${row.key_id}.g${row.generation}`, signerId: 1, scheme: row.key_id === ed.keyId ? ('eddsa' as const) : ('ecdsa' as const) };
      const plaintext = Buffer.from(openShare(kek, sealed, context));
      // The share opens with the node's KEK, and no part of it is in the stored row.
      expect(plaintext.length).toBeGreaterThan(32);
      const raw = JSON.stringify(row.sealed);
      for (let i = 0; i + 16 <= plaintext.length; i += 16) {
        expect(raw).not.toContain(plaintext.subarray(i, i + 16).toString('hex'));
        expect(raw).not.toContain(plaintext.subarray(i, i + 16).toString('base64'));
      }
      expect(() => openShare(KeyEncryptionKey.fromBytes(randomBytes(32)), sealed, context)).toThrow(VaultError);
    }
  });

  it('refuses garbled, forged and unknown peer messages and keeps serving', async () => {
    const peer = new PeerClient(`127.0.0.1:${signers.specs[0]!.grpcPort}`);
    const stranger = generateIdentity();
    const forged = sealEnvelope({ from: { id: 2, identity: stranger }, to: 'broadcast', sessionId: randomBytes(32), round: 'p1', payload: randomBytes(64) });
    const unknown = sealEnvelope({ from: { id: 9, identity: stranger }, to: 'broadcast', sessionId: randomBytes(32), round: 'p1', payload: randomBytes(64) });
    const garbled = { ...forged, version: 1, sessionId: randomBytes(3), signature: randomBytes(5), payload: randomBytes(1000) };
    for (const envelope of [forged, unknown, garbled]) await peer.deliver(envelope, 5000);
    const reply = await peer.invite(forged, 5000);
    expect(reply.accepted).toBe(false);
    peer.close();
    const g = grant(ed);
    await expect(signers.client(1).sign(g.grant, [1, 2], g.signingInput)).resolves.toMatchObject({ requestId: g.request.requestId });
    const log = signers.cluster.output('signer-1').join('\n');
    expect(log).toMatch(/peer message dropped.*|"reason":"bad-signature"/);
    expect(log).toContain('"reason":"bad-signature"');
  });

  it('signs with one signer down, and names the missing signers when two are down', async () => {
    await signers.stop(3);
    const g = grant(ed);
    await expect(signers.client(1).sign(g.grant, [1, 2], g.signingInput)).resolves.toBeDefined();
    const e = grant(ec);
    await expect(signers.client(2).sign(e.grant, [1, 2], e.signingInput, 60_000)).resolves.toBeDefined();

    await signers.stop(2);
    const started = Date.now();
    const h = grant(ed);
    const error = await failure(signers.client(1).sign(h.grant, [1, 2, 3], h.signingInput));
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(error.details).toMatch(/signers 2,3/);
    expect(error.details).toMatch(/signer 2: unreachable/);
    expect(error.details).toMatch(/signer 3: unreachable/);
    // The same request runs once a quorum is back.
    await signers.restart(2);
    await expect(signers.client(1).sign(h.grant, [1, 2], h.signingInput)).resolves.toMatchObject({ requestId: h.request.requestId });
    await signers.restart(3);
  }, 120_000);

  it('survives a signer killed in the middle of a session, and never uses a one-time value twice', async () => {
    const g = grant(ec);
    const pending = failure(signers.client(1).sign(g.grant, [1, 2], g.signingInput, 8000));
    // Presigning inside the session takes ~1 s here; kill well inside it (an earlier kill fails the invitation, also naming signer 2).
    await new Promise((resolve) => setTimeout(resolve, 200));
    signers.kill(2);
    const error = await pending;
    expect(error.details).toMatch(/signer 2|signers 2/);
    await signers.restart(2);
    const next = grant(ec);
    await expect(signers.client(2).sign(next.grant, [1, 2], next.signingInput, 60_000)).resolves.toBeDefined();
    const nextEd = grant(ed);
    await expect(signers.client(2).sign(nextEd.grant, [2, 3], nextEd.signingInput)).resolves.toBeDefined();
    for (const id of [1, 2, 3]) {
      const url = signerDatabaseUrl(signers.databaseUrl, id);
      // Every consumed value had its secret erased when it was consumed, by exactly one session.
      const leaked = await query<{ n: string }>(url, `SELECT count(*) AS n FROM signer.one_time_values WHERE consumed_at IS NOT NULL AND sealed <> '{}'::jsonb`);
      expect(Number(leaked[0]!.n)).toBe(0);
      const twice = await query<{ n: string }>(url, `SELECT count(*) AS n FROM (SELECT consumed_by FROM signer.one_time_values WHERE consumed_by IS NOT NULL GROUP BY consumed_by HAVING count(*) > 1) t`);
      expect(Number(twice[0]!.n)).toBe(0);
      const interrupted = await query<{ status: string }>(url, `SELECT status FROM signer.signed_requests WHERE request_id = '${g.request.requestId}'`);
      for (const row of interrupted) expect(row.status).toBe('failed');
    }
  }, 120_000);

  it('fails closed at start-up with the wrong key-encryption key', async () => {
    await signers.stop(3);
    const result = await signers.startWithEnv(3, { SIGNER_KEK_FILE: '', SIGNER_KEK: randomBytes(32).toString('hex') });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('SIGNER_KEK is not the key these shares were sealed with');
    await signers.restart(3);
  }, 60_000);
});
