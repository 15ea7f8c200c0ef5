import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { DataSource } from 'typeorm';
import { CustodyClient } from '@custody/client';
import { connectPostgres } from '@custody/persistence';
import { startGateway, testKey, type RunningGateway } from '@custody/testing';
import { decodeRecord, type AuditRecord } from '@custody/audit-core';
import { formatVerifierKey, openNote, parseCheckpoint, verifierFromKey } from '@custody/transparency-log';

/**
 * The gateway and the audit log: it records every state-changing request (client id, RFC 9421
 * signature and signature base) with the idempotency claim, and every API-client change in its
 * transaction; it runs the checkpointer (AUDIT_LOG_SEED, here with no witnesses) on its interval;
 * a request whose record cannot be written is not acted on.
 */
describe('the gateway writes and checkpoints the audit log (e2e)', () => {
  const origin = 'custody.test/gateway-audit';
  const seed = randomBytes(32);
  const logKey = formatVerifierKey(origin, 0x01, ed25519.getPublicKey(seed));
  let gateway: RunningGateway;
  let admin: CustodyClient;
  let ds: DataSource;

  beforeAll(async () => {
    gateway = await startGateway({ AUDIT_LOG_SEED: seed.toString('hex'), AUDIT_LOG_ORIGIN: origin, AUDIT_CHECKPOINT_INTERVAL_MS: '100' });
    admin = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: gateway.admin, attempts: 1 });
    ds = await connectPostgres(gateway.databaseUrl, { poolSize: 2 });
  }, 60_000);

  afterAll(async () => {
    await ds?.destroy();
    await gateway?.stop();
  });

  /** Waits (bounded) until the gateway's checkpointer has placed every committed record. */
  async function sequenced(): Promise<AuditRecord[]> {
    for (let i = 0; i < 200; i++) {
      const [{ n }] = (await ds.query('SELECT count(*)::int AS n FROM audit.pending')) as [{ n: number }];
      if (n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const rows = (await ds.query('SELECT body FROM audit.records ORDER BY idx')) as { body: Buffer }[];
    return rows.map((r) => decodeRecord(new Uint8Array(r.body)));
  }

  it('records the signed request and the client change, and checkpoints them on its interval', async () => {
    const key = testKey(`audited-${randomBytes(4).toString('hex')}`);
    await admin.createClient({ clientId: key.clientId, publicKey: key.publicKeyHex, roles: ['viewer'] });
    const records = await sequenced();
    expect(records[0]).toMatchObject({ type: 'api-client-change', body: { change: 'create', clientId: gateway.admin.clientId, roles: ['admin'] } });
    const request = records.find((r) => r.type === 'api-request' && r.actor === gateway.admin.clientId && r.body.target === 'POST /v1/clients')!;
    expect(request).toBeDefined();
    // The record carries what an auditor needs: the signature verifies over the stored base under the client's key.
    const body = request.body as { signatureBase: string; signature: string; clientPublicKey: string; keyId: string };
    expect(body.keyId).toBe(gateway.admin.clientId);
    expect(body.signatureBase).toMatch(/"@method": POST/);
    const pub = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(body.clientPublicKey, 'hex')]), format: 'der', type: 'spki' });
    expect(verify(null, Buffer.from(body.signatureBase, 'utf8'), pub, Buffer.from(body.signature, 'hex'))).toBe(true);
    expect(records.findIndex((r) => r.type === 'api-client-change' && r.body.clientId === key.clientId)).toBeGreaterThan(records.indexOf(request));
    // The latest checkpoint, signed with the log key, covers them all.
    const [{ note }] = (await ds.query('SELECT note FROM audit.checkpoints ORDER BY size DESC LIMIT 1')) as [{ note: string }];
    expect(parseCheckpoint(openNote(note, [verifierFromKey(logKey)]).text).size).toBe(records.length);
  });

  it('a request whose audit record cannot be written is refused and not acted on', async () => {
    await ds.query(`CREATE OR REPLACE FUNCTION public.test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.type = 'api-request' THEN RAISE EXCEPTION 'test: audit write refused'; END IF; RETURN NEW; END $$`);
    await ds.query('CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit.pending FOR EACH ROW EXECUTE FUNCTION public.test_refuse_audit()');
    try {
      const key = testKey(`refused-${randomBytes(4).toString('hex')}`);
      await expect(admin.createClient({ clientId: key.clientId, publicKey: key.publicKeyHex, roles: ['viewer'] })).rejects.toThrow();
      expect(await ds.query('SELECT count(*)::int AS n FROM gateway.api_clients WHERE client_id = $1', [key.clientId])).toEqual([{ n: 0 }]);
    } finally {
      await ds.query('DROP TRIGGER test_refuse_audit ON audit.pending');
    }
  });
});
