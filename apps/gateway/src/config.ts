import * as fs from 'node:fs';
import { ConfigError, EnvReader, parseServiceConfig, type Environment, type ServiceConfig } from '@custody/config';
import { parseEventsConfig, type EventsConfig } from './events/events.config';
import { parseAuditCheckpointConfig, type AuditCheckpointConfig } from './audit/audit.config';

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
  };
}
