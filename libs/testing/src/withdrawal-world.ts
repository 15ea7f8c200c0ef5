import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { createPublicClient, http, type Hex, type PublicClient } from 'viem';
import { CustodyClient } from '@custody/client';
import { appEntry, freePorts, migrateAll } from '@custody/local-cluster';
import { startAnvil, type Anvil, type AnvilOptions } from './anvil';
import { CustodyProcess } from './custody-command';
import { testKey, type TestKey } from './gateway';
import { approverKeysEnv, type TestApprover } from './grants';
import { LedgerUnderTest } from './ledger-process';
import { startPolicyEngine, type PolicyEngineProcess } from './policy-engine';
import { startPrivateRedis, type PrivateRedis } from './redis-server';
import { startSignerCluster, type SignerCluster } from './signer-cluster';
import { testServerUrls, uniqueTestDatabase } from './test-database';
import type { WithdrawalView } from '../../../apps/gateway/src/withdrawals/withdrawals.service';

/**
 * Test support: the whole withdrawal cluster on loopback, as the pipeline's e2e spec and
 * bench/e2e.bench.ts use it: three signers (TEST-ONLY Paillier fixtures), the policy engine, the
 * ledger (asset anvil/ETH at depth 1), the chain indexer of anvil, the gateway (whose BullMQ workers
 * run the pipeline) on a Redis of its own, Postgres and anvil; a hot secp256k1 wallet whose sending
 * address holds `fundEther` on chain and in the books.
 */

const ETHER = 10n ** 18n;

/** A withdrawal as the gateway's REST API answers it: the gateway's own view type, not a copy of it. */
export type { WithdrawalView } from '../../../apps/gateway/src/withdrawals/withdrawals.service';

/** The gateway process (dist/), which a test may kill (SIGKILL) and start again on the same database and Redis prefix. */
export class GatewayUnderTest {
  private child: ChildProcess | undefined;
  private log = '';
  readonly admin: TestKey = testKey(`admin-${randomBytes(3).toString('hex')}`);
  readonly redisPrefix = `test:pipeline:${randomBytes(6).toString('hex')}:`;
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-gw-'));
  private readonly database = uniqueTestDatabase('custody_pipeline_gw');
  baseUrl = '';
  grpcAddress = '';

  constructor(private readonly env: Record<string, string>) {}

  get databaseUrl(): URL {
    return this.database.url;
  }

  output(): string {
    return this.log;
  }

