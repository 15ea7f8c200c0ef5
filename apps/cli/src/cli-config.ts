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
}

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
  };
}
