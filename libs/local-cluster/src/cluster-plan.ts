import * as path from 'node:path';
import { ConfigError, PROJECT_ROOT } from '@custody/config';
import { signerDatabaseUrl } from '@custody/persistence';
import { LOCAL_CHAIN_ID, LOCAL_CHAIN_NAME, LOCAL_MAX_FEE_PER_GAS_CAP, LOCAL_SWEEP_MIN_WEI, type ChainNodeSpec } from './local-chain';
import { LOCAL_AUDIT_ORIGIN, type LocalSecrets } from './local-secrets';

export const SERVICE_APPS = ['gateway', 'policy-engine', 'ledger', 'chain-indexer'] as const;
export type ServiceApp = (typeof SERVICE_APPS)[number] | 'signer';

/** One process of the local cluster: which app, where it listens, its environment. */
export interface ServiceProcessSpec {
  /** Unique name: the app, or `signer-<id>`. */
  readonly name: string;
  readonly app: ServiceApp;
  readonly entry: string;
  readonly host: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  /** Where it serves Prometheus `/metrics` (METRICS_PORT), apart from its HTTP port. */
  readonly metricsPort: number;
  readonly env: Readonly<Record<string, string>>;
}

/** A process `custody up` supervises: one of our services, or the local chain's node (anvil). */
export type ClusterProcessSpec = ServiceProcessSpec | ChainNodeSpec;

export interface ClusterOptions {
  readonly databaseUrl: URL;
  readonly redisUrl: URL;
  /** Number of signer nodes (at least 3). */
  readonly signerCount: number;
  readonly host: string;
  readonly logLevel: string;
  readonly otlpEndpoint?: URL;
  /** Keys of the signers and of the policy engine (see local-secrets.ts). */
  readonly secrets: LocalSecrets;
  /** Plan only the signers (tests of the signer network). */
  readonly signersOnly?: boolean;
  /**
   * Extra variables for every signer (pool sizes, timeouts). Its `APPROVER_KEYS`, if any, is merged
   * with the development approvers of `secrets`, which every signer pins.
   */
  readonly signerEnv?: Readonly<Record<string, string>>;
  /** Extra variables for one signer (e.g. its TEST-ONLY primes file). */
  readonly perSignerEnv?: (signerId: number) => Readonly<Record<string, string>>;
  /**
   * The EVM node the chain indexer follows and the gateway's withdrawal pipeline sends on (default
   * {@link DEFAULT_CHAIN_RPC_URL}: anvil's own default port; `custody up` gives the anvil it runs).
   */
  readonly chainRpcUrl?: URL;
  /** That node's EIP-155 chain id (default {@link LOCAL_CHAIN_ID}). */
  readonly chainId?: number;
}

/** Where the local chain indexer looks for an EVM node when none is given: anvil's default address. */
export const DEFAULT_CHAIN_RPC_URL = 'http://127.0.0.1:8545';

/** The ports a cluster listens on: fixed defaults for `custody up`, free ports for tests. */
export interface PortAllocator {
  http(name: string, index: number): number;
  grpc(name: string, index: number): number;
  metrics(name: string, index: number): number;
}

/** `custody up`'s default base port: the gateway's HTTP port; everything else follows it. */
export const DEFAULT_BASE_PORT = 8080;

/** Position of a process in the port layout: 0..3 the services, then signer N at 3 + N. */
function portSlot(name: string): number {
  if (name.startsWith('signer-')) return SERVICE_APPS.length + Number(name.slice('signer-'.length)) - 1;
  const index = (SERVICE_APPS as readonly string[]).indexOf(name);
  if (index < 0) throw new Error(`no port slot for ${name}`);
  return index;
}

/** Ports per process: HTTP, gRPC, metrics. */
export const PORTS_PER_PROCESS = 3;

/**
 * `custody up`'s ports, all from one base B: process k (0 gateway, 1 policy-engine, 2 ledger,
 * 3 chain-indexer, 3 + N signer N) listens on HTTP B + 3k, gRPC B + 3k + 1 and metrics B + 3k + 2.
 * The default base keeps every port below Linux's ephemeral range (32768-60999), where an outgoing
 * connection may take the port first.
 */
export function portsFromBase(base: number): PortAllocator {
  return {
    http: (name) => base + PORTS_PER_PROCESS * portSlot(name),
    grpc: (name) => base + PORTS_PER_PROCESS * portSlot(name) + 1,
    metrics: (name) => base + PORTS_PER_PROCESS * portSlot(name) + 2,
  };
}

/**
 * The JSON-RPC port of the anvil `custody up` runs: the one after the last signer's metrics port,
 * B + 3(4 + N) (B + 21 with 3 signers).
 */
export function chainNodePort(base: number, signerCount: number): number {
  return base + PORTS_PER_PROCESS * (SERVICE_APPS.length + signerCount);
}

