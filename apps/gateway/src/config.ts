import * as fs from 'node:fs';
import { ConfigError, EnvReader, parseServiceConfig, type Environment, type ServiceConfig } from '@custody/config';
import { parseEventsConfig, type EventsConfig } from './events/events.config';
import { parseAuditCheckpointConfig, type AuditCheckpointConfig } from './audit/audit.config';
import { parsePipelineConfig, type PipelineConfig } from './pipeline/pipeline.config';

/** The gateway's configuration (environment variables: see README, "The public API"). */
export interface GatewayConfig extends ServiceConfig {
  /** How far a signature's `created` may lie from the gateway's clock, either way (GATEWAY_SIGNATURE_WINDOW_SECONDS, default 300). */
  readonly signatureWindowSeconds: number;
  /** The largest request body taken, in bytes (GATEWAY_MAX_BODY_BYTES, default 1 MiB): larger ones get 413. */
  readonly maxBodyBytes: number;
  /** Requests per API client per rate window (GATEWAY_RATE_LIMIT_CLIENT, default 600). */
  readonly rateLimitPerClient: number;
  /** Requests per client IP per rate window, signed or not (GATEWAY_RATE_LIMIT_IP, default 1200). */
  readonly rateLimitPerIp: number;
  /** The rate window, in seconds (GATEWAY_RATE_WINDOW_SECONDS, default 60). */
  readonly rateWindowSeconds: number;
  /** Prefix of every Redis key the gateway writes (GATEWAY_REDIS_PREFIX, default `gateway:`). */
  readonly redisPrefix: string;
  /** How long idempotency keys are kept, in hours (GATEWAY_IDEMPOTENCY_TTL_HOURS, 24..720, default 24). */
  readonly idempotencyTtlHours: number;
  /** JSON file naming the first admin client (GATEWAY_BOOTSTRAP_FILE): `{"clientId": "...", "publicKey": "<64 hex>"}`. */
  readonly bootstrapFile: string | undefined;
  /** PEM certificate chain and key (GATEWAY_TLS_CERT_FILE, GATEWAY_TLS_KEY_FILE, both or neither): HTTPS and gRPC over TLS. */
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  /** The built console (GATEWAY_CONSOLE_DIR, default dist/console), served under /console. */
  readonly consoleDir: string | undefined;
  /** The event stream, its relay and webhooks (README, "Events and webhooks"). */
  readonly events: EventsConfig;
  /** The audit log's checkpointer (AUDIT_LOG_SEED, AUDIT_WITNESSES, …; unset seed: none). */
  readonly audit: AuditCheckpointConfig | undefined;
  /** The policy engine's gRPC address, host:port (POLICY_ENGINE_GRPC_ADDRESS): policies, approvals, the address book. Unset: those answer 503. */
  readonly policyEngineAddress: string | undefined;
  /** The custody services behind wallets, addresses, balances, deposits and messages (see {@link CustodyUpstreams}). */
  readonly upstreams: CustodyUpstreams;
  /** The withdrawal pipeline (PIPELINE_CHAINS and the services it calls); undefined: withdrawals answer `unavailable`. */
  readonly pipeline: PipelineConfig | undefined;
}

/**
 * Where the gateway finds the services behind the custody resources. Each is optional so that a
 * gateway can run the API-client surface alone; a method that needs an unset one answers 503
 * `unavailable` naming the variable.
 */
export interface CustodyUpstreams {
  /** Signer id → gRPC address (GATEWAY_SIGNER_ADDRESSES `1=host:port,2=host:port,…`): every signer takes part in each keygen. */
  readonly signers: ReadonlyMap<number, string> | undefined;
  /** Signers that must take part in a signature (GATEWAY_SIGNER_THRESHOLD, default 2, at most the number of signers). */
  readonly signerThreshold: number;
  /** The longest a keygen may take, in ms (GATEWAY_KEYGEN_TIMEOUT_MS, default 120000). */
  readonly keygenTimeoutMs: number;
  /** custody.policy.v1 (POLICY_ENGINE_GRPC_ADDRESS). */
  readonly policyEngine: string | undefined;
  /** custody.ledger.v1 (LEDGER_GRPC_ADDRESS). */
  readonly ledger: string | undefined;
  /** Chain name → its indexer's custody.chain.v1 address (GATEWAY_CHAIN_INDEXERS `anvil=host:port,…`): new deposit addresses are watched there. */
  readonly chainIndexers: ReadonlyMap<string, string>;
}

const HOST_PORT = /^[A-Za-z0-9.-]{1,253}:\d{1,5}$|^\[[0-9A-Fa-f:]{2,45}\]:\d{1,5}$/;

function address(name: string, value: string): string {
  if (!HOST_PORT.test(value) || Number(value.slice(value.lastIndexOf(':') + 1)) > 65535) throw new ConfigError(name, `${JSON.stringify(value.slice(0, 64))} is not host:port`);
  return value;
}

/** `1=host:port,2=host:port`: distinct ids 1..255, each a host:port. */
export function parseSignerAddresses(value: string | undefined): Map<number, string> | undefined {
  if (value === undefined) return undefined;
  const name = 'GATEWAY_SIGNER_ADDRESSES';
  const out = new Map<number, string>();
  for (const part of value.split(',')) {
    const match = /^\s*(\d{1,3})=(.+?)\s*$/.exec(part);
    if (!match) throw new ConfigError(name, `entry ${JSON.stringify(part.slice(0, 64))} is not <id>=<host:port>`);
    const id = Number(match[1]);
    if (id < 1 || id > 255) throw new ConfigError(name, `signer id ${id} is not in 1..255`);
    if (out.has(id)) throw new ConfigError(name, `signer ${id} is named twice`);
    out.set(id, address(name, match[2]!));
  }
  return out;
}

