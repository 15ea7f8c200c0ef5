import * as crypto from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { Client } from 'pg';
import { signerDatabaseUrl } from '@custody/persistence';
import type { KeyInfo, SignResult } from '@custody/signer-client';
import { approverKeysEnv, makeTestGrant, startSignerCluster, testApprovers, type SignerCluster } from '@custody/testing';

/** node:crypto's verdict on a DER signature of sha256(message) under a compressed secp256k1 key. */
function nodeVerify(publicKey: Uint8Array, message: Uint8Array, der: Uint8Array): boolean {
  const { x, y } = secp256k1.Point.fromBytes(publicKey).toAffine();
  const b64 = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').toString('base64url');
  const key = crypto.createPublicKey({ key: { kty: 'EC', crv: 'secp256k1', x: b64(x), y: b64(y) }, format: 'jwk' });
  return crypto.verify('sha256', message, key, der);
}

const POOL_SIZE = 2;
/** Long enough for 50 sessions presigning at once on a small, shared machine. */
const SIGN_TIMEOUT_MS = 180_000;

/**
 * Three real signers, one 2-of-3 ECDSA key, a presignature pool (2 per set) far smaller than the
 * bursts. Concurrent signatures through one and through several coordinators all succeed and no
 * presignature serves two sessions; a bad signer set never gets a pool, and a failing set does not
 * hold up the others.
 */
