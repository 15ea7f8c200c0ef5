import * as net from 'node:net';
import { ServiceMetrics } from '@custody/observability';
import { MetricsPortError, startMetricsServer, type MetricsServer } from './metrics-server';

describe('metrics server (METRICS_PORT)', () => {
  const metrics = new ServiceMetrics('ledger', '1.2.3');
  let server: MetricsServer;
  let base: string;

  beforeAll(async () => {
    // Port 0: the OS picks one (the service itself never passes 0, which means no metrics server).
    server = await startMetricsServer(metrics, '127.0.0.1', 0);
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server?.close());

  it('serves the Prometheus text of the service registry at GET /metrics', async () => {
    metrics.up.set(1);
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(metrics.contentType());
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    expect(text).toContain('custody_build_info{version="1.2.3",service="ledger"} 1');
    expect(text).toContain('custody_ready{service="ledger"} 1');
  });

  it('answers HEAD without a body, a query string is ignored', async () => {
    const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(`${base}/metrics?x=1`)).status).toBe(200);
  });

  it('serves nothing else: another path is 404 (not echoed), another method 405', async () => {
    for (const path of ['/', '/healthz', '/metrics/', '/v1/system/info', `/${'a'.repeat(5000)}`]) {
      const response = await fetch(`${base}${path}`);
      expect({ path: path.slice(0, 20), status: response.status }).toEqual({ path: path.slice(0, 20), status: 404 });
      expect(await response.text()).toBe('not found: this port serves only /metrics\n');
    }
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('names the port and METRICS_PORT when it cannot bind it', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const attempt = startMetricsServer(metrics, '127.0.0.1', port);
      await expect(attempt).rejects.toThrow(MetricsPortError);
      await expect(attempt).rejects.toThrow(`metrics port ${port} on 127.0.0.1 is in use by another process (METRICS_PORT)`);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('closes, even with a client holding a connection open', async () => {
    const other = await startMetricsServer(metrics, '127.0.0.1', 0);
    const socket = net.connect(other.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    await other.close();
    await new Promise((resolve) => socket.once('close', resolve));
    expect(await fetch(`http://127.0.0.1:${other.port}/metrics`).then(() => 'answered', () => 'refused')).toBe('refused');
  });
});