/** How many consecutive ports from the base a cluster of `signerCount` signers uses: three per process, then anvil's. */
export function portSpan(signerCount: number): number {
  return PORTS_PER_PROCESS * (SERVICE_APPS.length + signerCount) + 1;
}

/** A {@link PortAllocator} over a list of ports (e.g. from `freePorts(portSpan(n))`): process i takes the i-th three. */
export function portsFromList(ports: readonly number[]): PortAllocator {
  const at = (i: number): number => {
    const port = ports[i];
    if (port === undefined) throw new Error(`port list too short: ${ports.length} ports, needed index ${i}`);
    return port;
  };
  return {
    http: (_name, index) => at(PORTS_PER_PROCESS * index),
    grpc: (_name, index) => at(PORTS_PER_PROCESS * index + 1),
    metrics: (_name, index) => at(PORTS_PER_PROCESS * index + 2),
  };
}

/** The default layout (base {@link DEFAULT_BASE_PORT}). */
export const DEFAULT_PORTS: PortAllocator = portsFromBase(DEFAULT_BASE_PORT);

export const MIN_SIGNERS = 3;

/**
 * The signers' `APPROVER_KEYS`: the development approvers of `secrets`, plus any the operator
 * forwarded (`forwarded`, a JSON object of approver id to public key hex). The same id with another
 * key is an error, never a silent choice.
 */