describe('signer network, concurrent ECDSA signing and the presignature pool (e2e)', () => {
  const approvers = testApprovers(1);
  let signers: SignerCluster;
  let key: KeyInfo;
  const dbs = new Map<number, Client>();

  beforeAll(async () => {
    signers = await startSignerCluster(3, {
      APPROVER_KEYS: approverKeysEnv(approvers),
      SIGNER_PRESIGN_POOL_SIZE: String(POOL_SIZE),
      SIGNER_SESSION_TIMEOUT_MS: String(SIGN_TIMEOUT_MS),
    });
    for (const id of [1, 2, 3]) {
      const db = new Client({ connectionString: signerDatabaseUrl(signers.databaseUrl, id).toString() });
      await db.connect();
      dbs.set(id, db);
    }
    key = await signers.client(1).createKey('ecdsa', 2, [1, 2, 3], 120_000);
  }, 240_000);

  afterAll(async () => {
    for (const db of dbs.values()) await db.end();
    await signers?.destroy();
  }, 60_000);

  const db = (id: number): Client => dbs.get(id)!;

  const grant = (message: Uint8Array) =>
    makeTestGrant({ engineSeedFile: signers.secrets.policyEngine.seedFile, approvers, keyId: key.keyId, scheme: 'ecdsa', message, lifetimeMs: 10 * 60_000 });

  /** Unused presignatures signer `id` holds for the set. */
  const unused = async (id: number, set: number[]): Promise<number> => {
    const r = await db(id).query<{ n: string }>(
      `SELECT count(*) AS n FROM signer.one_time_values WHERE key_id = $1 AND kind = 'ecdsa-presignature' AND signers = $2::integer[] AND consumed_at IS NULL`,
      [key.keyId, set],
    );
    return Number(r.rows[0]!.n);
  };

  /** Presigning sessions signer `id` coordinated for the set, oldest first. */
  const presignSessions = async (id: number, set: number[]) =>
    (
      await db(id).query<{ status: string; started: Date }>(
        `SELECT status, started_at AS started FROM signer.sessions WHERE protocol = 'ecdsa-presign' AND coordinator = $1 AND participants = $2::integer[] ORDER BY started_at`,
        [id, set],
      )
    ).rows;

  const waitFor = async (what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
    const until = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };

  /** Fires every request at once; all must succeed and verify under the key (node:crypto). */
  const burst = async (requests: Array<{ coordinator: number; set: number[] }>): Promise<string[]> => {
    const jobs = requests.map(({ coordinator, set }) => {
      const message = randomBytes(32);
      const g = grant(message);
      return { message, requestId: g.request.requestId, set, result: signers.client(coordinator).sign(g.grant, set, g.signingInput, SIGN_TIMEOUT_MS) };
    });
    const settled = await Promise.allSettled(jobs.map((j) => j.result));
    const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [`#${i}: ${s.reason instanceof Error ? s.reason.message : String(s.reason)}`] : []));
    expect(failures).toEqual([]);
    settled.forEach((s, i) => {
      const result = (s as PromiseFulfilledResult<SignResult>).value;
      expect(Buffer.from(result.publicKey)).toEqual(Buffer.from(key.publicKey));
      expect(nodeVerify(result.publicKey, jobs[i]!.message, result.der)).toBe(true);
    });
    // Every signer of each request records it completed (a participant may finish just after the
    // coordinator returned), in one and the same session.
    for (const job of jobs) {
      const sessions = new Set<string>();
      for (const id of job.set) {
        const row = async () =>
          (await db(id).query<{ status: string; session: string }>(`SELECT status, encode(session_id, 'hex') AS session FROM signer.signed_requests WHERE request_id = $1`, [job.requestId])).rows;
        await waitFor(`signer ${id} to finish request ${job.requestId}`, async () => (await row())[0]?.status !== 'in-progress', 30_000);
        const rows = await row();
        expect(rows).toEqual([expect.objectContaining({ status: 'completed' })]);
        sessions.add(rows[0]!.session);
      }
      expect(sessions.size).toBe(1);
    }
    return jobs.map((j) => j.requestId);
  };

  /** Signing sessions of these requests at `coordinator` that consumed a pooled presignature. */
  const pooledSignatures = async (coordinator: number, requestIds: string[]): Promise<number> => {
    const r = await db(coordinator).query<{ n: string }>(
      `SELECT count(*) AS n FROM signer.signed_requests q JOIN signer.one_time_values v ON v.consumed_by = encode(q.session_id, 'hex') WHERE q.request_id = ANY($1)`,
      [requestIds],
    );
    return Number(r.rows[0]!.n);
  };

  it('never keeps a pool for a signer set that is not a quorum, and a valid set still fills', async () => {
    const bad = grant(randomBytes(16));
    await expect(signers.client(1).sign(bad.grant, [1], bad.signingInput, 30_000)).rejects.toThrow(/not a quorum|must list at least 2 signers/);
    const good = grant(randomBytes(16));
    await expect(signers.client(1).sign(good.grant, [1, 3], good.signingInput, 60_000)).resolves.toBeDefined();
    await waitFor(`signer 1's pool for {1,3} to fill`, async () => (await unused(1, [1, 3])) >= POOL_SIZE, 90_000);
    expect(await presignSessions(1, [1])).toEqual([]);
    expect(signers.cluster.output('signer-1').join('\n')).not.toContain('presignature pool refill failed');
  }, 180_000);

  it('backs off refilling a valid set that fails (a signer down), bounded, while another set fills', async () => {
    await signers.stop(2);
    try {
      const down = grant(randomBytes(16));
      await expect(signers.client(1).sign(down.grant, [1, 2], down.signingInput, 20_000)).rejects.toThrow(/signer 2/);
      const other = grant(randomBytes(16));
      await expect(signers.client(1).sign(other.grant, [1, 3], other.signingInput, 60_000)).resolves.toBeDefined();
      await waitFor(`signer 1's pool for {1,3} to refill`, async () => (await unused(1, [1, 3])) >= POOL_SIZE, 90_000);
      await waitFor('two failed refills of {1,2}', async () => (await presignSessions(1, [1, 2])).filter((s) => s.status === 'failed').length >= 2, 90_000);
      const attempts = await presignSessions(1, [1, 2]);
      // Bounded: at most six failures in a row, then the set waits for a signature that succeeds.
      expect(attempts.length).toBeLessThanOrEqual(6);
      // Backing off: the retry came no sooner than the first delay (5 s) after the first attempt.
      expect(attempts[1]!.started.getTime() - attempts[0]!.started.getTime()).toBeGreaterThanOrEqual(5000);
    } finally {
      await signers.restart(2);
    }
  }, 300_000);

  it('signs 50 concurrent requests through one coordinator, pool smaller than the burst; node:crypto verifies all', async () => {
    await signers.client(1).presign(key.keyId, [1, 2], POOL_SIZE, 120_000);
    const requestIds = await burst(Array.from({ length: 50 }, () => ({ coordinator: 1, set: [1, 2] })));
    expect(await pooledSignatures(1, requestIds)).toBeGreaterThanOrEqual(POOL_SIZE);
  }, 400_000);

  it('signs 50 concurrent requests spread over three coordinators (two share one signer set)', async () => {
    await signers.client(2).presign(key.keyId, [1, 2], POOL_SIZE, 120_000);
    await signers.client(3).presign(key.keyId, [2, 3], POOL_SIZE, 120_000);
    const plan = Array.from({ length: 50 }, (_, i) => [{ coordinator: 1, set: [1, 2] }, { coordinator: 2, set: [1, 2] }, { coordinator: 3, set: [2, 3] }][i % 3]!);
    const requestIds = await burst(plan);
    expect(await pooledSignatures(2, requestIds)).toBeGreaterThanOrEqual(1);
    expect(await pooledSignatures(3, requestIds)).toBeGreaterThanOrEqual(1);
  }, 400_000);

  it('no presignature was consumed by two sessions, at any signer, and each consumption belongs to one signing request', async () => {
    const sessionsById = new Map<string, Set<string>>();
    for (const id of [1, 2, 3]) {
      const r = await db(id).query<{ id: string; consumed_by: string }>(
        `SELECT id, consumed_by FROM signer.one_time_values WHERE kind = 'ecdsa-presignature' AND consumed_at IS NOT NULL AND consumed_by NOT LIKE 'burned:%'`,
      );
      const perSession = new Map<string, number>();
      for (const row of r.rows) {
        perSession.set(row.consumed_by, (perSession.get(row.consumed_by) ?? 0) + 1);
        let s = sessionsById.get(row.id);
        if (!s) sessionsById.set(row.id, (s = new Set()));
        s.add(row.consumed_by);
      }
      expect([...perSession].filter(([, n]) => n > 1)).toEqual([]);
      // Every consumption was by a signing session that claimed a request here, in the same transaction.
      const orphans = await db(id).query(
        `SELECT v.id, v.consumed_by FROM signer.one_time_values v LEFT JOIN signer.signed_requests q ON encode(q.session_id, 'hex') = v.consumed_by
          WHERE v.kind = 'ecdsa-presignature' AND v.consumed_at IS NOT NULL AND v.consumed_by NOT LIKE 'burned:%' AND q.request_id IS NULL`,
      );
      expect(orphans.rows).toEqual([]);
    }
    expect(sessionsById.size).toBeGreaterThan(0);
    expect([...sessionsById].filter(([, sessions]) => sessions.size > 1)).toEqual([]);
  }, 60_000);
});
