import { ConfigError, EnvReader, parseServiceConfig, type Environment, type ServiceConfig } from '@custody/config';
import { identityFromSeed, parseSeed, type PeerIdentity } from '@custody/peer-auth';

/** The policy-engine's configuration (environment variables: see README, "Policy engine"). */
export interface PolicyEngineConfig extends ServiceConfig {
  /** The engine's Ed25519 key (POLICY_ENGINE_SEED or _FILE): signs sign grants and hook calls. */
  readonly engineKey: EngineKey;
  /** The bootstrap file read at first start (POLICY_BOOTSTRAP_FILE); unset: the engine must already be bootstrapped. */
  readonly bootstrapFile: string | undefined;
  /** Lifetime of an issued sign grant (POLICY_GRANT_LIFETIME_MS, 1 s .. 15 min, default 5 min). */
  readonly grantLifetimeMs: number;
  /** The most stored requests one replay reads (POLICY_REPLAY_MAX_REQUESTS, default 10000). */
  readonly replayMaxRequests: number;
}

/**
 * The engine's signing key. The seed stays in a private field: it is not in JSON.stringify,
 * util.inspect or a log line (JavaScript cannot guarantee it is erased from memory).
 */
export class EngineKey {
  readonly #seed: Uint8Array;
  readonly #identity: PeerIdentity;
  readonly publicKey: Uint8Array;

  constructor(seedText: string) {
    this.#seed = parseSeed(seedText, 'POLICY_ENGINE_SEED');
    this.#identity = identityFromSeed(this.#seed);
    this.publicKey = this.#identity.publicKey;
  }

  /** The 32-byte seed, for libs/sign-grant's signGrant (which takes the RFC 8032 secret key). */
  secretKey(): Uint8Array {
    return Uint8Array.from(this.#seed);
  }

  sign(message: Uint8Array): Uint8Array {
    return this.#identity.sign(message);
  }

  toJSON(): { publicKey: string } {
    return { publicKey: Buffer.from(this.publicKey).toString('hex') };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `EngineKey(${Buffer.from(this.publicKey).toString('hex')})`;
  }
}

function wrap<T>(variable: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(variable, error instanceof Error ? `is invalid: ${error.message}` : 'is invalid');
  }
}

export function parsePolicyEngineConfig(env: Environment): PolicyEngineConfig {
  const read = new EnvReader(env);
  const service = parseServiceConfig(env, 'policy-engine');
  const engineKey = wrap('POLICY_ENGINE_SEED', () => new EngineKey(read.secret('POLICY_ENGINE_SEED')));
  return {
    ...service,
    engineKey,
    bootstrapFile: read.optionalString('POLICY_BOOTSTRAP_FILE'),
    grantLifetimeMs: read.integer('POLICY_GRANT_LIFETIME_MS', { min: 1_000, max: 15 * 60_000 }, 5 * 60_000),
    replayMaxRequests: read.integer('POLICY_REPLAY_MAX_REQUESTS', { min: 1, max: 100_000 }, 10_000),
  };
}