  /** Starts it (the first time: migrates its database and writes the bootstrap admin) on fresh free ports; waits for /readyz. */
  async start(): Promise<void> {
    if (!this.baseUrl) {
      await migrateAll({ mainDatabaseUrl: this.database.url, signerDatabaseUrls: [] });
      fs.writeFileSync(path.join(this.dir, 'bootstrap.json'), JSON.stringify({ clientId: this.admin.clientId, publicKey: this.admin.publicKeyHex }), { mode: 0o600 });
    }
    const [httpPort, grpcPort] = await freePorts(2);
    this.baseUrl = `http://127.0.0.1:${httpPort}`;
    this.grpcAddress = `127.0.0.1:${grpcPort}`;
    const child = spawn(process.execPath, [appEntry('gateway')], {
      env: {
        PATH: process.env.PATH,
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        METRICS_PORT: '0',
        DATABASE_URL: this.database.url.toString(),
        REDIS_URL: testServerUrls().redis.toString(),
        LOG_LEVEL: 'warn',
        GATEWAY_REDIS_PREFIX: this.redisPrefix,
        GATEWAY_BOOTSTRAP_FILE: path.join(this.dir, 'bootstrap.json'),
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (c: Buffer) => (this.log += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (this.log += c.toString('utf8')));
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`gateway exited ${child.exitCode}: ${this.log}`);
      const status = await fetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      if (i > 200) throw new Error(`gateway not ready: ${this.log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGKILL, as a crash would: no shutdown hook runs. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM (SIGKILL after 5 s), then its directory, database and Redis keys removed. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
    await this.database.drop();
    // Fails rather than waits when that Redis is gone already (a private one stopped, or a Ctrl-C that reached it): its keys went with it.
    const redis = new Redis(this.env['REDIS_URL'] ?? testServerUrls().redis.toString(), { maxRetriesPerRequest: 1, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.redisPrefix}*`, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } catch (error) {
      if (!/ECONNREFUSED|Connection is closed|max retries/i.test((error as Error).message)) throw error;
    } finally {
      redis.disconnect();
    }
  }
}

export interface WithdrawalWorldOptions {
  /** The policy engine's bootstrap document (custody.bootstrap/v1). */
  readonly bootstrap: unknown;
  /** Approvers whose keys every signer pins (APPROVER_KEYS); default none. */
  readonly approvers?: readonly TestApprover[];
  /** More signer environment (e.g. SIGNER_PRESIGN_POOL_SIZE); SIGNER_MIN_APPROVALS is 0 unless given. */
  readonly signerEnv?: Record<string, string>;
  /** anvil's options (chain id 31337 always); default automine. */
  readonly anvil?: Omit<AnvilOptions, 'chainId'>;
  /** More chain indexer environment; INDEXER_POLL_MS is 50 unless given. */
  readonly indexerEnv?: Record<string, string>;
  /** More gateway environment: the pipeline's tuning (PIPELINE_POLL_MS, PIPELINE_CONCURRENCY, …). */
  readonly gatewayEnv?: Record<string, string>;
  /** Whole ETH at the wallet's sending address, on chain and credited in the ledger (default 10). */
  readonly fundEther?: number;
  /** The operator client's request timeout (default 180 s). */
  readonly clientTimeoutMs?: number;
  /** PIPELINE_CHAINS sweepMinWei of anvil (wei): deposit addresses are swept; default none (not swept). */
  readonly sweepMinWei?: bigint;
}

/** What `startWithdrawalWorld` started, and the helpers the spec and the bench share. */
export class WithdrawalWorld {
  static readonly CHAIN = 'anvil';
  static readonly CHAIN_ID = 31337;

  /** The operator's client of the current gateway process (`connect()` after the gateway restarted). */
  api!: CustodyClient;
  readonly operatorKey: TestKey = testKey(`operator-${randomBytes(3).toString('hex')}`);
  walletName = '';
  walletId = '';
  /** The wallet's sending address (child 0), funded. */
  sender: Hex = '0x';
  chain!: PublicClient;
  signers!: SignerCluster;
  engine!: PolicyEngineProcess;
  ledger!: LedgerUnderTest;
  anvil!: Anvil;
  /** The gateway's own Redis, which a scenario may restart (the shared one serves the other test files). */
  redis!: PrivateRedis;
  /** The chain indexer of anvil: it settles broadcast withdrawals in the ledger and undoes what a reorg orphans. */
  indexer: CustodyProcess | undefined;
  indexerGrpcAddress = '';
  gateway: GatewayUnderTest | undefined;

  constructor(private readonly clientTimeoutMs: number) {}

  /** A new operator client of the gateway (its ports change when it is started again). */
  connect(): void {
    this.api = new CustodyClient({ baseUrl: this.gateway!.baseUrl, credentials: this.operatorKey, timeoutMs: this.clientTimeoutMs, attempts: 1 });
  }

  newDestination(): Hex {
    return `0x${randomBytes(20).toString('hex')}` as Hex;
  }

  /** POST /v1/withdrawals of `amount` wei of the native coin to `destination`. */
  create(amount: bigint, destination: Hex): Promise<WithdrawalView> {
    return this.api.request<WithdrawalView>('POST', '/v1/withdrawals', { wallet: this.walletName, chain: WithdrawalWorld.CHAIN, asset: 'ETH', amount: amount.toString(), destination });
  }

  get(name: string): Promise<WithdrawalView> {
    return this.api.request<WithdrawalView>('GET', `/v1/${name}`);
  }

  /** Polls GET every 250 ms until `done`; throws after `timeoutMs` with the gateway's last output. */
  async until(name: string, done: (w: WithdrawalView) => boolean, timeoutMs = 90_000): Promise<WithdrawalView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const w = await this.get(name);
      if (done(w)) return w;
      if (Date.now() > deadline) throw new Error(`withdrawal ${name} still ${w.state} (${w.reason}): ${this.gateway!.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** The ledger's view of a withdrawal. */
  ledgerWithdrawal(name: string): Promise<{ state: string; feeActual: string; reason: string }> {
    return this.ledger.call('GetWithdrawal', { id: name.replace('withdrawals/', '') });
  }

  /** The wallet's available ETH in the ledger (a decimal string of ETH). */
  async available(): Promise<string> {
    return (await this.ledger.call<{ available: string }>('GetBalance', { account: `customer/${this.walletId}/${WithdrawalWorld.CHAIN}/ETH` })).available;
  }

  /** Stops everything that was started (whatever part of the start-up succeeded); the databases and keys removed. */
  async stop(): Promise<void> {
    await this.gateway?.stop();
    if (this.indexer) {
      this.indexer.child.kill('SIGTERM');
      await this.indexer.exited;
      this.indexer = undefined;
    }
    await Promise.all([this.engine?.stop(), this.ledger?.stop(), this.signers?.destroy(), this.anvil?.stop(), this.redis?.stop()]);
  }
}

/** Waits for every task (so that each one started is known, to be stopped); then throws the first failure. */
async function together(...tasks: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(tasks)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Starts the cluster (README, "Withdrawals") and funds a new hot wallet; on a failure stops what it started and throws. */
export async function startWithdrawalWorld(options: WithdrawalWorldOptions): Promise<WithdrawalWorld> {
  const CHAIN = WithdrawalWorld.CHAIN;
  const world = new WithdrawalWorld(options.clientTimeoutMs ?? 180_000);
  try {
    world.redis = await startPrivateRedis();
    await together(
      startSignerCluster(3, { APPROVER_KEYS: approverKeysEnv(options.approvers ?? []), SIGNER_MIN_APPROVALS: '0', ...options.signerEnv }).then((s) => (world.signers = s)),
      startAnvil({ ...options.anvil, chainId: WithdrawalWorld.CHAIN_ID }).then((a) => (world.anvil = a)),
    );
    await together(
      startPolicyEngine({ bootstrap: options.bootstrap, engineSeedFile: world.signers.secrets.policyEngine.seedFile }).then((e) => (world.engine = e)),
      LedgerUnderTest.start('pipeline').then((l) => (world.ledger = l)),
    );
    await world.ledger.call('CreateAsset', { idempotencyKey: 'asset-eth', asset: { chain: CHAIN, code: 'ETH', decimals: 18, contract: '', confirmations: 1 } });
    const [indexerHttp, indexerGrpc] = await freePorts(2);
    world.indexerGrpcAddress = `127.0.0.1:${indexerGrpc}`;
    world.indexer = CustodyProcess.start(
      [],
      {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        HTTP_PORT: String(indexerHttp),
        GRPC_PORT: String(indexerGrpc),
        METRICS_PORT: '0',
        DATABASE_URL: world.ledger.databaseUrl.toString(),
        REDIS_URL: testServerUrls().redis.toString(),
        CHAIN_RPC_URL: world.anvil.url,
        LEDGER_GRPC_ADDRESS: world.ledger.address,
        INDEXER_POLL_MS: '50',
        LOG_LEVEL: 'info',
        ...options.indexerEnv,
      },
      { command: [process.execPath, appEntry('chain-indexer')] },
    );
    await world.indexer.waitFor(/chain-indexer listening/, 30_000);
    world.gateway = new GatewayUnderTest({
      REDIS_URL: world.redis.url,
      // many withdrawals polled at once: not the rate limit under test here
      GATEWAY_RATE_LIMIT_CLIENT: '100000',
      GATEWAY_RATE_LIMIT_IP: '100000',
      GATEWAY_CHAIN_INDEXERS: `${CHAIN}=${world.indexerGrpcAddress}`,
      GATEWAY_SIGNER_ADDRESSES: world.signers.specs.map((s, i) => `${i + 1}=127.0.0.1:${s.grpcPort}`).join(','),
      POLICY_ENGINE_GRPC_ADDRESS: world.engine.grpcAddress,
      LEDGER_GRPC_ADDRESS: world.ledger.address,
      PIPELINE_CHAINS: JSON.stringify([
        { chain: CHAIN, chainId: WithdrawalWorld.CHAIN_ID, rpcUrl: world.anvil.url, maxFeePerGasCap: '100000000000', ...(options.sweepMinWei === undefined ? {} : { sweepMinWei: options.sweepMinWei.toString() }) },
      ]),
      ...options.gatewayEnv,
    });
    await world.gateway.start();
    const adminApi = new CustodyClient({ baseUrl: world.gateway.baseUrl, credentials: world.gateway.admin });
    await adminApi.request('POST', '/v1/clients', { clientId: world.operatorKey.clientId, publicKey: world.operatorKey.publicKeyHex, roles: ['operator'] });
    world.connect();
    const wallet = await world.api.request<{ name: string }>('POST', '/v1/wallets', { displayName: 'treasury', scheme: 'ecdsa-secp256k1', custody: 'hot' });
    world.walletName = wallet.name;
    world.walletId = wallet.name.replace('wallets/', '');
    const address = await world.api.request<{ address: Hex }>('POST', `/v1/${world.walletName}/addresses`, { chain: CHAIN });
    world.sender = address.address;
    // Funds on chain and in the books, credited at depth 1.
    const fund = options.fundEther ?? 10;
    await world.anvil.rpc('anvil_setBalance', [world.sender, `0x${(BigInt(fund) * ETHER).toString(16)}`]);
    await world.ledger.call('RecordDeposit', { idempotencyKey: 'fund-1', chain: CHAIN, txHash: `0x${'ab'.repeat(32)}`, logIndex: 0, asset: 'ETH', wallet: world.walletId, address: world.sender, amount: String(fund), confirmations: 1 });
    world.chain = createPublicClient({ transport: http(world.anvil.url) });
    return world;
  } catch (error) {
    await world.stop().catch(() => undefined);
    throw error;
  }
}
