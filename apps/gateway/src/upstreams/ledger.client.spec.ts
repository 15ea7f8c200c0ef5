import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_ROOT, protoPath } from '@custody/proto';
import { LEDGER_ASSETS_REUSE_MS, LedgerReader } from './ledger.client';

/** A ledger on loopback that answers ListAssets from `assets`, or UNAVAILABLE while `failing`. */
async function fakeLedger(): Promise<{ address: string; calls: () => number; assets: object[]; fail: (on: boolean) => void; close: () => void }> {
  const definition = protoLoader.loadSync(protoPath('ledger'), { includeDirs: [PROTO_ROOT], keepCase: false, longs: String, enums: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { custody: { ledger: { v1: { LedgerService: grpc.ServiceClientConstructor } } } };
  const server = new grpc.Server();
  const assets: object[] = [{ chain: 'evm-31337', code: 'ETH', decimals: 18, contract: '', confirmations: 3 }];
  let calls = 0;
  let failing = false;
  server.addService(pkg.custody.ledger.v1.LedgerService.service, {
    listAssets: (_call: unknown, done: grpc.sendUnaryData<unknown>) => {
      calls++;
      if (failing) done({ code: grpc.status.UNAVAILABLE, details: 'ledger restarting' });
      else done(null, { assets: [...assets] });
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { address: `127.0.0.1:${port}`, calls: () => calls, assets, fail: (on) => void (failing = on), close: () => server.forceShutdown() };
}

describe('LedgerReader asset list', () => {
  let ledger: Awaited<ReturnType<typeof fakeLedger>>;
  let clock: number;
  let reader: LedgerReader;
  beforeEach(async () => {
    ledger = await fakeLedger();
    clock = 1_000_000;
    reader = new LedgerReader(ledger.address, () => clock);
  });
  afterEach(() => {
    reader.close();
    ledger.close();
  });

  it('shares one ListAssets call among concurrent and later readers within the reuse window, then asks again', async () => {
    const lists = await Promise.all(Array.from({ length: 20 }, () => reader.assets()));
    expect(ledger.calls()).toBe(1);
    expect(lists.every((l) => l.length === 1 && l[0]!.code === 'ETH')).toBe(true);
    // Each caller gets its own array: sorting or changing one does not change another's.
    lists[0]!.pop();
    expect((await reader.assets()).length).toBe(1);
    expect(ledger.calls()).toBe(1);

    ledger.assets.push({ chain: 'evm-31337', code: 'USDC', decimals: 6, contract: '0x5fbdb2315678afecb367f032d93f642f64180aa3', confirmations: 3 });
    clock += LEDGER_ASSETS_REUSE_MS - 1;
    expect((await reader.assets()).map((a) => a.code)).toEqual(['ETH']);
    clock += 1;
    expect((await reader.assets()).map((a) => a.code)).toEqual(['ETH', 'USDC']);
    expect(ledger.calls()).toBe(2);
    // A clock that went back is no reason to keep an old list.
    clock -= 10_000;
    await reader.assets();
    expect(ledger.calls()).toBe(3);
  });

  it('does not reuse a failed call: the next reader asks the ledger again', async () => {
    ledger.fail(true);
    await expect(reader.assets()).rejects.toMatchObject({ method: 'ListAssets', code: grpc.status.UNAVAILABLE });
    ledger.fail(false);
    expect((await reader.assets()).map((a) => a.code)).toEqual(['ETH']);
    expect(ledger.calls()).toBe(2);
  });
});
