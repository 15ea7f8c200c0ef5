import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { ed25519RawPublicKey } from '@custody/http-signatures';
import { appEntry, freePorts, migrateAll } from '@custody/local-cluster';
import { testServerUrls, uniqueTestDatabase } from './test-database';
import type { ClientCredentials } from '@custody/client';

export interface TestKey extends ClientCredentials {
  readonly publicKeyHex: string;
  readonly publicKey: KeyObject;
}

export function testKey(clientId: string): TestKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicKey = createPublicKey(privateKey);
  return { clientId, privateKey: createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })), publicKey, publicKeyHex: ed25519RawPublicKey(publicKey).toString('hex') };
}

export interface RunningGateway {
  readonly baseUrl: string;
  readonly grpcAddress: string;
  readonly admin: TestKey;
  readonly databaseUrl: URL;
  readonly redisPrefix: string;
  output(): string;
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>;
  /** SIGKILL if running, then start again on the same ports, database and Redis prefix. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The real gateway (dist/) on free loopback ports, its own database and Redis prefix, a bootstrap admin. */
/** The status of GET `url` (HTTPS trusting `ca` when given). */
function readyStatus(url: string, ca: Buffer | undefined): Promise<number> {
  if (!ca) return fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.status);
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ca, timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.on('timeout', () => request.destroy(new Error('timeout')));
  });
}

/** TEST helper. */
export async function startGateway(env: Record<string, string> = {}, options: { tlsCa?: Buffer } = {}): Promise<RunningGateway> {
  const database = uniqueTestDatabase('custody_gateway');
  await migrateAll({ mainDatabaseUrl: database.url, signerDatabaseUrls: [] });
  const admin = testKey(`admin-${randomBytes(3).toString('hex')}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-'));
  const bootstrap = path.join(dir, 'bootstrap.json');
  fs.writeFileSync(bootstrap, JSON.stringify({ clientId: admin.clientId, publicKey: admin.publicKeyHex }), { mode: 0o600 });
  const [httpPort, grpcPort] = await freePorts(2);
  const redisPrefix = `test:gateway:${randomBytes(6).toString('hex')}:`;
  let output = '';
  let child: ChildProcess;
  let exited: Promise<void>;
  const baseUrl = `${options.tlsCa ? 'https' : 'http'}://127.0.0.1:${httpPort}`;
  const launch = async (): Promise<void> => {
    child = spawn(process.execPath, [appEntry('gateway')], {
      env: {
        PATH: process.env.PATH,
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        METRICS_PORT: '0',
        DATABASE_URL: database.url.toString(),
        REDIS_URL: testServerUrls().redis.toString(),
        LOG_LEVEL: 'warn',
        GATEWAY_REDIS_PREFIX: redisPrefix,
        GATEWAY_BOOTSTRAP_FILE: bootstrap,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const current = child;
    current.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    current.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    for (let i = 0; ; i++) {
      if (current.exitCode !== null) throw new Error(`gateway exited ${current.exitCode}: ${output}`);
      try {
        if ((await readyStatus(`${baseUrl}/readyz`, options.tlsCa)) === 200) break;
      } catch {
        // not listening yet
      }
      if (i > 150) throw new Error(`gateway not ready: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  await launch();
  return {
    baseUrl,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    admin,
    databaseUrl: database.url,
    redisPrefix,
    output: () => output,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    restart: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      await launch();
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
      await database.drop();
      const redis = new Redis(testServerUrls().redis.toString());
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 500);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}
