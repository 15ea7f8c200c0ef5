import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePorts, grpcHealthStatus, httpStatus, loadOrCreateLocalSecrets, LocalCluster, migrateAll, planCluster, portSpan, portsFromList, type ProcessExit, type ServiceProcessSpec } from '@custody/local-cluster';
import { testOnlyPrimeEnv, testServerUrls, uniqueTestDatabase } from '@custody/testing';

/**
 * The whole local cluster as real processes (four services and three signers, from dist/) against
 * the real Postgres and Redis: every one becomes ready, serves /metrics on its METRICS_PORT (and not
 * on its HTTP port), and exits 0 within 5 s of SIGTERM.
 */
describe('local cluster (e2e)', () => {
  const SIGNERS = 3;
  const database = uniqueTestDatabase('custody_e2e', SIGNERS);
  let cluster: LocalCluster | undefined;
  let specs: ServiceProcessSpec[];
  const secretsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custody-e2e-'));

  beforeAll(async () => {
    await migrateAll({ mainDatabaseUrl: database.url, signerDatabaseUrls: database.signerUrls });
    const ports = await freePorts(portSpan(SIGNERS));
    specs = planCluster(
      {
        databaseUrl: database.url,
        redisUrl: testServerUrls().redis,
        signerCount: SIGNERS,
        host: '127.0.0.1',
        logLevel: 'warn',
        secrets: loadOrCreateLocalSecrets(secretsDir, SIGNERS),
        perSignerEnv: testOnlyPrimeEnv(secretsDir, SIGNERS),
      },
      portsFromList(ports),
    );
    cluster = LocalCluster.start(specs, { baseEnv: { PATH: process.env.PATH }, output: 'capture' });
    await cluster.waitUntilReady(90_000);
  }, 120_000);

  afterAll(async () => {
    if (cluster) await cluster.stop('SIGKILL');
    await database.drop();
    fs.rmSync(secretsDir, { recursive: true, force: true });
  }, 60_000);

  it('starts every app, with three signers on their own databases', () => {
    expect(specs.map((s) => s.name)).toEqual(['gateway', 'policy-engine', 'ledger', 'chain-indexer', 'signer-1', 'signer-2', 'signer-3']);
    const signerDatabases = specs.filter((s) => s.app === 'signer').map((s) => new URL(s.env.DATABASE_URL!).pathname);
    expect(new Set(signerDatabases).size).toBe(SIGNERS);
  });

  it('answers gRPC health SERVING and /healthz 200 with both dependencies ok', async () => {
    for (const spec of specs) {
      expect(await grpcHealthStatus(`${spec.host}:${spec.grpcPort}`)).toBe('SERVING');
      const response = await fetch(`http://${spec.host}:${spec.httpPort}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok', ready: true, checks: { postgres: 'ok', redis: 'ok' } });
    }
  });

  it('says NOT_FOUND for a service it does not serve', async () => {
    expect(await grpcHealthStatus(`${specs[0]!.host}:${specs[0]!.grpcPort}`, 'no.such.Service')).toMatch(/^error: unknown service/);
  });

  it('serves Prometheus metrics labelled with the service on its METRICS_PORT, and nothing else there', async () => {
    for (const spec of specs) {
      expect(spec.env.METRICS_PORT).toBe(String(spec.metricsPort));
      expect([spec.httpPort, spec.grpcPort]).not.toContain(spec.metricsPort);
      const response = await fetch(`http://${spec.host}:${spec.metricsPort}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      expect(text).toContain(`custody_build_info{version="`);
      expect(text).toContain(`service="${spec.name}"`);
      expect(text).toMatch(new RegExp(`custody_ready\\{service="${spec.name}"\\} 1`));
      expect(await httpStatus(`http://${spec.host}:${spec.metricsPort}/healthz`)).toBe(404);
    }
  });

  it('answers 404 for /metrics on the HTTP port, which keeps /healthz', async () => {
    for (const spec of specs) {
      const response = await fetch(`http://${spec.host}:${spec.httpPort}/metrics`);
      expect({ name: spec.name, status: response.status }).toEqual({ name: spec.name, status: 404 });
      expect(await response.text()).not.toContain('custody_build_info');
    }
  });

  it('exits 0 within 5 seconds of SIGTERM, every process', async () => {
    const exits: ProcessExit[] = await cluster!.stop('SIGTERM', 10_000);
    for (const exit of exits) {
      expect({ name: exit.name, code: exit.code, signal: exit.signal }).toEqual({ name: exit.name, code: 0, signal: null });
      expect(exit.afterMs).toBeLessThan(5000);
    }
    expect(exits).toHaveLength(4 + SIGNERS);
    for (const spec of specs) expect(await httpStatus(`http://${spec.host}:${spec.httpPort}/healthz`, 500)).toBe(0);
    for (const spec of specs) expect(await httpStatus(`http://${spec.host}:${spec.metricsPort}/metrics`, 500)).toBe(0);
    cluster = undefined;
  }, 30_000);
});
