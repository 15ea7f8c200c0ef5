import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { JsonRpcClient, RpcError } from './json-rpc.client';

/**
 * The client against a node on loopback that misbehaves on purpose (the real HTTP stack, a scripted
 * server): batches matched by id, retries with backoff for what can pass, none for a refusal.
 */
describe('JsonRpcClient', () => {
  let server: http.Server;
  let url: string;
  let script: Array<(body: Array<{ id: number; method: string }>, res: http.ServerResponse) => void>;
  let requests = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        requests++;
        const body = JSON.parse(text) as Array<{ id: number; method: string }>;
        const next = script.shift() ?? ((b, r) => r.end(JSON.stringify(b.map((c) => ({ jsonrpc: '2.0', id: c.id, result: c.method })))));
        next(body, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    script = [];
    requests = 0;
  });

  const delays: number[] = [];
  const client = (retries = 3) => new JsonRpcClient({ url, retries, backoffMs: 10, maxBackoffMs: 25, timeoutMs: 300, sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      } });

  it('a batch answered out of order comes back in call order', async () => {
    script.push((b, res) => res.end(JSON.stringify([...b].reverse().map((c) => ({ jsonrpc: '2.0', id: c.id, result: `${c.method}!` })))));
    await expect(client().batch([{ method: 'a', params: [] }, { method: 'b', params: [] }, { method: 'c', params: [] }])).resolves.toEqual(['a!', 'b!', 'c!']);
  });

  it('retries a 503, a non-JSON answer, an answer missing a reply, and a timeout, with growing backoff', async () => {
    delays.length = 0;
    script.push((_b, res) => res.writeHead(503).end('busy'));
    script.push((_b, res) => res.end('<html>'));
    script.push((b, res) => res.end(JSON.stringify([{ jsonrpc: '2.0', id: b[0]!.id, result: 1 }])));
    script.push(() => undefined); // never answers: the timeout
    await expect(client(5).batch([{ method: 'x', params: [] }, { method: 'y', params: [] }])).resolves.toEqual(['x', 'y']);
    expect(requests).toBe(5);
    expect(delays).toEqual([10, 20, 25, 25]);
  });

  it('gives up after the retries with the last error', async () => {
    for (let i = 0; i < 3; i++) script.push((_b, res) => res.writeHead(502).end('bad gateway'));
    await expect(client(2).call('eth_blockNumber')).rejects.toThrow(/node answered HTTP 502: bad gateway/);
    expect(requests).toBe(3);
  });

  it('a refusal (invalid params) is not retried; a long node message is cut', async () => {
    script.push((b, res) => res.end(JSON.stringify(b.map((c) => ({ jsonrpc: '2.0', id: c.id, error: { code: -32602, message: 'x'.repeat(5000) } })))));
    const error = await client().call('eth_getBlockByNumber', ['zz']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).retryable).toBe(false);
    expect((error as RpcError).code).toBe(-32602);
    expect((error as RpcError).message.length).toBeLessThan(300);
    expect(requests).toBe(1);
  });

  it('a node that is gone is retryable and named as unreachable', async () => {
    const gone = new JsonRpcClient({ url: 'http://127.0.0.1:1', retries: 0 });
    const error = (await gone.call('eth_chainId').catch((e: unknown) => e)) as RpcError;
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/node unreachable \(eth_chainId\)/);
  });
});
