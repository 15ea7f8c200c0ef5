import { EnvReader, type Environment } from '@custody/config';
import { DEFAULT_BASE_PORT } from '@custody/local-cluster';

/** Where the CLI finds Postgres and Redis: flags win, then these variables, then local defaults. */
export interface CliEnvironment {
  readonly databaseUrl: URL;
  readonly redisUrl: URL;
  readonly otlpEndpoint: URL | undefined;
  readonly logLevel: string;
  /** `custody up`'s base port (CUSTODY_BASE_PORT; `--base-port` wins). */
  readonly basePort: number;
  /** `custody up`'s secrets directory (CUSTODY_SECRETS_DIR; `--secrets-dir` wins), if set. */
  readonly secretsDir: string | undefined;
  /** Signer settings `custody up` passes to every signer when set (each signer validates them). */
  readonly signerEnv: Readonly<Record<string, string>>;
}

/** The signer variables `custody up` forwards from its own environment. */
export const FORWARDED_SIGNER_VARIABLES = [
  'APPROVER_KEYS',
  'SIGNER_MIN_APPROVALS',
  'SIGNER_SESSION_TIMEOUT_MS',
  'SIGNER_PRESIGN_POOL_SIZE',
  'SIGNER_NONCE_POOL_SIZE',
  'SIGNER_PAILLIER_BITS',
] as const;

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/custody';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The CLI's one read of the environment. */
export function readCliEnvironment(env: Environment = process.env): CliEnvironment {
  const read = new EnvReader(env);
  return {
    databaseUrl: read.url('DATABASE_URL', ['postgres', 'postgresql'], DEFAULT_DATABASE_URL),
    redisUrl: read.url('REDIS_URL', ['redis', 'rediss'], DEFAULT_REDIS_URL),
    otlpEndpoint: read.optionalUrl('OTEL_EXPORTER_OTLP_ENDPOINT', ['http', 'https']),
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace'], 'info'),
    basePort: read.port('CUSTODY_BASE_PORT', DEFAULT_BASE_PORT),
    secretsDir: read.optionalString('CUSTODY_SECRETS_DIR'),
    signerEnv: Object.fromEntries(
      FORWARDED_SIGNER_VARIABLES.flatMap((name) => {
        const value = read.optionalString(name);
        return value === undefined ? [] : [[name, value] as const];
      }),
    ),
  };
}