export function approverKeysFor(secrets: LocalSecrets, forwarded: string | undefined): string {
  const keys: Record<string, unknown> = Object.fromEntries(secrets.approvers.map((a) => [a.id, a.publicKey]));
  if (forwarded !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(forwarded);
    } catch {
      throw new ConfigError('APPROVER_KEYS', 'is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError('APPROVER_KEYS', 'must be a JSON object of approver id to public key');
    for (const [id, key] of Object.entries(parsed as Record<string, unknown>)) {
      if (id in keys && keys[id] !== key) throw new ConfigError('APPROVER_KEYS', `gives ${id.slice(0, 32)} another key than the development approver of that name; rename it`);
      // The signer's own config parser checks the id and the key.
      keys[id] = key;
    }
  }
  return JSON.stringify(keys);
}

export function appEntry(app: ServiceApp): string {
  return path.join(PROJECT_ROOT, 'dist', 'apps', app, 'src', 'main.js');
}

/** Every process of a local cluster: the four services and `signerCount` signers, each its own database for signers. */
export function planCluster(options: ClusterOptions, ports: PortAllocator): ServiceProcessSpec[] {
  if (!Number.isInteger(options.signerCount) || options.signerCount < MIN_SIGNERS) {
    throw new Error(`a cluster needs at least ${MIN_SIGNERS} signers, got ${options.signerCount}`);
  }
  const common: Record<string, string> = {
    HOST: options.host,
    REDIS_URL: options.redisUrl.toString(),
    LOG_LEVEL: options.logLevel,
    ...(options.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint.toString() } : {}),
  };
  const names: Array<{ name: string; app: ServiceApp; signerId?: number }> = [
    ...(options.signersOnly ? [] : SERVICE_APPS.map((app) => ({ name: app, app }))),
    ...Array.from({ length: options.signerCount }, (_, i) => ({ name: `signer-${i + 1}`, app: 'signer' as const, signerId: i + 1 })),
  ];
  const placed = names.map((n, index) => ({ ...n, httpPort: ports.http(n.name, index), grpcPort: ports.grpc(n.name, index), metricsPort: ports.metrics(n.name, index) }));
  const approverKeys = approverKeysFor(options.secrets, options.signerEnv?.APPROVER_KEYS);
  const peers = JSON.stringify(
    placed
      .filter((p) => p.signerId !== undefined)
      .map((p) => ({ id: p.signerId, publicKey: options.secrets.signers.get(p.signerId!)!.identityPublicKey, address: `${options.host}:${p.grpcPort}` })),
  );
  const ledger = placed.find((p) => p.app === 'ledger');
  const policyEngine = placed.find((p) => p.app === 'policy-engine');
  const audit = options.signersOnly ? undefined : options.secrets.auditLog;
  const witnesses = placed
    .filter((p) => p.signerId !== undefined && options.secrets.signers.get(p.signerId)?.witnessVerifierKey !== undefined)
    .map((p) => `${options.host}:${p.grpcPort}=${options.secrets.signers.get(p.signerId!)!.witnessVerifierKey!}`)
    .join(',');
  const indexer = placed.find((p) => p.app === 'chain-indexer');
  const chainRpcUrl = (options.chainRpcUrl ?? new URL(DEFAULT_CHAIN_RPC_URL)).toString();
  const chainId = options.chainId ?? LOCAL_CHAIN_ID;
  // The gateway reaches every signer (keygens take all; signatures a quorum), the policy engine and the ledger.
  const gatewayUpstreams: Record<string, string> = {
    GATEWAY_SIGNER_ADDRESSES: placed
      .filter((p) => p.signerId !== undefined)
      .map((p) => `${p.signerId}=${options.host}:${p.grpcPort}`)
      .join(','),
    ...(policyEngine ? { POLICY_ENGINE_GRPC_ADDRESS: `${options.host}:${policyEngine.grpcPort}` } : {}),
    ...(ledger ? { LEDGER_GRPC_ADDRESS: `${options.host}:${ledger.grpcPort}` } : {}),
    // The local chain indexer follows the local chain (anvil).
    ...(indexer ? { GATEWAY_CHAIN_INDEXERS: `${LOCAL_CHAIN_NAME}=${options.host}:${indexer.grpcPort}` } : {}),
  };
  // The withdrawal pipeline sends on the local chain; approvals and receipts are polled every 0.5 s.
  const pipeline: Record<string, string> =
    ledger && policyEngine
      ? {
          PIPELINE_CHAINS: JSON.stringify([{ chain: LOCAL_CHAIN_NAME, chainId, rpcUrl: chainRpcUrl, maxFeePerGasCap: LOCAL_MAX_FEE_PER_GAS_CAP.toString(), sweepMinWei: LOCAL_SWEEP_MIN_WEI.toString() }]),
          PIPELINE_POLL_MS: '500',
        }
      : {};
  return placed.map(({ name, app, signerId, httpPort, grpcPort, metricsPort }) => {
    const databaseUrl = signerId === undefined ? options.databaseUrl : signerDatabaseUrl(options.databaseUrl, signerId);
    const signerSecrets = signerId === undefined ? undefined : options.secrets.signers.get(signerId);
    return {
      name,
      app,
      entry: appEntry(app),
      host: options.host,
      httpPort,
      grpcPort,
      metricsPort,
      env: {
        ...common,
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        METRICS_PORT: String(metricsPort),
        DATABASE_URL: databaseUrl.toString(),
        ...(app === 'policy-engine'
          ? { POLICY_ENGINE_SEED_FILE: options.secrets.policyEngine.seedFile, POLICY_BOOTSTRAP_FILE: options.secrets.policyEngine.bootstrapFile }
          : {}),
        ...(app === 'chain-indexer'
          ? { CHAIN_RPC_URL: chainRpcUrl, CHAIN_NAME: LOCAL_CHAIN_NAME, CHAIN_ID: String(chainId), ...(ledger ? { LEDGER_GRPC_ADDRESS: `${options.host}:${ledger.grpcPort}` } : {}) }
          : {}),
        ...(app === 'gateway' && options.secrets.gatewayBootstrapFile ? { GATEWAY_BOOTSTRAP_FILE: options.secrets.gatewayBootstrapFile } : {}),
        // The gateway's upstreams (signers, policy engine, ledger, chain indexer); the event relay reads the ledger's
        // and the policy engine's outboxes; webhooks are signed by the development key and may go to loopback
        // receivers (development only).
        // Its Redis keys (BullMQ queues among them) under the cluster's database name: clusters sharing one Redis
        // (tests in parallel, two `custody up`) never take each other's jobs.
        ...(app === 'gateway'
          ? {
              GATEWAY_REDIS_PREFIX: `gateway:${decodeURIComponent(options.databaseUrl.pathname.slice(1))}:`,
              ...gatewayUpstreams,
              ...pipeline,
              ...(options.secrets.gatewayWebhookKeyFile ? { GATEWAY_WEBHOOK_SIGNING_KEY_FILE: options.secrets.gatewayWebhookKeyFile, GATEWAY_WEBHOOK_ALLOW_LOOPBACK: 'true' } : {}),
            }
          : {}),
        // The audit log (full clusters only): the gateway checkpoints, the signers witness and write their records.
        ...(app === 'gateway' && audit ? { AUDIT_LOG_SEED_FILE: audit.seedFile, AUDIT_LOG_ORIGIN: LOCAL_AUDIT_ORIGIN, AUDIT_WITNESSES: witnesses } : {}),
        ...(signerId === undefined || !signerSecrets
          ? {}
          : {
              SIGNER_ID: String(signerId),
              SIGNER_IDENTITY_SEED_FILE: signerSecrets.identitySeedFile,
              SIGNER_KEK_FILE: signerSecrets.kekFile,
              SIGNER_PEERS: peers,
              POLICY_ENGINE_PUBLIC_KEY: options.secrets.policyEngine.publicKey,
              ...(audit ? { AUDIT_LOG_KEY: audit.verifierKey, AUDIT_DATABASE_URL: options.databaseUrl.toString() } : {}),
              ...options.signerEnv,
              APPROVER_KEYS: approverKeys,
              ...options.perSignerEnv?.(signerId),
            }),
      },
    };
  });
}
