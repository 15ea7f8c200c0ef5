import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { appEntry, freePort, migrateAll } from '@custody/local-cluster';
import { runNodeToExit, testServerUrls, uniqueTestDatabase } from '@custody/testing';

/** A service with a bad configuration stops at once: non-zero exit and one line naming the problem. */
describe('start-up with a bad configuration (e2e)', () => {
  const database = uniqueTestDatabase('custody_badcfg');
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    await migrateAll({ mainDatabaseUrl: database.url, signerDatabaseUrls: [] });
    env = {
      PATH: process.env.PATH,
      HTTP_PORT: String(await freePort()),
      GRPC_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      DATABASE_URL: database.url.toString(),
      REDIS_URL: testServerUrls().redis.toString(),
    };
  }, 60_000);

  afterAll(() => database.drop(), 30_000);

  it('refuses to start without DATABASE_URL, naming it', async () => {
    const result = await runNodeToExit(appEntry('ledger'), [], { ...env, DATABASE_URL: undefined });
    expect(result.code).toBe(78);
    expect(result.stderr.trim()).toBe('ledger: configuration error: DATABASE_URL is required but not set');
  });

  it('refuses a malformed port, naming the variable', async () => {
    const result = await runNodeToExit(appEntry('gateway'), [], { ...env, GRPC_PORT: 'fifty' });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('GRPC_PORT must be an integer');
  });

  it('refuses a signer without SIGNER_ID', async () => {
    const result = await runNodeToExit(appEntry('signer'), [], env);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('SIGNER_ID is required');
  });

  it('stops when Redis is unreachable, naming Redis and the address', async () => {
    const result = await runNodeToExit(appEntry('policy-engine'), [], { ...env, POLICY_ENGINE_SEED: randomBytes(32).toString('hex'), REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('policy-engine: Redis at 127.0.0.1:1 is unreachable');
    expect(result.stderr).not.toMatch(/^\s+at /m); // no stack trace
  }, 30_000); // the engine loads policy-core (CEL, Ajv) and sign-grant v2 (viem) before it connects

  it('refuses a policy engine without its signing seed, naming the variable', async () => {
    const result = await runNodeToExit(appEntry('policy-engine'), [], env);
    expect(result.code).toBe(78);
    expect(result.stderr.trim()).toBe('policy-engine: configuration error: POLICY_ENGINE_SEED is required but not set (nor POLICY_ENGINE_SEED_FILE)');
  }, 30_000);

  it('a never-bootstrapped policy engine stops without a bootstrap file, and names the JSON path of a bad one', async () => {
    const seed = { POLICY_ENGINE_SEED: randomBytes(32).toString('hex') };
    const missing = await runNodeToExit(appEntry('policy-engine'), [], { ...env, ...seed });
    expect(missing.code).toBe(78);
    expect(missing.stderr).toContain('set POLICY_BOOTSTRAP_FILE');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custody-badcfg-'));
    try {
      const file = path.join(dir, 'bootstrap.json');
      fs.writeFileSync(file, JSON.stringify({ format: 'custody.bootstrap/v1', admins: { members: ['a'], quorum: 2 }, keys: {}, policy: {} }));
      const bad = await runNodeToExit(appEntry('policy-engine'), [], { ...env, ...seed, POLICY_BOOTSTRAP_FILE: file });
      expect(bad.code).toBe(78);
      expect(bad.stderr).toContain('/admins/quorum');
      expect(bad.stderr).not.toMatch(/^\s+at /m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('stops when Postgres is unreachable, naming Postgres and the address', async () => {
    // The indexer's own settings are valid, so the failure is the database's.
    const indexer = { CHAIN_RPC_URL: 'http://127.0.0.1:1', LEDGER_GRPC_ADDRESS: '127.0.0.1:1' };
    const result = await runNodeToExit(appEntry('chain-indexer'), [], { ...env, ...indexer, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/custody' });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('chain-indexer: Postgres at 127.0.0.1:1/custody is unreachable');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses METRICS_PORT equal to HTTP_PORT: /metrics has a port of its own', async () => {
    const result = await runNodeToExit(appEntry('ledger'), [], { ...env, METRICS_PORT: env.HTTP_PORT });
    expect(result.code).toBe(78);
    expect(result.stderr.trim()).toBe(`ledger: configuration error: METRICS_PORT must differ from HTTP_PORT and GRPC_PORT (${env.HTTP_PORT} is the HTTP port): /metrics is served on its own port`);
  });

  it('stops when METRICS_PORT is in use, naming it, with no stack trace', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(Number(env.METRICS_PORT), '127.0.0.1', resolve));
    try {
      const result = await runNodeToExit(appEntry('ledger'), [], { ...env, LOG_LEVEL: 'fatal' });
      expect(result.code).toBe(78);
      expect(result.stderr).toContain(`ledger: metrics port ${env.METRICS_PORT} on 127.0.0.1 is in use by another process (METRICS_PORT)`);
      expect(result.stderr).not.toMatch(/^\s+at /m);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
