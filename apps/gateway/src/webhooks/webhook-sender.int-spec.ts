import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardedLookup, sendWebhook } from './webhook-sender';

/** The delivery-time SSRF guard and the sender, against a real HTTP server on loopback. */
describe('webhook sender', () => {
  let server: http.Server;
  let port = 0;
  let hits = 0;
  let status = 204;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits++;
      req.resume();
      req.on('end', () => res.writeHead(status, status === 503 ? { 'retry-after': '7' } : {}).end(status === 302 ? '' : 'ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses, at resolution, a name that resolves to loopback unless loopback is allowed', async () => {
    const refused = await new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup({ allowLoopback: false })('localhost', {}, (error) => resolve(error)));
    expect(refused?.code).toBe('EWEBHOOKTARGET');
    expect(refused?.message).toMatch(/loopback address/);
    const allowed = await new Promise<string>((resolve, reject) => guardedLookup({ allowLoopback: true })('localhost', {}, (error, address) => (error ? reject(error) : resolve(address as string))));
    expect(['127.0.0.1', '::1']).toContain(allowed);
  });

  it('never connects to a refused target (by name or by address)', async () => {
    const before = hits;
    const byName = await sendWebhook(new URL(`http://localhost:${port}/hook`), Buffer.from('{}'), {}, 2000, { allowLoopback: false });
    const byAddress = await sendWebhook(new URL(`http://127.0.0.1:${port}/hook`), Buffer.from('{}'), {}, 2000, { allowLoopback: false });
    expect(byName.status).toBeNull();
    expect(byName.error).toMatch(/may not reach/);
    expect(byAddress.status).toBeNull();
    expect(byAddress.error).toMatch(/loopback addresses may not be reached/);
    expect(hits).toBe(before);
  });

  it('reports the status, Retry-After and no error on 2xx; a redirect is not followed', async () => {
    status = 204;
    expect(await sendWebhook(new URL(`http://127.0.0.1:${port}/hook`), Buffer.from('{}'), {}, 2000, { allowLoopback: true })).toMatchObject({ status: 204, error: null });
    status = 503;
    expect(await sendWebhook(new URL(`http://localhost:${port}/hook`), Buffer.from('{}'), {}, 2000, { allowLoopback: true })).toMatchObject({ status: 503, retryAfter: '7', error: 'HTTP 503' });
    status = 302;
    const before = hits;
    expect(await sendWebhook(new URL(`http://127.0.0.1:${port}/hook`), Buffer.from('{}'), {}, 2000, { allowLoopback: true })).toMatchObject({ status: 302, error: 'HTTP 302' });
    expect(hits).toBe(before + 1);
  });
});
