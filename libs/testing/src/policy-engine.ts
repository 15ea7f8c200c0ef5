import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { appEntry, freePorts, LocalCluster, migrateAll } from '@custody/local-cluster';
import { PROTO_ROOT, protoPath } from '@custody/proto';
import { testServerUrls, uniqueTestDatabase } from './test-database';

/** A TEST-ONLY principal (admin or approver): an id and a fresh Ed25519 key. */
export interface TestPrincipal {
  readonly id: string;
  readonly seed: Uint8Array;
  readonly publicKeyHex: string;
}

export function testPrincipal(id: string): TestPrincipal {
  const seed = randomBytes(32);
  return { id, seed, publicKeyHex: bytesToHex(ed25519.getPublicKey(seed)) };
}

/** A unary call of custody.policy.v1.PolicyService as a promise (grpc-js with proto-loader's options). */
export type PolicyCall = <T = Record<string, unknown>>(method: string, request: Record<string, unknown>) => Promise<T>;

export interface PolicyEngineProcess {
  readonly databaseUrl: URL;
  readonly grpcAddress: string;
  readonly engineSeedFile: string;
  readonly enginePublicKeyHex: string;
  readonly bootstrapFile: string;
  readonly call: PolicyCall;
  output(): readonly string[];
  stop(): Promise<void>;
}

export interface StartPolicyEngineOptions {
  /** The bootstrap document (custody.bootstrap/v1) as an object; written to a temp file. */
  readonly bootstrap: unknown;
  /** An existing engine seed file (e.g. a signer cluster's local secrets); default: a fresh one. */
  readonly engineSeedFile?: string;
  readonly env?: Record<string, string>;
}

/** A client of custody.policy.v1.PolicyService at `address`. */
export function policyClient(address: string): { call: PolicyCall; close(): void } {
  const definition = protoLoader.loadSync(protoPath('custodyPolicy'), { includeDirs: [PROTO_ROOT], keepCase: false, longs: String, enums: Number, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { custody: { policy: { v1: { PolicyService: grpc.ServiceClientConstructor } } } };
  const client = new loaded.custody.policy.v1.PolicyService(address, grpc.credentials.createInsecure());
  const call: PolicyCall = (method, request) =>
    new Promise((resolve, reject) => {
      const fn = (client as unknown as Record<string, (r: unknown, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, v: unknown) => void) => void>)[method[0]!.toLowerCase() + method.slice(1)];
      if (!fn) return reject(new Error(`no method ${method}`));
      fn.call(client, request, new grpc.Metadata(), { deadline: Date.now() + 30_000 }, (error, value) => (error ? reject(error) : resolve(value as never)));
    });
  return { call, close: () => client.close() };
}

/**
 * Test support: one real policy-engine process (from dist/) on loopback with its own migrated
 * database and a bootstrap file, and a gRPC client of it. `stop()` stops it and drops the database.
 */
export async function startPolicyEngine(options: StartPolicyEngineOptions): Promise<PolicyEngineProcess> {
  const database = uniqueTestDatabase('custody_policy');
  await migrateAll({ mainDatabaseUrl: database.url, signerDatabaseUrls: [] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custody-policy-'));
  const bootstrapFile = path.join(dir, 'bootstrap.json');
  fs.writeFileSync(bootstrapFile, JSON.stringify(options.bootstrap), { mode: 0o600 });
  let engineSeedFile = options.engineSeedFile;
  if (!engineSeedFile) {
    engineSeedFile = path.join(dir, 'engine.seed');
    fs.writeFileSync(engineSeedFile, bytesToHex(randomBytes(32)) + '\n', { mode: 0o600 });
  }
  const seed = Uint8Array.from(Buffer.from(fs.readFileSync(engineSeedFile, 'utf8').trim(), 'hex'));
  const [httpPort, grpcPort, metricsPort] = await freePorts(3);
  const grpcAddress = `127.0.0.1:${grpcPort}`;
  const cluster = LocalCluster.start(
    [
      {
        name: 'policy-engine',
        app: 'policy-engine',
        entry: appEntry('policy-engine'),
        host: '127.0.0.1',
        httpPort: httpPort!,
        grpcPort: grpcPort!,
        metricsPort: metricsPort!,
        env: {
          HOST: '127.0.0.1',
          HTTP_PORT: String(httpPort),
          GRPC_PORT: String(grpcPort),
          METRICS_PORT: String(metricsPort),
          DATABASE_URL: database.url.toString(),
          REDIS_URL: testServerUrls().redis.toString(),
          LOG_LEVEL: 'warn',
          POLICY_ENGINE_SEED_FILE: engineSeedFile,
          POLICY_BOOTSTRAP_FILE: bootstrapFile,
          ...options.env,
        },
      },
    ],
    { baseEnv: { PATH: process.env.PATH }, output: process.env.CUSTODY_TEST_LOGS === '1' ? 'inherit' : 'capture' },
  );
  try {
    await cluster.waitUntilReady(60_000);
  } catch (error) {
    await cluster.stop('SIGKILL').catch(() => undefined);
    await database.drop();
    throw new Error(`policy engine did not start: ${(error as Error).message}\n${cluster.output('policy-engine').join('\n')}`, { cause: error });
  }
  const client = policyClient(grpcAddress);
  return {
    databaseUrl: database.url,
    grpcAddress,
    engineSeedFile,
    enginePublicKeyHex: bytesToHex(ed25519.getPublicKey(seed)),
    bootstrapFile,
    call: client.call,
    output: () => cluster.output('policy-engine'),
    async stop() {
      client.close();
      await cluster.stop('SIGTERM');
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
