import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { appEntry, freePort, httpStatus, migrateAll } from '@custody/local-cluster';
import { testServerUrls, uniqueTestDatabase } from '@custody/testing';

/**
 * A TCP relay in front of the real Postgres or Redis, which the test can cut: every open
 * connection is destroyed and new ones are refused, as when the dependency goes away.
 */
interface Relay {
  readonly port: number;
  cut(): Promise<void>;
}

async function relay(target: { host: string; port: number }): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

async function text(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.text() };
}

/** The readiness checks a service counted so far, from its own /metrics. */
async function readinessChecks(metricsUrl: string): Promise<number> {
  const { body } = await text(metricsUrl);
  return [...body.matchAll(/^custody_readiness_checks_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/**
 * Liveness (`/livez`) asks neither Postgres nor Redis; readiness (`/readyz`, and `/healthz`) asks
 * both. The real ledger (from dist/) reaches the real Postgres and Redis through relays that the
 * test cuts: it stays live while it is no longer ready.
 */
describe('liveness and readiness (e2e)', () => {
  const database = uniqueTestDatabase('custody_livez');
  let child: ChildProcess | undefined;
  let output = '';
  let postgres: Relay;
  let redis: Relay;
  let base: string;
  let metrics: string;

  beforeAll(async () => {
    await migrateAll({ mainDatabaseUrl: database.url, signerDatabaseUrls: [] });
    postgres = await relay({ host: database.url.hostname, port: Number(database.url.port || 5432) });
    const redisUrl = testServerUrls().redis;
    redis = await relay({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    const viaPostgres = new URL(database.url.toString());
    viaPostgres.hostname = '127.0.0.1';
    viaPostgres.port = String(postgres.port);
    const viaRedis = new URL(redisUrl.toString());
    viaRedis.hostname = '127.0.0.1';
    viaRedis.port = String(redis.port);
    const [httpPort, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    base = `http://127.0.0.1:${httpPort}`;
    metrics = `http://127.0.0.1:${metricsPort}/metrics`;
    child = spawn(process.execPath, [appEntry('ledger')], {
      env: { PATH: process.env.PATH, HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), METRICS_PORT: String(metricsPort), DATABASE_URL: viaPostgres.toString(), REDIS_URL: viaRedis.toString(), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    for (let i = 0; (await httpStatus(`${base}/readyz`)) !== 200; i++) {
      if (i > 300 || child.exitCode !== null) throw new Error(`ledger did not become ready:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await Promise.allSettled([postgres?.cut(), redis?.cut()]);
    await database.drop();
  }, 30_000);

  it('with both dependencies up: /livez, /readyz and /healthz are 200', async () => {
    expect(await text(`${base}/livez`)).toEqual({ status: 200, body: '{"status":"ok"}' });
    for (const path of ['/readyz', '/healthz']) {
      const r = await text(`${base}${path}`);
      expect({ path, status: r.status, body: JSON.parse(r.body) as unknown }).toEqual({ path, status: 200, body: { status: 'ok', ready: true, checks: { postgres: 'ok', redis: 'ok' } } });
    }
  });

  it('/livez asks neither Postgres nor Redis: the service counts no readiness check for it', async () => {
    const before = await readinessChecks(metrics);
    for (let i = 0; i < 5; i++) expect((await text(`${base}/livez`)).status).toBe(200);
    expect(await readinessChecks(metrics)).toBe(before);
    // A readiness call does count its two checks, so the counter is the right witness.
    await text(`${base}/readyz`);
    expect(await readinessChecks(metrics)).toBe(before + 2);
  });

  it('with Postgres and Redis gone: /readyz and /healthz are 503 naming both, /livez stays 200', async () => {
    await Promise.all([postgres.cut(), redis.cut()]);
    for (const path of ['/readyz', '/healthz']) {
      const r = await text(`${base}${path}`);
      expect({ path, status: r.status, body: JSON.parse(r.body) as unknown }).toEqual({ path, status: 503, body: { status: 'unavailable', ready: false, checks: { postgres: 'unavailable', redis: 'unavailable' } } });
    }
    expect(await text(`${base}/livez`)).toEqual({ status: 200, body: '{"status":"ok"}' });
    expect(child!.exitCode).toBeNull();
  }, 30_000);
});
