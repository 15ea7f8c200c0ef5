import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { appEntry, freePorts, migrateAll } from '@custody/local-cluster';
import { PROTO_ROOT, protoPath } from '@custody/proto';
import { CUSTODY_BIN, CustodyProcess } from './custody-command';
import { runNodeToExit, type ProcessResult } from './run-to-exit';
import { testServerUrls, uniqueTestDatabase } from './test-database';

/** A gRPC error as the ledger answers it. */
export interface LedgerCallError extends Error {
  readonly code: grpc.status;
  readonly details: string;
}

export type LedgerCall = <T = Record<string, unknown>>(method: string, request: Record<string, unknown>) => Promise<T>;

type UnaryMethod = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response: unknown) => void) => void;

/** A client of custody.ledger.v1.LedgerService with the loader options the service uses (camelCase, uint64 as strings). */
export function ledgerClient(address: string): { call: LedgerCall; close: () => void } {
  const definition = protoLoader.loadSync(protoPath('ledger'), { includeDirs: [PROTO_ROOT], keepCase: false, longs: String, enums: Number, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { custody: { ledger: { v1: { LedgerService: grpc.ServiceClientConstructor } } } };
  const client = new pkg.custody.ledger.v1.LedgerService(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  const call: LedgerCall = (method, request) =>
    new Promise((resolve, reject) => {
      const fn = (client as unknown as Record<string, UnaryMethod>)[method[0]!.toLowerCase() + method.slice(1)];
      if (!fn) return reject(new Error(`no method ${method}`));
      fn.call(client, request, new grpc.Metadata(), { deadline: Date.now() + 60_000 }, (error, response) => (error ? reject(error) : resolve(response as never)));
    });
  return { call, close: () => client.close() };
}

/**
 * A real ledger process (dist/, so `npm run build` first) on its own freshly migrated database: the
 * tests talk to it over gRPC, kill it, restart it, and run `custody ledger check` on its database.
 */
export class LedgerUnderTest {
  private process: CustodyProcess | undefined;
  private client: { call: LedgerCall; close: () => void } | undefined;

  private constructor(
    readonly databaseUrl: URL,
    private readonly dropDatabase: () => Promise<void>,
    private readonly env: Record<string, string | undefined>,
    readonly address: string,
  ) {}

  static async start(name: string, extraEnv: Record<string, string> = {}): Promise<LedgerUnderTest> {
    const database = uniqueTestDatabase(`custody_ledger_${name}`);
    await migrateAll({ mainDatabaseUrl: database.url, signerDatabaseUrls: [] });
    const [httpPort, grpcPort] = await freePorts(2);
    const env = {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(grpcPort),
      // Not served: ledgers of parallel test files would otherwise all take the default 9466.
      METRICS_PORT: '0',
      DATABASE_URL: database.url.toString(),
      REDIS_URL: testServerUrls().redis.toString(),
      LOG_LEVEL: 'warn',
      ...extraEnv,
    };
    const ledger = new LedgerUnderTest(database.url, database.drop, env, `127.0.0.1:${grpcPort}`);
    await ledger.launch();
    return ledger;
  }

  private async launch(): Promise<void> {
    const child = CustodyProcess.start([], { ...this.env, LOG_LEVEL: 'info' }, { command: [process.execPath, appEntry('ledger')] });
    this.process = child;
    await child.waitFor(/ledger listening/, 30_000);
    this.client?.close();
    this.client = ledgerClient(this.address);
  }

  /** The last lines the running process printed (its errors, for a failing test's message). */
  lines(count = 10): string[] {
    return this.process?.lines.slice(-count) ?? [];
  }

  get pid(): number {
    return this.process!.pid;
  }

  /** Calls a LedgerService method (e.g. `CreateTransfer`); rejects with the gRPC error. */
  call: LedgerCall = (method, request) => this.client!.call(method, request);

  /** Kills the process with SIGKILL and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child) return;
    child.child.kill('SIGKILL');
    await child.exited;
    this.process = undefined;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  /** `custody ledger check` on this ledger's database (the built CLI). */
  check(extraArgs: readonly string[] = []): Promise<ProcessResult> {
    return runNodeToExit(CUSTODY_BIN, ['ledger', 'check', '--database-url', this.databaseUrl.toString(), ...extraArgs], { PATH: process.env.PATH }, 60_000);
  }

  async stop(): Promise<void> {
    this.client?.close();
    const child = this.process;
    if (child) {
      child.child.kill('SIGTERM');
      const timer = setTimeout(() => child.child.kill('SIGKILL'), 5000);
      await child.exited;
      clearTimeout(timer);
    }
    this.process = undefined;
    await this.dropDatabase();
  }
}
