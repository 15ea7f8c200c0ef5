import { status } from '@grpc/grpc-js';
import { LedgerUnderTest } from '@custody/testing';
import { balances, createAsset, customer, expectCheckPasses, failure, system, txHash, uniqueKey } from './ledger-fixtures';

const CHAIN = 'evm-31337';
const ETH = 'ETH';

interface EventResult {
  deposit: { id: string; state: string; confirmations: number; amount: string; logIndex: number } | null;
  error: { code: number; errorClass: string; message: string } | null;
}

/**
 * ApplyDepositEvents, the chain indexer's batch (seen / confirmations / reverse, each with its own
 * idempotency key), on a real ledger process and Postgres: one transaction for the batch, each event
 * answered as its single call would answer it; and deposits at the top of the proto's log index range.
 * `custody ledger check` runs after every scenario.
 */
describe('ledger deposit events (e2e, Postgres)', () => {
  let ledger: LedgerUnderTest;

  beforeAll(async () => {
    ledger = await LedgerUnderTest.start('depev', { LEDGER_HOLD_SWEEP_MS: '0', LEDGER_WITHDRAWAL_SWEEP_MS: '0' });
    await createAsset(ledger.call, CHAIN, ETH, 18, 3);
  }, 60_000);

  afterEach(async () => {
    await expectCheckPasses(ledger);
  }, 60_000);

  afterAll(async () => {
    await ledger?.stop();
  }, 30_000);

  const seen = (key: string, wallet: string, hash: string, amount: string, confirmations: number, logIndex = 0) => ({
    seen: { idempotencyKey: key, chain: CHAIN, txHash: hash, logIndex, asset: ETH, wallet, address: 'addr1', amount, confirmations },
  });
  const confirm = (key: string, hash: string, confirmations: number, logIndex = 0) => ({ confirmations: { idempotencyKey: key, deposit: { chain: CHAIN, txHash: hash, logIndex }, confirmations } });
  const reverse = (key: string, hash: string, remove: boolean, confirmations = 0) => ({ reverse: { idempotencyKey: key, deposit: { chain: CHAIN, txHash: hash, logIndex: 0 }, remove, confirmations } });
  const apply = async (events: unknown[]): Promise<EventResult[]> => (await ledger.call<{ results: EventResult[] }>('ApplyDepositEvents', { events })).results;
  const lastSequence = async (): Promise<string> => (await ledger.call<{ lastSequence: string }>('ReadOutbox', { afterSequence: '0', limit: 1 })).lastSequence;

  it('a mixed batch: every event answered on its own, the refused ones change nothing, the rest commit together', async () => {
    const [a, c] = [txHash(), txHash()];
    const before = await lastSequence();
    const results = await apply([
      seen(uniqueKey('s'), 'w-mix', a, '2', 1),
      { seen: { ...seen(uniqueKey('s'), 'w-mix', txHash(), '1', 1).seen, asset: 'NOPE' } },
      confirm(uniqueKey('c'), a, 3),
      reverse(uniqueKey('r'), txHash(), true),
      seen(uniqueKey('s'), 'w-mix', c, '0.5', 0),
      seen(uniqueKey('s'), 'w-mix', txHash(), '1.0000000000000000001', 0),
      {},
    ]);
    expect(results.map((r) => (r.deposit ? r.deposit.state : r.error!.code))).toEqual(['seen', status.INVALID_ARGUMENT, 'credited', status.NOT_FOUND, 'seen', status.INVALID_ARGUMENT, status.INVALID_ARGUMENT]);
    expect(results[1]!.error).toMatchObject({ errorClass: 'invalid-argument' });
    expect(results[1]!.error!.message).toContain('asset');
    expect(results[3]!.error).toMatchObject({ errorClass: 'not-found' });
    expect(results[5]!.error!.message).toContain('amount');
    expect(results[6]!.error!.message).toContain('events[6]');
    // seen(2) + credited(2) + seen(0.5): three events, gap-free after the ones before
    expect(BigInt(await lastSequence()) - BigInt(before)).toBe(3n);
    expect(await balances(ledger.call, [customer('w-mix', CHAIN, ETH)])).toEqual({ [customer('w-mix', CHAIN, ETH)]: { posted: '2', held: '0', incoming: '0.5', available: '2' } });
  });

  it('an idempotent retry of the whole batch, and of one event by its single call, answers the same and books nothing', async () => {
    const a = txHash();
    const keys = [uniqueKey('s'), uniqueKey('c'), uniqueKey('r'), uniqueKey('bad')];
    const seenEvent = seen(keys[0]!, 'w-retry', a, '3', 1);
    const confirmEvent = confirm(keys[1]!, a, 4);
    const events = [seenEvent, confirmEvent, reverse(keys[2]!, a, false, 1), reverse(keys[3]!, txHash(), true)];
    const first = await apply(events);
    expect(first.map((r) => r.deposit?.state ?? r.error!.code)).toEqual(['seen', 'credited', 'seen', status.NOT_FOUND]);
    const sequence = await lastSequence();
    const books = await balances(ledger.call, [customer('w-retry', CHAIN, ETH), system('pending-deposits', CHAIN, ETH)]);
    expect(await apply(events)).toEqual(first);
    expect(await lastSequence()).toBe(sequence);
    expect(await balances(ledger.call, [customer('w-retry', CHAIN, ETH), system('pending-deposits', CHAIN, ETH)])).toEqual(books);
    // the batch stored each event under its single call's method and request hash
    expect(await ledger.call('UpdateDepositConfirmations', confirmEvent.confirmations)).toEqual(first[1]!.deposit);
    expect(await ledger.call('RecordDeposit', seenEvent.seen)).toEqual(first[0]!.deposit);
    // the same key with another body is refused, in the batch as in the single call
    const conflict = await apply([confirm(keys[1]!, a, 9)]);
    expect(conflict[0]!.error).toMatchObject({ code: status.ALREADY_EXISTS, errorClass: 'idempotency-conflict' });
    expect((await failure(ledger.call('UpdateDepositConfirmations', confirm(keys[1]!, a, 9).confirmations))).code).toBe(status.ALREADY_EXISTS);
    expect(await lastSequence()).toBe(sequence);
  });

  it('a batch gives the same answers and the same books as the same events one call at a time', async () => {
    const script = (hash: string, wallet: string) => [
      seen(uniqueKey('s'), wallet, hash, '5', 1),
      confirm(uniqueKey('c'), hash, 2),
      confirm(uniqueKey('c'), hash, 3),
      reverse(uniqueKey('r'), hash, false, 0),
      confirm(uniqueKey('c'), hash, 6),
      reverse(uniqueKey('r'), hash, true),
      reverse(uniqueKey('r'), hash, true),
    ];
    const single: Array<Record<string, unknown> | number> = [];
    const one = txHash();
    for (const e of script(one, 'w-single')) {
      const [kind, body] = Object.entries(e as Record<string, Record<string, unknown>>)[0]!;
      const method = kind === 'seen' ? 'RecordDeposit' : kind === 'confirmations' ? 'UpdateDepositConfirmations' : 'ReverseDeposit';
      try {
        single.push(await ledger.call<Record<string, unknown>>(method, body));
      } catch (error) {
        single.push((error as { code: number }).code);
      }
    }
    const other = txHash();
    const batched = (await apply(script(other, 'w-batch'))).map((r) => r.deposit ?? r.error!.code);
    const strip = (x: Record<string, unknown> | number) => (typeof x === 'number' ? x : { ...x, id: '', txHash: '', wallet: '' });
    expect(batched.map((x) => strip(x as Record<string, unknown> | number))).toEqual(single.map(strip));
    expect(single[single.length - 1]).toBe(status.FAILED_PRECONDITION);
    const view = await balances(ledger.call, [customer('w-single', CHAIN, ETH), customer('w-batch', CHAIN, ETH)]);
    expect(view[customer('w-batch', CHAIN, ETH)]).toEqual(view[customer('w-single', CHAIN, ETH)]);
  });

  it('log indexes up to 2^32-1 (the proto range) are stored (the column was int4); a native transfer keeps 2^31-1 apart from a log of the same transaction', async () => {
    const hash = txHash();
    const native = 2 ** 31 - 1;
    const top = 2 ** 32 - 1;
    const results = await apply([seen(uniqueKey('s'), 'w-log', hash, '1', 3, 0), seen(uniqueKey('s'), 'w-log', hash, '2', 3, native), seen(uniqueKey('s'), 'w-log', hash, '4', 3, top)]);
    expect(results.map((r) => [r.deposit?.logIndex, r.deposit?.state])).toEqual([
      [0, 'credited'],
      [native, 'credited'],
      [top, 'credited'],
    ]);
    const single = await ledger.call<{ logIndex: number; state: string }>('RecordDeposit', { ...seen(uniqueKey('s'), 'w-log', txHash(), '8', 3, top).seen });
    expect(single).toMatchObject({ logIndex: top, state: 'credited' });
    expect(await ledger.call('UpdateDepositConfirmations', confirm(uniqueKey('c'), hash, 9, top).confirmations)).toMatchObject({ logIndex: top, confirmations: 9 });
    expect(await balances(ledger.call, [customer('w-log', CHAIN, ETH)])).toEqual({ [customer('w-log', CHAIN, ETH)]: { posted: '15', held: '0', incoming: '0', available: '15' } });
  });

  it('batches and single deposit calls racing on the same wallets: every event is booked, none answered INTERNAL or ABORTED (a batch took the outbox counter, then waited for a balance a single call held while it waited for the counter: deadlock)', async () => {
    const wallets = ['w-race-a', 'w-race-b', 'w-race-c', 'w-race-d'];
    // each batch visits the wallets in another order, so without ordered locks two writers wait on each other
    const batches = Array.from({ length: 8 }, (_, b) => Array.from({ length: 12 }, (_, i) => seen(uniqueKey('s'), wallets[(b + i) % wallets.length]!, txHash(), '1', 3)));
    const singles = Array.from({ length: 24 }, (_, i) => seen(uniqueKey('s'), wallets[(wallets.length - 1 - (i % wallets.length))]!, txHash(), '1', 3).seen);
    const outcomes = await Promise.allSettled([
      ...batches.map(async (events) => (await apply(events)).map((r) => r.deposit?.state ?? `${r.error!.code} ${r.error!.message}`)),
      ...singles.map(async (body) => [(await ledger.call<{ state: string }>('RecordDeposit', body)).state]),
    ]);
    const answers = outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value : [`${(o.reason as { code?: number }).code} ${(o.reason as Error).message}`]));
    expect(answers.filter((a) => a !== 'credited')).toEqual([]);
    expect(answers).toHaveLength(8 * 12 + 24);
    // the wallets' accounts are opened by the racing first sightings themselves
    const after = await balances(ledger.call, wallets.map((w) => customer(w, CHAIN, ETH)));
    for (const w of wallets) expect(after[customer(w, CHAIN, ETH)]).toEqual({ posted: '30', held: '0', incoming: '0', available: '30' });
  }, 120_000);

  it('a malformed batch is refused as a whole with INVALID_ARGUMENT naming events', async () => {
    const refused = await failure(ledger.call('ApplyDepositEvents', { events: [] }));
    expect(refused.code).toBe(status.INVALID_ARGUMENT);
    expect(refused.details).toContain('events');
    const tooMany = await failure(ledger.call('ApplyDepositEvents', { events: Array.from({ length: 1001 }, () => confirm(uniqueKey('c'), txHash(), 1)) }));
    expect(tooMany.code).toBe(status.INVALID_ARGUMENT);
  });
});
