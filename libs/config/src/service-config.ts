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
  /**
   * Port of the Prometheus `/metrics` server (METRICS_PORT), never the HTTP or gRPC port; `undefined`
   * when METRICS_PORT is 0: metrics are then not served at all. Unset: {@link defaultMetricsPort}.
   */
  readonly metricsPort: number | undefined;
  readonly databaseUrl: URL;
  readonly redisUrl: URL;
  readonly logLevel: LogLevel;
  /** OTLP/gRPC collector; traces are exported only when it is set. */
  readonly otlpEndpoint: URL | undefined;
}

/** The OpenTelemetry Prometheus exporter's port: the first default, and the one the Kubernetes manifests use. */
export const METRICS_PORT_BASE = 9464;

/**
 * Each service's METRICS_PORT when the variable is unset, distinct so that services started by hand
 * on one machine do not clash: gateway 9464, policy-engine 9465, ledger 9466, chain-indexer 9467,
 * signer N 9500 + N. `undefined` for a name it does not know (METRICS_PORT is then required).
 * `custody up` and the Kubernetes manifests always set METRICS_PORT themselves.
 */
export function defaultMetricsPort(serviceName: string): number | undefined {
  const services: Readonly<Record<string, number>> = { gateway: 0, 'policy-engine': 1, ledger: 2, 'chain-indexer': 3 };
  if (Object.hasOwn(services, serviceName)) return METRICS_PORT_BASE + services[serviceName]!;
  const signer = /^signer-([1-9]\d{0,2})$/.exec(serviceName);
  if (signer && Number(signer[1]) <= 255) return 9500 + Number(signer[1]);
  return undefined;
}

/**
 * Parses the variables common to every service. Throws {@link ConfigError} on the first missing or
 * malformed one. Nothing else in an app reads `process.env`: each app's `config.ts` calls this once.
 */
export function parseServiceConfig(env: Environment, serviceName: string): ServiceConfig {
  const read = new EnvReader(env);
  const httpPort = read.port('HTTP_PORT');
  const grpcPort = read.port('GRPC_PORT');
  if (grpcPort === httpPort) throw new ConfigError('GRPC_PORT', `must differ from HTTP_PORT (both ${httpPort})`);
  // 0 turns the metrics server off; any other value is a port of its own.
  const metrics = read.integer('METRICS_PORT', { min: 0, max: 65535 }, defaultMetricsPort(serviceName));
  if (metrics === httpPort || metrics === grpcPort) {
    throw new ConfigError('METRICS_PORT', `must differ from HTTP_PORT and GRPC_PORT (${metrics} is the ${metrics === httpPort ? 'HTTP' : 'gRPC'} port): /metrics is served on its own port`);
  }
  return {
    serviceName,
    host: read.string('HOST', '127.0.0.1'),
    httpPort,
    grpcPort,
    metricsPort: metrics === 0 ? undefined : metrics,
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