/** `anvil=host:port,ethereum=host:port`: one indexer per chain name. */
export function parseChainIndexers(value: string | undefined): Map<string, string> {
  const name = 'GATEWAY_CHAIN_INDEXERS';
  const out = new Map<string, string>();
  if (value === undefined || value.trim() === '') return out;
  for (const part of value.split(',')) {
    const match = /^\s*([a-z0-9][a-z0-9-]{0,63})=(.+?)\s*$/.exec(part);
    if (!match) throw new ConfigError(name, `entry ${JSON.stringify(part.slice(0, 64))} is not <chain>=<host:port>`);
    if (out.has(match[1]!)) throw new ConfigError(name, `chain ${match[1]} is named twice`);
    out.set(match[1]!, address(name, match[2]!));
  }
  return out;
}

function readUpstreams(read: EnvReader): CustodyUpstreams {
  const signers = parseSignerAddresses(read.optionalString('GATEWAY_SIGNER_ADDRESSES'));
  const signerThreshold = read.integer('GATEWAY_SIGNER_THRESHOLD', { min: 1, max: 255 }, 2);
  if (signers && signerThreshold > signers.size) throw new ConfigError('GATEWAY_SIGNER_THRESHOLD', `is ${signerThreshold}, more than the ${signers.size} signers of GATEWAY_SIGNER_ADDRESSES`);
  const policyEngine = read.optionalString('POLICY_ENGINE_GRPC_ADDRESS');
  const ledger = read.optionalString('LEDGER_GRPC_ADDRESS');
  return {
    signers,
    signerThreshold,
    keygenTimeoutMs: read.integer('GATEWAY_KEYGEN_TIMEOUT_MS', { min: 1000, max: 600_000 }, 120_000),
    policyEngine: policyEngine === undefined ? undefined : address('POLICY_ENGINE_GRPC_ADDRESS', policyEngine),
    ledger: ledger === undefined ? undefined : address('LEDGER_GRPC_ADDRESS', ledger),
    chainIndexers: parseChainIndexers(read.optionalString('GATEWAY_CHAIN_INDEXERS')),
  };
}

function readTls(certFile: string | undefined, keyFile: string | undefined): GatewayConfig['tls'] {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new ConfigError(certFile === undefined ? 'GATEWAY_TLS_CERT_FILE' : 'GATEWAY_TLS_KEY_FILE', 'is required when the other TLS file is set');
  const load = (name: string, file: string, marker: string): Buffer => {
    let pem: Buffer;
    try {
      pem = fs.readFileSync(file);
    } catch (error) {
      throw new ConfigError(name, `cannot be read (${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!pem.toString('utf8').includes(marker)) throw new ConfigError(name, `does not hold a PEM ${marker.includes('KEY') ? 'private key' : 'certificate'}`);
    return pem;
  };
  return { cert: load('GATEWAY_TLS_CERT_FILE', certFile, '-----BEGIN CERTIFICATE-----'), key: load('GATEWAY_TLS_KEY_FILE', keyFile, 'PRIVATE KEY-----') };
}

function readAddress(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[A-Za-z0-9.-]{1,253}:\d{1,5}$/.test(value) || Number(value.slice(value.lastIndexOf(':') + 1)) > 65535) throw new ConfigError(name, 'must be host:port');
  return value;
}

export function parseGatewayConfig(env: Environment): GatewayConfig {
  const read = new EnvReader(env);
  return {
    ...parseServiceConfig(env, 'gateway'),
    signatureWindowSeconds: read.integer('GATEWAY_SIGNATURE_WINDOW_SECONDS', { min: 5, max: 3600 }, 300),
    maxBodyBytes: read.integer('GATEWAY_MAX_BODY_BYTES', { min: 1024, max: 16 * 1024 * 1024 }, 1024 * 1024),
    rateLimitPerClient: read.integer('GATEWAY_RATE_LIMIT_CLIENT', { min: 1, max: 1_000_000 }, 600),
    rateLimitPerIp: read.integer('GATEWAY_RATE_LIMIT_IP', { min: 1, max: 10_000_000 }, 1200),
    rateWindowSeconds: read.integer('GATEWAY_RATE_WINDOW_SECONDS', { min: 1, max: 3600 }, 60),
    redisPrefix: read.string('GATEWAY_REDIS_PREFIX', 'gateway:'),
    idempotencyTtlHours: read.integer('GATEWAY_IDEMPOTENCY_TTL_HOURS', { min: 24, max: 720 }, 24),
    bootstrapFile: read.optionalString('GATEWAY_BOOTSTRAP_FILE'),
    tls: readTls(read.optionalString('GATEWAY_TLS_CERT_FILE'), read.optionalString('GATEWAY_TLS_KEY_FILE')),
    consoleDir: read.optionalString('GATEWAY_CONSOLE_DIR'),
    events: parseEventsConfig(env),
    audit: parseAuditCheckpointConfig(env),
    policyEngineAddress: readAddress('POLICY_ENGINE_GRPC_ADDRESS', read.optionalString('POLICY_ENGINE_GRPC_ADDRESS')),
    upstreams: readUpstreams(read),
    pipeline: parsePipelineConfig(env),
  };
}
