import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceMetrics } from '@custody/observability';

/** The path Prometheus scrapes. Nothing else is served on the metrics port. */
export const METRICS_PATH = '/metrics';

/** A running metrics server: where it listens, and how to stop it. */
export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export class MetricsPortError extends Error {
  override readonly name = 'MetricsPortError';
}

/**
 * Serves the service's Prometheus registry at `GET /metrics` on a port of its own (METRICS_PORT),
 * apart from the public HTTP port, so that a NetworkPolicy can open it to the monitoring system
 * alone. Any other path is 404, any other method 405; the body never echoes the request.
 * Rejects with {@link MetricsPortError} naming the port when it cannot be bound.
 */
export function startMetricsServer(metrics: ServiceMetrics, host: string, port: number): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?', 1)[0];
    res.setHeader('Cache-Control', 'no-store');
    if (path !== METRICS_PATH) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found: this port serves only ${METRICS_PATH}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    metrics.render().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': metrics.contentType() });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      () => {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
      },
    );
  });
  // A scrape is small; a client that holds a connection open must not hold up a shutdown.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const why = error.code === 'EADDRINUSE' ? 'is in use by another process' : 'cannot be bound';
      reject(new MetricsPortError(`metrics port ${port} on ${host} ${why} (METRICS_PORT): ${error.message.split('\n')[0]!.slice(0, 300)}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
