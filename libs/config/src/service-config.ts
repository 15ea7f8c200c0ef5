import { ConfigError } from './config-error';
import { EnvReader, type Environment } from './env-parser';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What every service process needs, whatever its role. */
export interface ServiceConfig {
  /** The service's name in logs, traces and metrics, e.g. `ledger` or `signer-2`. */
  readonly serviceName: string;
  /** Address both servers bind to. */
  readonly host: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly databaseUrl: URL;
  readonly redisUrl: URL;
  readonly logLevel: LogLevel;
  /** OTLP/gRPC collector; traces are exported only when it is set. */
  readonly otlpEndpoint: URL | undefined;
}

/**
 * Parses the variables common to every service. Throws {@link ConfigError} on the first missing or
 * malformed one. Nothing else in an app reads `process.env`: each app's `config.ts` calls this once.
 */
export function parseServiceConfig(env: Environment, serviceName: string): ServiceConfig {
  const read = new EnvReader(env);
  return {
    serviceName,
    host: read.string('HOST', '127.0.0.1'),
    httpPort: read.port('HTTP_PORT'),
    grpcPort: read.port('GRPC_PORT'),
    databaseUrl: read.url('DATABASE_URL', ['postgres', 'postgresql']),
    redisUrl: read.url('REDIS_URL', ['redis', 'rediss']),
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    otlpEndpoint: read.optionalUrl('OTEL_EXPORTER_OTLP_ENDPOINT', ['http', 'https']),
  };
}

/** A URL for logs and messages: the password, if any, replaced by `***`. */
export function redactUrl(url: URL): string {
  if (!url.password) return url.toString();
  const copy = new URL(url.toString());
  copy.password = '***';
  return copy.toString();
}

/**
 * Parses an app's configuration from the process environment, once, at start-up. A missing or
 * malformed variable ends the process with exit code 78 (EX_CONFIG) and one line naming it. This
 * is the only place that reads `process.env` for a service.
 */
export function parseConfigOrExit<C>(serviceName: string, parse: (env: Environment) => C): C {
  try {
    return parse(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${serviceName}: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
