import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ServerCredentials } from '@grpc/grpc-js';
import { redactUrl, type ServiceConfig } from '@custody/config';
import { createLogger, PinoNestLogger, ServiceMetrics, stopTracing } from '@custody/observability';
import { connectPostgres, DatabaseUnavailableError } from '@custody/persistence';
import { PROTO_ROOT, protoPath } from '@custody/proto';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { PlatformModule } from './platform.module';
import { startMetricsServer, MetricsPortError, type MetricsServer } from './metrics-server';
import { connectRedis, RedisUnavailableError } from './redis';

/** Exit code for a configuration or dependency problem at start-up (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;
/** How long a graceful shutdown may take before the process gives up and exits non-zero. */
export const SHUTDOWN_DEADLINE_MS = 4000;

export interface GrpcServiceDefinition {
  /** The proto package, e.g. `custody.v1`. */
  readonly package: string;
  /** The absolute path of its .proto file. */
  readonly protoPath: string;
  /** The full names of its services, e.g. `custody.v1.SystemService`. */
  readonly services: readonly string[];
}

export interface ServiceDefinition<C extends ServiceConfig> {
  readonly version: string;
  /** The app's configuration, parsed once at start-up (see each app's tracing.ts). */
  readonly config: C;
  /** The app's root module, given its configuration. */
  readonly module: (config: C, platform: DynamicModule) => Type<unknown> | DynamicModule;
  readonly grpcServices?: readonly GrpcServiceDefinition[];
  /** The app's own gRPC server settings (message limits, request decoding), if any. */
  readonly grpcServer?: GrpcServerOptions;
  /**
   * Checks on the app's own database before any module starts (e.g. that it is migrated and is
   * this node's). Throw {@link StartupCheckFailed} for a problem the operator must fix.
   */
  readonly startupChecks?: (postgres: DataSource, config: C) => Promise<void>;
  /** Default true: Nest's JSON body parser. An app that reads bodies itself (the gateway) turns it off. */
  readonly bodyParser?: boolean;
  /** Serve HTTPS and gRPC over TLS with this certificate chain and key (PEM); plaintext without. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /** Called on the created application before it is initialised (e.g. to mount the OpenAPI document). */
  readonly configureApp?: (app: INestApplication, config: C) => void;
}

export interface GrpcServerOptions {
  /** The largest message the server takes, in bytes; grpc-js answers RESOURCE_EXHAUSTED above it. */
  readonly maxReceiveMessageLength?: number;
  /** Called with the loaded definitions before the services are registered (e.g. to wrap deserializers). */
  readonly onLoadPackageDefinition?: (definition: PackageDefinition) => void;
}

/**
 * A start-up check that failed for a reason the operator must fix (a wrong key-encryption key, a
 * missing secret): the service prints it as one line and exits 78 instead of crashing.
 */
export class StartupCheckFailed extends Error {
  override readonly name = 'StartupCheckFailed';
}

function fail(service: string, message: string): never {
  // One line, no stack: an operator problem, not a bug.
  process.stderr.write(`${service}: ${message}\n`);
  process.exit(EXIT_CONFIG);
}

/**
 * The main of every service: parse and validate config (exit 78 with a message naming the
 * variable), connect to Postgres and Redis (exit 78 naming the one that is unreachable), start the
 * HTTP, gRPC and metrics servers (a port that cannot be bound: exit 78 naming it), and on SIGTERM or
 * SIGINT close everything and exit 0.
 */
