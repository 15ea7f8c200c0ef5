import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { toHex, type Hex } from 'viem';
import { parseAddress } from '@custody/chain-core';
import { appEntry, freePorts } from '@custody/local-cluster';
import { PROTO_ROOT, protoPath } from '@custody/proto';
import { CustodyProcess, testServerUrls } from '@custody/testing';
import { IndexerWorld, TOKEN, decimal } from './indexer-world';

type Unary = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response: unknown) => void) => void;

/**
 * custody.chain.v1.ChainIndexerService served by the built chain-indexer (dist/: `npm run build`
 * first) against a real anvil, ledger and Postgres: an address watched over gRPC has its deposit
 * credited; a withdrawal tracked over gRPC is confirmed in the ledger by the running service; every
 * bad field is INVALID_ARGUMENT naming it; conflicts, unknown ids and ledger preconditions have
 * their own codes.
 */
describe('chain indexer API over gRPC (the built service)', () => {
  let world: IndexerWorld;
  let service: CustodyProcess | undefined;
  let client: grpc.Client;

  beforeAll(async () => {
    world = await IndexerWorld.start('ci_api', { ethDepth: 2, tokenDepth: 2, wallets: 1 });
    const [httpPort, grpcPort] = await freePorts(2);
    const env = {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(grpcPort),
      METRICS_PORT: '0',
      DATABASE_URL: world.ledger.databaseUrl.toString(),
      REDIS_URL: testServerUrls().redis.toString(),
      CHAIN_RPC_URL: world.anvil.url,
      LEDGER_GRPC_ADDRESS: world.ledger.address,
      INDEXER_POLL_MS: '20',
      LOG_LEVEL: 'info',
    };
    service = CustodyProcess.start([], env, { command: [process.execPath, appEntry('chain-indexer')] });
    await service.waitFor(/chain-indexer listening/, 30_000);
    const definition = protoLoader.loadSync(protoPath('chainIndexer'), { includeDirs: [PROTO_ROOT], keepCase: false, longs: String, enums: String, defaults: true });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as { custody: { chain: { v1: { ChainIndexerService: grpc.ServiceClientConstructor } } } };
    client = new pkg.custody.chain.v1.ChainIndexerService(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
  }, 120_000);
  afterAll(async () => {
    client?.close();
    if (service) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    await world?.stop();
  }, 30_000);

  function call<T = Record<string, unknown>>(method: string, request: Record<string, unknown>): Promise<T> {
    return new Promise((resolve, reject) => {
      const fn = (client as unknown as Record<string, Unary>)[method[0]!.toLowerCase() + method.slice(1)]!;
      fn.call(client, request, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response as T)));
    });
  }

  async function refused(method: string, request: Record<string, unknown>): Promise<grpc.ServiceError> {
    const error = await call(method, request).then(
      () => null,
      (e: grpc.ServiceError) => e,
    );
    if (error === null) throw new Error(`${method} was accepted: ${JSON.stringify(request)}`);
    return error;
  }

  /** Waits (bounded) until `probe` holds: the service works on its own schedule. */
  async function eventually(what: string, probe: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`${what}: not reached; service output:\n${service?.lines.slice(-10).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('an address watched over gRPC: its deposit is credited at the depth; watching it again is a no-op, for another wallet ALREADY_EXISTS', async () => {
    const wallet = `api-wallet-${randomBytes(3).toString('hex')}`;
    await world.ledger.call('OpenAccount', { idempotencyKey: `open-${wallet}`, wallet, chain: 'anvil', asset: 'ETH' });
    const address = parseAddress(`0x${randomBytes(20).toString('hex')}`);
    const watched = await call('WatchAddress', { chain: 'anvil', address: address.toLowerCase(), wallet });
    expect(watched).toMatchObject({ chain: 'anvil', address, wallet });
    expect(await call('WatchAddress', { chain: 'anvil', address, wallet })).toEqual(watched);
    expect((await refused('WatchAddress', { chain: 'anvil', address, wallet: 'someone-else' })).code).toBe(grpc.status.ALREADY_EXISTS);
    const listed = await call<{ addresses: Array<{ address: string }>; nextPageToken: string }>('ListWatchedAddresses', { chain: 'anvil', wallet });
    expect(listed).toEqual({ addresses: [watched], nextPageToken: '' });
    // Paging over all of them, one per page, lists every address once in order.
    const all: string[] = [];
    let token = '';
    do {
      const page = await call<{ addresses: Array<{ address: string }>; nextPageToken: string }>('ListWatchedAddresses', { chain: 'anvil', pageSize: 1, pageToken: token });
      all.push(...page.addresses.map((a) => a.address));
      token = page.nextPageToken;
    } while (token !== '');
    expect(all).toEqual([world.wallets[0]!.address, address].sort());

    await world.anvil.rpc('eth_sendTransaction', [{ from: world.senders[0], to: address, value: toHex(12_345n) }]);
    await world.mine(2);
    await eventually('the deposit credited', async () => {
      const b = await world.ledger.call<{ posted: string }>('GetBalance', { account: `customer/${wallet}/anvil/ETH` });
      return b.posted === decimal(12_345n);
    });
  }, 60_000);

  it('a withdrawal tracked over gRPC is confirmed in the ledger by the service; GetWithdrawalTracking shows the receipt', async () => {
    const w = world.wallets[0]!;
    await world.deposit(0, 'ETH', 5n * 10n ** 18n);
    await world.mine(2);
    await eventually('the funding deposit credited', async () => (await world.balance(0, 'ETH')).posted >= 5n * 10n ** 18n);
    const sender = world.senders[1]!;
    const nonce = Number(BigInt(await world.anvil.rpc<string>('eth_getTransactionCount', [sender, 'pending'])));
    const raw = await world.anvil.rpc<Hex>('eth_signTransaction', [{ from: sender, to: world.senders[2], value: '0x1', gas: '0x5208', nonce: toHex(nonce), maxFeePerGas: '0x3b9aca000', maxPriorityFeePerGas: '0x1' }]);
    const hash = await world.anvil.rpc<Hex>('eth_sendRawTransaction', [raw]);
    const id = 'api-wd-1';
    const track = { withdrawalId: id, chain: 'anvil', sender, nonce: String(nonce), txHashes: [hash] };
    // Not in the ledger yet: FAILED_PRECONDITION; then requested but not broadcast: FAILED_PRECONDITION.
    expect((await refused('TrackWithdrawal', track)).code).toBe(grpc.status.FAILED_PRECONDITION);
    await world.ledger.call('RequestWithdrawal', {
      idempotencyKey: `rq-${id}`, id, wallet: w.id, chain: 'anvil', asset: 'ETH', amount: '1', feeEstimate: '0.01',
      destination: world.senders[2], sourceAddress: w.address, expiresAtMs: String(Date.now() + 3_600_000),
    });
    expect((await refused('TrackWithdrawal', track)).details).toMatch(/requested in the ledger/);
    for (const [event, extra] of [['approve', {}], ['sign', {}], ['broadcast', { txHash: hash }]] as const) {
      await world.ledger.call('TransitionWithdrawal', { idempotencyKey: `${event}-${id}`, id, event, ...extra });
    }
    const tracked = await call('TrackWithdrawal', track);
    expect(tracked).toMatchObject({ withdrawalId: id, chain: 'anvil', sender, nonce: String(nonce), txHashes: [hash], status: 'TRACKING_STATUS_PENDING', mined: null, ledgerOutcome: '' });
    // Idempotent; another nonce for the same id is a conflict.
    expect(await call('TrackWithdrawal', track)).toMatchObject({ status: 'TRACKING_STATUS_PENDING', txHashes: [hash] });
    expect((await refused('TrackWithdrawal', { ...track, nonce: String(nonce + 1) })).code).toBe(grpc.status.ALREADY_EXISTS);
    await world.mine(2);
    await eventually('the withdrawal confirmed', async () => (await world.ledger.call<{ state: string }>('GetWithdrawal', { id })).state === 'confirmed');
    const receipt = await world.anvil.rpc<{ gasUsed: string; effectiveGasPrice: string; blockNumber: string; blockHash: string }>('eth_getTransactionReceipt', [hash]);
    const fee = BigInt(receipt.gasUsed) * BigInt(receipt.effectiveGasPrice);
    expect((await world.ledger.call<{ feeActual: string }>('GetWithdrawal', { id })).feeActual).toBe(decimal(fee));
    const shown = await call<{ status: string; ledgerOutcome: string; mined: Record<string, unknown> }>('GetWithdrawalTracking', { withdrawalId: id });
    expect(shown).toMatchObject({ status: 'TRACKING_STATUS_MINED', ledgerOutcome: 'confirm' });
    expect(shown.mined).toMatchObject({
      txHash: hash,
      blockNumber: String(BigInt(receipt.blockNumber)),
      blockHash: receipt.blockHash,
      status: 'RECEIPT_STATUS_SUCCESS',
      gasUsed: String(BigInt(receipt.gasUsed)),
      effectiveGasPrice: String(BigInt(receipt.effectiveGasPrice)),
      feeWei: fee.toString(),
      fee: decimal(fee),
    });
    expect(Number(shown.mined.confirmations)).toBeGreaterThanOrEqual(2);
    expect((await refused('GetWithdrawalTracking', { withdrawalId: 'never-tracked' })).code).toBe(grpc.status.NOT_FOUND);
  }, 60_000);

  it('RegisterToken: the same pair again is a no-op; an asset the ledger lacks is FAILED_PRECONDITION', async () => {
    expect(await call('RegisterToken', { chain: 'anvil', contract: world.token, asset: TOKEN })).toEqual({ chain: 'anvil', contract: world.token, asset: TOKEN });
    expect((await refused('RegisterToken', { chain: 'anvil', contract: `0x${'77'.repeat(20)}`, asset: 'NOPE' })).code).toBe(grpc.status.FAILED_PRECONDITION);
    expect((await refused('RegisterToken', { chain: 'anvil', contract: `0x${'77'.repeat(20)}`, asset: TOKEN })).code).toBe(grpc.status.FAILED_PRECONDITION);
  }, 30_000);

  it.each<[string, Record<string, unknown>, string]>([
    ['WatchAddress', { chain: 'mainnet', address: `0x${'11'.repeat(20)}`, wallet: 'w' }, 'chain'],
    ['WatchAddress', { chain: 'anvil', address: '0x1234', wallet: 'w' }, 'address'],
    ['WatchAddress', { chain: 'anvil', address: `0x${'11'.repeat(20)}`, wallet: 'no spaces' }, 'wallet'],
    ['ListWatchedAddresses', { chain: 'anvil', pageSize: 1001 }, 'page_size'],
    ['ListWatchedAddresses', { chain: 'anvil', pageToken: 'garbage' }, 'page_token'],
    ['RegisterToken', { chain: 'anvil', contract: 'nope', asset: TOKEN }, 'contract'],
    ['RegisterToken', { chain: 'anvil', contract: `0x${'11'.repeat(20)}`, asset: 'T-S-T' }, 'asset'],
    ['TrackWithdrawal', { withdrawalId: '', chain: 'anvil', sender: `0x${'11'.repeat(20)}`, nonce: '0', txHashes: [`0x${'ab'.repeat(32)}`] }, 'withdrawal_id'],
    ['TrackWithdrawal', { withdrawalId: 'x', chain: 'anvil', sender: 'nope', nonce: '0', txHashes: [`0x${'ab'.repeat(32)}`] }, 'sender'],
    ['TrackWithdrawal', { withdrawalId: 'x', chain: 'anvil', sender: `0x${'11'.repeat(20)}`, nonce: '9007199254740993', txHashes: [`0x${'ab'.repeat(32)}`] }, 'nonce'],
    ['TrackWithdrawal', { withdrawalId: 'x', chain: 'anvil', sender: `0x${'11'.repeat(20)}`, nonce: '0', txHashes: [] }, 'tx_hashes'],
    ['TrackWithdrawal', { withdrawalId: 'x', chain: 'anvil', sender: `0x${'11'.repeat(20)}`, nonce: '0', txHashes: ['0xabc'] }, 'tx_hashes[0]'],
    ['GetWithdrawalTracking', { withdrawalId: 'bad id!' }, 'withdrawal_id'],
  ])('%s %j is INVALID_ARGUMENT naming %s', async (method, request, field) => {
    const error = await refused(method, request);
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toContain(`invalid ${field}`);
  });
});
