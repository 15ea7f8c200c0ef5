import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StepOutcome } from '../../../apps/chain-indexer/src/indexer/chain-indexer';
import { IndexerWorld, TOKEN } from './indexer-world';

type Answer = Array<{ id: number; result?: unknown; error?: unknown }>;
type Fault = (request: Array<{ method: string; params: unknown[] }>, answer: Answer) => Answer | 'http-500' | 'hang' | undefined;

/**
 * The node is not trusted: a loopback proxy in front of the real anvil corrupts chosen answers
 * (a block that does not link, a transaction claiming another block, a missing block, logs of another
 * branch, an HTTP 500, a hang past the timeout). None of it reaches the checkpoint: every stored hash
 * is the node's canonical one, and once the node behaves the ledger equals the model.
 */
describe('chain indexer: a misbehaving node never corrupts the checkpoint', () => {
  let world: IndexerWorld;
  let proxy: http.Server;
  let proxyUrl: string;
  const faults: Fault[] = [];
  beforeAll(async () => {
    world = await IndexerWorld.start('ci_faults');
    proxy = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        void (async () => {
          const upstream = await fetch(world.anvil.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
          const body = (await upstream.json()) as Answer;
          const request = JSON.parse(text) as Array<{ method: string; params: unknown[] }>;
          const fault = Array.isArray(request) && request.some((r) => r.method === 'eth_getBlockByNumber' && r.params[1] === true) ? faults.shift() : undefined;
          const out = fault ? fault(request, body) : body;
          if (out === 'hang') return; // the client's timeout ends it
          if (out === 'http-500') return void res.writeHead(500).end('node exploded');
          res.end(JSON.stringify(out ?? body));
        })();
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  }, 120_000);
  afterAll(async () => {
    proxy?.closeAllConnections();
    await new Promise((r) => proxy?.close(r));
    await world?.stop();
  }, 30_000);

  const block = (answer: Answer, i: number) => answer[i]!.result as Record<string, unknown> & { transactions: Array<Record<string, unknown>> };

  it('each fault is refused or retried, nothing wrong is stored, and the indexer converges', async () => {
    const indexer = world.indexer({ rpcUrl: proxyUrl });
    await world.sync(indexer);
    await world.deposit(0, 'ETH', 11n);
    await world.deposit(1, TOKEN, 12n, 1);
    await world.mine(2);
    faults.push(
      (_r, a) => (block(a, 1).parentHash = `0x${'99'.repeat(32)}`, a), // two fetched blocks that do not link
      (_r, a) => (block(a, 0).transactions[0]!.blockHash = `0x${'98'.repeat(32)}`, a), // a transaction claiming another block
      (_r, a) => ((a[1]!.result = null), a), // a block the node does not have
      (_r, a) => {
        const logs = a[a.length - 1]!.result as Array<Record<string, unknown>>;
        if (logs[0]) logs[0].blockHash = `0x${'97'.repeat(32)}`; // a log of another branch
        return a;
      },
      () => 'http-500',
      () => 'http-500',
      () => 'http-500', // more than the client's retries: the step fails, the loop would back off
      () => 'hang', // past the client's timeout: retried
    );
    const outcomes: Array<StepOutcome | string> = [];
    for (let i = 0; i < 20 && faults.length > 0; i++) {
      outcomes.push(await indexer.step().catch((e: unknown) => `error: ${e instanceof Error ? e.message : String(e)}`));
      const stored = await world.repository.storedHashes('anvil');
      for (const [n, h] of stored) {
        const canonical = await world.anvil.rpc<{ hash: string }>('eth_getBlockByNumber', [`0x${n.toString(16)}`, false]);
        expect(h).toBe(canonical.hash);
      }
    }
    expect(faults).toHaveLength(0);
    expect(outcomes.filter((o) => typeof o === 'object' && o.kind === 'retry').length).toBeGreaterThanOrEqual(3);
    expect(outcomes.some((o) => typeof o === 'string' && /HTTP 500/.test(o))).toBe(true);
    // The hang is absorbed: the client timed out and asked again within the same step.
    expect(typeof outcomes[outcomes.length - 1]).toBe('object');
    await world.sync(indexer);
    await world.mine(4);
    await world.sync(indexer);
    expect(await world.ledgerView()).toEqual(await world.model());
    expect((await world.balance(0, 'ETH')).posted).toBe(11n);
    expect((await world.balance(1, TOKEN)).posted).toBe(12n);
  }, 120_000);
});