export async function runService<C extends ServiceConfig>(definition: ServiceDefinition<C>): Promise<INestApplication> {
  watchSupervisor();
  const config = definition.config;
  const logger = createLogger(config.serviceName, config.logLevel);
  let postgres;
  let redis;
  try {
    postgres = await connectPostgres(config.databaseUrl, { applicationName: config.serviceName });
    redis = await connectRedis(config.redisUrl, config.serviceName);
  } catch (error) {
    if (error instanceof DatabaseUnavailableError || error instanceof RedisUnavailableError) {
      if (postgres?.isInitialized) await postgres.destroy();
      logger.fatal({ reason: error.message }, 'dependency unavailable at start-up');
      fail(config.serviceName, error.message);
    }
    throw error;
  }

  if (definition.startupChecks) {
    try {
      await definition.startupChecks(postgres, config);
    } catch (error) {
      if (error instanceof StartupCheckFailed) {
        await Promise.allSettled([postgres.destroy(), Promise.resolve(redis.disconnect())]);
        logger.fatal({ reason: error.message }, 'start-up check failed');
        fail(config.serviceName, error.message);
      }
      throw error;
    }
  }

  const metrics = new ServiceMetrics(config.serviceName, definition.version);
  const grpcServices = definition.grpcServices ?? [];
  const platform = PlatformModule.forRoot({
    config,
    postgres,
    redis,
    metrics,
    grpcServiceNames: grpcServices.flatMap((s) => s.services),
  });
  const app = await NestFactory.create(definition.module(config, platform), {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
    // A client that never reads its response must not hold a shutdown past its deadline.
    forceCloseConnections: true,
    bodyParser: definition.bodyParser ?? true,
    ...(definition.tls ? { httpsOptions: { cert: definition.tls.cert, key: definition.tls.key } } : {}),
  });
  definition.configureApp?.(app, config);
  try {
    await app.init();
  } catch (error) {
    if (error instanceof StartupCheckFailed) {
      await app.close().catch(() => undefined);
      logger.fatal({ reason: error.message }, 'start-up check failed');
      fail(config.serviceName, error.message);
    }
    throw error;
  }
  app.connectMicroservice<MicroserviceOptions>(
    {
      transport: Transport.GRPC,
      options: {
        url: `${config.host}:${config.grpcPort}`,
        package: [...new Set(['grpc.health.v1', ...grpcServices.map((s) => s.package)])],
        protoPath: [...new Set([protoPath('health'), ...grpcServices.map((s) => s.protoPath)])],
        loader: { includeDirs: [PROTO_ROOT], keepCase: false, longs: String, enums: Number, defaults: true },
        ...(definition.tls ? { credentials: ServerCredentials.createSsl(null, [{ cert_chain: definition.tls.cert, private_key: definition.tls.key }], false) } : {}),
        ...(definition.grpcServer?.maxReceiveMessageLength !== undefined ? { maxReceiveMessageLength: definition.grpcServer.maxReceiveMessageLength } : {}),
        ...(definition.grpcServer?.onLoadPackageDefinition ? { onLoadPackageDefinition: definition.grpcServer.onLoadPackageDefinition } : {}),
      },
    },
    { inheritAppConfig: true },
  );
  // A port another process holds is an operator problem: one line naming it and exit 78, no stack.
  try {
    await app.startAllMicroservices();
  } catch (error) {
    await app.close().catch(() => undefined);
    const message = `gRPC port ${config.grpcPort} on ${config.host} cannot be bound (GRPC_PORT; in use?): ${bindReason(error)}`;
    logger.fatal({ reason: message }, 'cannot listen');
    fail(config.serviceName, message);
  }
  try {
    await app.listen(config.httpPort, config.host);
  } catch (error) {
    await app.close().catch(() => undefined);
    const inUse = (error as { code?: unknown }).code === 'EADDRINUSE';
    const message = `HTTP port ${config.httpPort} on ${config.host} ${inUse ? 'is in use by another process' : 'cannot be bound'} (HTTP_PORT): ${bindReason(error)}`;
    logger.fatal({ reason: message }, 'cannot listen');
    fail(config.serviceName, message);
  }

  // /metrics on a port of its own (METRICS_PORT), never on the public HTTP port; METRICS_PORT=0: none.
  let metricsServer: MetricsServer | undefined;
  if (config.metricsPort !== undefined) {
    try {
      metricsServer = await startMetricsServer(metrics, config.host, config.metricsPort);
    } catch (error) {
      await app.close().catch(() => undefined);
      if (!(error instanceof MetricsPortError)) throw error;
      logger.fatal({ reason: error.message }, 'cannot listen');
      fail(config.serviceName, error.message);
    }
  }

  installShutdown(app, logger, metricsServer);
  logger.info(
    {
      http: `http://${config.host}:${config.httpPort}`,
      grpc: `${config.host}:${config.grpcPort}`,
      metrics: metricsServer ? `http://${config.host}:${metricsServer.port}/metrics` : 'not served (METRICS_PORT=0)',
      database: redactUrl(config.databaseUrl),
      redis: redactUrl(config.redisUrl),
      tracing: config.otlpEndpoint ? config.otlpEndpoint.toString() : 'not exported',
    },
    `${config.serviceName} listening`,
  );
  return app;
}

function bindReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.slice(0, 300);
}

/** What to do when the supervisor's IPC channel closes: exit at once until the service is up. */
let onSupervisorGone: () => void = () => process.exit(1);

/**
 * A service started by a supervisor with an IPC channel (`custody up`) stops when that channel
 * closes, which the kernel does when the supervisor dies, even by SIGKILL: no orphan keeps its ports.
 * Without a channel (Kubernetes, a shell) nothing changes.
 */
function watchSupervisor(): void {
  const channel = process.channel;
  if (!channel) return;
  channel.unref();
  process.once('disconnect', () => onSupervisorGone());
}

function installShutdown(app: INestApplication, logger: Logger, metricsServer: MetricsServer | undefined): void {
  let stopping = false;
  // A log line to a closed stdout (the supervisor died) may throw: it must not stop the shutdown.
  const log = (write: () => void): void => {
    try {
      write();
    } catch {
      // nothing to tell, no one to tell it to
    }
  };
  const stop = (signal: NodeJS.Signals | 'supervisor-gone'): void => {
    if (stopping) return;
    stopping = true;
    // The deadline first, so that nothing below can leave the process running.
    const deadline = setTimeout(() => {
      log(() => logger.error('graceful shutdown did not finish in time'));
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    log(() => logger.info({ signal }, 'shutting down'));
    Promise.resolve(metricsServer?.close())
      .then(() => app.close())
      .then(() => stopTracing())
      .then(() => {
        log(() => logger.info('stopped'));
        log(() => logger.flush());
        process.exit(0);
      })
      .catch((error: unknown) => {
        log(() => logger.error({ err: error }, 'error during shutdown'));
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  onSupervisorGone = () => stop('supervisor-gone');
}
