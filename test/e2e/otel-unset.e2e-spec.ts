import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import { appEntry, freePort, httpStatus, migrateAll } from '@custody/local-cluster';
import { testServerUrls, uniqueTestDatabase } from '@custody/testing';

/** The OTLP/HTTP default target (`localhost:4318`) that an SDK left to its env defaults posts to. */
const OTLP_DEFAULT_PORT = 4318;

interface Collector {
  readonly requests: string[];
  close(): Promise<void>;
}

function listen(host: string): Promise<http.Server | undefined> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method ?? '?'} ${req.url ?? '?'}`);
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  (server as http.Server & { requests?: string[] }).requests = requests;
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      // No IPv6 loopback on this machine: localhost can only mean 127.0.0.1 then.
      if (host === '::1' && (error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT')) resolve(undefined);
      else if (error.code === 'EADDRINUSE') reject(new Error(`port ${OTLP_DEFAULT_PORT} on ${host} is busy: this test needs it free to see what an unconfigured SDK sends to localhost:${OTLP_DEFAULT_PORT}`));
      else reject(error);
    });
    server.listen(OTLP_DEFAULT_PORT, host, () => resolve(server));
  });
}

/** A stand-in collector on every loopback address `localhost` may resolve to; it answers 200 and records what arrives. */
async function startCollector(): Promise<Collector> {
  const servers = [await listen('127.0.0.1')];
  try {
    servers.push(await listen('::1'));
  } catch (error) {
    await new Promise((resolve) => servers[0]!.close(resolve));
    throw error;
  }
  const live = servers.filter((s): s is http.Server => s !== undefined);
  return {
    get requests() {
      return live.flatMap((s) => (s as http.Server & { requests?: string[] }).requests ?? []);
    },
    close: async () => {
      for (const s of live) {
        s.closeAllConnections();
        await new Promise((resolve) => s.close(resolve));
      }
    },
  };
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT unset nothing is exported (no traces, metrics or logs to the SDK's
 * default localhost:4318), and a service stops with exit 0 after serving requests. The real gateway,
 * from dist/.
 */
describe('OpenTelemetry with no endpoint (e2e)', () => {
  const database = uniqueTestDatabase('custody_otel');
  let collector: Collector;

  beforeAll(async () => {
    collector = await startCollector();
    await migrateAll({ mainDatabaseUrl: database.url, signerDatabaseUrls: [] });
  }, 60_000);

  afterAll(async () => {
    await collector?.close();
    await database.drop();
  }, 30_000);

  /** Runs the gateway, makes REST calls, sends `signal`; resolves with the exit and the captured output. */
  async function runAndStop(signal: NodeJS.Signals): Promise<{ exit: { code: number | null; signal: NodeJS.Signals | null }; output: string }> {
    const httpPort = await freePort();
    const metricsPort = await freePort();
    const env = {
      PATH: process.env.PATH,
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(await freePort()),
      METRICS_PORT: String(metricsPort),
      DATABASE_URL: database.url.toString(),
      REDIS_URL: testServerUrls().redis.toString(),
      LOG_LEVEL: 'warn',
    };
    const child = spawn(process.execPath, [appEntry('gateway')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    const exited = exitOf(child);
    try {
      const base = `http://127.0.0.1:${httpPort}`;
      for (let i = 0; (await httpStatus(`${base}/healthz`).catch(() => 0)) !== 200; i++) {
        if (i > 300 || child.exitCode !== null) throw new Error(`gateway did not become ready:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (let i = 0; i < 5; i++) {
        const response = await fetch(`${base}/v1/system/info`);
        expect(response.status).toBe(200);
        await response.arrayBuffer();
      }
      await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.arrayBuffer());
    } finally {
      child.kill(signal);
    }
    return { exit: await exited, output };
  }

  it.each(['SIGINT', 'SIGTERM'] as const)('exports nothing and exits 0 on %s after REST calls', async (signal) => {
    const before = collector.requests.length;
    const { exit, output } = await runAndStop(signal);
    expect({ exit, output: exit.code === 0 ? '' : output }).toEqual({ exit: { code: 0, signal: null }, output: '' });
    expect(collector.requests.slice(before)).toEqual([]);
  }, 60_000);

  it('exits 0 on SIGINT after REST calls when nothing listens on localhost:4318 either', async () => {
    await collector.close();
    const { exit, output } = await runAndStop('SIGINT');
    expect({ exit, output: exit.code === 0 ? '' : output }).toEqual({ exit: { code: 0, signal: null }, output: '' });
  }, 60_000);
});
