import { ConfigError, EnvReader, type Environment } from '@custody/config';
import { checkRetryPolicy, formatPublicKey, signV1, signV1a, endpointSecret, webhookPublicKey, type RetryPolicy } from '@custody/events-core';
import { parseSeed } from '@custody/peer-auth';

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;
const DAY_MS = 24 * 3600 * 1000;

/**
 * The service's webhook signing key (Ed25519). The seed stays in a private field: not in
 * JSON.stringify, util.inspect or a log line.
 */
export class WebhookSigningKey {
  readonly #seed: Uint8Array;
  readonly publicKey: Uint8Array;

  constructor(seedText: string) {
    this.#seed = parseSeed(seedText, 'GATEWAY_WEBHOOK_SIGNING_KEY');
    this.publicKey = webhookPublicKey(this.#seed);
  }

  /** `whpk_…`. */
  get published(): string {
    return formatPublicKey(this.publicKey);
  }

  /** The `webhook-signature` header: `v1,<hmac under the endpoint's secret> v1a,<ed25519>`. */
  signatureHeader(endpointId: string, id: string, timestamp: number, body: Uint8Array): string {
    return `${signV1(endpointSecret(this.#seed, endpointId), id, timestamp, body)} ${signV1a(this.#seed, id, timestamp, body)}`;
  }

  /** The endpoint's HMAC secret (shown once, at creation). */
  endpointSecret(endpointId: string): Uint8Array {
    return endpointSecret(this.#seed, endpointId);
  }

  toJSON(): { publicKey: string } {
    return { publicKey: this.published };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `WebhookSigningKey(${this.published})`;
  }
}

/** The event stream's and webhooks' part of the gateway's configuration (README, "Events and webhooks"). */
export interface EventsConfig {
  /** The ledger's gRPC address (LEDGER_GRPC_ADDRESS); unset: its outbox is not relayed. */
  readonly ledgerAddress: string | undefined;
  /** The policy engine's gRPC address (POLICY_ENGINE_GRPC_ADDRESS); unset: its outbox is not relayed. */
  readonly policyAddress: string | undefined;
  /** How often the relay reads the outboxes when idle (GATEWAY_EVENTS_RELAY_INTERVAL_MS, default 200). */
  readonly relayIntervalMs: number;
  /** Events per outbox read (GATEWAY_EVENTS_RELAY_BATCH, 1..1000, default 500). */
  readonly relayBatch: number;
  /** How often an open stream looks for new events taken in by another gateway (GATEWAY_EVENTS_POLL_MS, default 250). */
  readonly streamPollMs: number;
  /** GATEWAY_WEBHOOK_SIGNING_KEY(_FILE): Ed25519 seed, hex; unset: webhooks are off. */
  readonly webhookKey: WebhookSigningKey | undefined;
  /** GATEWAY_WEBHOOK_ALLOW_LOOPBACK=true: webhooks to loopback (http too); development and tests only. */
  readonly allowLoopback: boolean;
  /** One attempt's timeout (GATEWAY_WEBHOOK_TIMEOUT_MS, default 15000). */
  readonly webhookTimeoutMs: number;
  /** GATEWAY_WEBHOOK_RETRY_BASE_MS (5000), _MAX_MS (3600000), _FOR_MS (86400000: at least 24 h unless loopback is allowed). */
  readonly retry: RetryPolicy;
  /** Deliveries in flight at once per gateway (GATEWAY_WEBHOOK_CONCURRENCY, default 8). */
  readonly webhookConcurrency: number;
  /** How often the dispatcher looks for due deliveries it was not told about (GATEWAY_WEBHOOK_SCAN_MS, default 1000). */
  readonly webhookScanMs: number;
}

function address(read: EnvReader, name: string): string | undefined {
  const value = read.optionalString(name);
  if (value !== undefined && !HOST_PORT.test(value)) throw new ConfigError(name, 'must be host:port');
  return value;
}

function bool(read: EnvReader, name: string): boolean {
  const value = read.optionalString(name);
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ConfigError(name, 'must be true or false');
}

export function parseEventsConfig(env: Environment): EventsConfig {
  const read = new EnvReader(env);
  const hasKey = read.optionalString('GATEWAY_WEBHOOK_SIGNING_KEY') !== undefined || read.optionalString('GATEWAY_WEBHOOK_SIGNING_KEY_FILE') !== undefined;
  let webhookKey: WebhookSigningKey | undefined;
  if (hasKey) {
    const text = read.secret('GATEWAY_WEBHOOK_SIGNING_KEY');
    try {
      webhookKey = new WebhookSigningKey(text);
    } catch {
      throw new ConfigError('GATEWAY_WEBHOOK_SIGNING_KEY', 'must be a 32-byte Ed25519 seed in hex or base64');
    }
  }
  const allowLoopback = bool(read, 'GATEWAY_WEBHOOK_ALLOW_LOOPBACK');
  const retry = {
    baseDelayMs: read.integer('GATEWAY_WEBHOOK_RETRY_BASE_MS', { min: 10, max: DAY_MS }, 5000),
    maxDelayMs: read.integer('GATEWAY_WEBHOOK_RETRY_MAX_MS', { min: 10, max: DAY_MS }, 3600 * 1000),
    retryForMs: read.integer('GATEWAY_WEBHOOK_RETRY_FOR_MS', { min: 100, max: 30 * DAY_MS }, DAY_MS),
  };
  if (retry.maxDelayMs < retry.baseDelayMs) throw new ConfigError('GATEWAY_WEBHOOK_RETRY_MAX_MS', 'must be at least GATEWAY_WEBHOOK_RETRY_BASE_MS');
  if (retry.retryForMs < DAY_MS && !allowLoopback) throw new ConfigError('GATEWAY_WEBHOOK_RETRY_FOR_MS', 'must be at least 86400000 (24 h) unless GATEWAY_WEBHOOK_ALLOW_LOOPBACK=true (development)');
  return {
    ledgerAddress: address(read, 'LEDGER_GRPC_ADDRESS'),
    policyAddress: address(read, 'POLICY_ENGINE_GRPC_ADDRESS'),
    relayIntervalMs: read.integer('GATEWAY_EVENTS_RELAY_INTERVAL_MS', { min: 10, max: 60_000 }, 200),
    relayBatch: read.integer('GATEWAY_EVENTS_RELAY_BATCH', { min: 1, max: 1000 }, 500),
    streamPollMs: read.integer('GATEWAY_EVENTS_POLL_MS', { min: 10, max: 10_000 }, 250),
    webhookKey,
    allowLoopback,
    webhookTimeoutMs: read.integer('GATEWAY_WEBHOOK_TIMEOUT_MS', { min: 100, max: 60_000 }, 15_000),
    retry: checkRetryPolicy(retry),
    webhookConcurrency: read.integer('GATEWAY_WEBHOOK_CONCURRENCY', { min: 1, max: 256 }, 8),
    webhookScanMs: read.integer('GATEWAY_WEBHOOK_SCAN_MS', { min: 10, max: 60_000 }, 1000),
  };
}
