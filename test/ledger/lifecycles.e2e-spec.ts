import { status } from '@grpc/grpc-js';
import { LedgerUnderTest } from '@custody/testing';
import { balance, balances, createAsset, customer, expectCheckPasses, failure, fund, system, txHash, uniqueKey, units } from './ledger-fixtures';

const CHAIN = 'evm-31337';
const ETH = 'ETH';
const USDC = 'USDC';

/**
 * The ledger's lifecycles through its gRPC API, one scenario per test, on a real ledger process and
 * Postgres; `custody ledger check` runs after every scenario.
 */
describe('ledger lifecycles (e2e, Postgres)', () => {
  let ledger: LedgerUnderTest;

  beforeAll(async () => {
    ledger = await LedgerUnderTest.start('life', { LEDGER_HOLD_SWEEP_MS: '200', LEDGER_WITHDRAWAL_SWEEP_MS: '0' });
    await createAsset(ledger.call, CHAIN, ETH, 18, 3);
    await createAsset(ledger.call, CHAIN, USDC, 6, 3);
  }, 60_000);

  afterEach(async () => {
    await expectCheckPasses(ledger);
  }, 60_000);

  afterAll(async () => {
    await ledger?.stop();
  }, 30_000);

  async function request(wallet: string, id: string, amount: string, fee: string, expiresInMs = 600_000): Promise<Record<string, unknown>> {
    return ledger.call('RequestWithdrawal', {
      idempotencyKey: uniqueKey('wr'),
      id,
      wallet,
      chain: CHAIN,
      asset: ETH,
      amount,
      feeEstimate: fee,
      destination: '0xdest',
      sourceAddress: 'hot1',
      expiresAtMs: String(Date.now() + expiresInMs),
    });
  }

  function step(id: string, event: string, extra: Record<string, string> = {}): Promise<Record<string, unknown>> {
    return ledger.call('TransitionWithdrawal', { idempotencyKey: uniqueKey('wt'), id, event, ...extra });
  }

  it('a withdrawal confirmed: amount + fee estimate held, then the amount and the actual fee booked and the rest released', async () => {
    await fund(ledger.call, 'w-conf', CHAIN, ETH, '2', 3);
    const account = customer('w-conf', CHAIN, ETH);
    await request('w-conf', 'wd-conf', '1', '0.01');
    expect(await balance(ledger.call, account)).toMatchObject({ posted: '2', held: '1.01', available: '0.99' });
    await step('wd-conf', 'approve');
    await step('wd-conf', 'sign');
    await step('wd-conf', 'broadcast', { txHash: txHash() });
    const done = await step('wd-conf', 'confirm', { feeActual: '0.004' });
    expect(done).toMatchObject({ state: 'confirmed', feeActual: '0.004' });
    expect(await balance(ledger.call, account)).toMatchObject({ posted: '0.996', held: '0', available: '0.996' });
    expect(await balance(ledger.call, system('fees', CHAIN, ETH))).toMatchObject({ posted: '0' });
  });

  it('a withdrawal whose actual fee exceeds the estimate: the customer pays the estimate, the excess is booked to fees', async () => {
    await fund(ledger.call, 'w-fee', CHAIN, ETH, '1', 3);
    const fees = await balance(ledger.call, system('fees', CHAIN, ETH));
    await request('w-fee', 'wd-fee', '0.5', '0.01');
    await step('wd-fee', 'approve');
    await step('wd-fee', 'sign');
    await step('wd-fee', 'broadcast', { txHash: txHash() });
    await step('wd-fee', 'confirm', { feeActual: '0.03' });
    expect(await balance(ledger.call, customer('w-fee', CHAIN, ETH))).toMatchObject({ posted: '0.49', held: '0' });
    const after = await balance(ledger.call, system('fees', CHAIN, ETH));
    expect(units(after.posted, 18) - units(fees.posted, 18)).toBe(units('0.02', 18));
  });

  for (const [name, path] of [
    ['rejected', ['reject']],
    ['cancelled while requested', ['cancel']],
    ['cancelled once approved', ['approve', 'cancel']],
    ['failed once approved', ['approve', 'fail']],
    ['failed once signed', ['approve', 'sign', 'fail']],
    ['failed once broadcast', ['approve', 'sign', 'broadcast', 'fail']],
  ] as const) {
    it(`a withdrawal ${name}: its hold is voided and the balance is as before`, async () => {
      const wallet = `w-${name.replace(/[^a-z]/g, '')}`;
      await fund(ledger.call, wallet, CHAIN, ETH, '3', 3);
      const before = await balances(ledger.call, [customer(wallet, CHAIN, ETH), system('onchain', CHAIN, ETH)]);
      const id = `wd-${wallet}`;
      await request(wallet, id, '1', '0.1');
      let last: Record<string, unknown> = {};
      for (const event of path) last = await step(id, event, event === 'broadcast' ? { txHash: txHash() } : event === 'fail' || event === 'reject' ? { reason: 'test' } : {});
      expect(last.state).toBe(name.split(' ')[0]);
      expect(await balances(ledger.call, [customer(wallet, CHAIN, ETH), system('onchain', CHAIN, ETH)])).toEqual(before);
    });
  }

  it('a withdrawal expired after its deadline: hold voided; approve after the deadline is refused', async () => {
    await fund(ledger.call, 'w-exp', CHAIN, ETH, '1', 3);
    await request('w-exp', 'wd-exp', '0.5', '0', 1500);
    expect((await failure(step('wd-exp', 'expire'))).code).toBe(status.FAILED_PRECONDITION);
    await new Promise((r) => setTimeout(r, 1600));
    const late = await failure(step('wd-exp', 'approve'));
    expect(late.code).toBe(status.FAILED_PRECONDITION);
    expect(late.details).toContain('deadline');
    expect(await step('wd-exp', 'expire')).toMatchObject({ state: 'expired' });
    expect(await balance(ledger.call, customer('w-exp', CHAIN, ETH))).toMatchObject({ posted: '1', held: '0' });
  });

  it('every illegal withdrawal transition is refused with FAILED_PRECONDITION and changes nothing', async () => {
    const legal: Record<string, string[]> = {
      requested: ['approve', 'reject', 'cancel', 'expire'],
      approved: ['sign', 'cancel', 'expire', 'fail'],
      signed: ['broadcast', 'expire', 'fail'],
      broadcast: ['confirm', 'fail'],
      confirmed: [],
      rejected: [],
    };
    const reach: Record<string, string[]> = { requested: [], approved: ['approve'], signed: ['approve', 'sign'], broadcast: ['approve', 'sign', 'broadcast'], confirmed: ['approve', 'sign', 'broadcast', 'confirm'], rejected: ['reject'] };
    const events = ['approve', 'reject', 'sign', 'broadcast', 'confirm', 'fail', 'expire', 'cancel'];
    await fund(ledger.call, 'w-ill', CHAIN, ETH, '100', 3);
    let n = 0;
    for (const [state, path] of Object.entries(reach)) {
      const id = `wd-ill-${state}`;
      await request('w-ill', id, '1', '0.1');
      for (const e of path) await step(id, e, e === 'broadcast' ? { txHash: txHash() } : e === 'confirm' ? { feeActual: '0.1' } : {});
      for (const event of events) {
        // expire is refused before the deadline even where the table allows it
        if (legal[state]!.includes(event) && event !== 'expire') continue;
        const before = await balances(ledger.call, [customer('w-ill', CHAIN, ETH)]);
        const refused = await failure(step(id, event, event === 'broadcast' ? { txHash: txHash() } : event === 'confirm' ? { feeActual: '0.1' } : {}));
        expect({ state, event, code: refused.code }).toEqual({ state, event, code: status.FAILED_PRECONDITION });
        expect(refused.details).toContain(event);
        expect(await ledger.call('GetWithdrawal', { id })).toMatchObject({ state });
        expect(await balances(ledger.call, [customer('w-ill', CHAIN, ETH)])).toEqual(before);
        n++;
      }
    }
    expect(n).toBeGreaterThan(25);
  });

  it('a withdrawal beyond the available balance is refused for insufficient funds', async () => {
    await fund(ledger.call, 'w-poor', CHAIN, ETH, '1', 3);
    const refused = await failure(request('w-poor', 'wd-poor', '1', '0.0001'));
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.details).toMatch(/insufficient funds/);
    expect(await balance(ledger.call, customer('w-poor', CHAIN, ETH))).toMatchObject({ posted: '1', held: '0' });
  });

  it('a hold posted in part: the posted part is booked, the remainder returns', async () => {
    await fund(ledger.call, 'h-part', CHAIN, USDC, '100', 3);
    const from = customer('h-part', CHAIN, USDC);
    await ledger.call('OpenAccount', { idempotencyKey: uniqueKey('acct'), wallet: 'h-part-to', chain: CHAIN, asset: USDC });
    const to = customer('h-part-to', CHAIN, USDC);
    await ledger.call('CreateHold', { idempotencyKey: uniqueKey('h'), id: 'hold-part', debitAccount: from, creditAccount: to, amount: '40', expiresAtMs: '0' });
    expect(await balance(ledger.call, from)).toMatchObject({ posted: '100', held: '40', available: '60' });
    expect(await balance(ledger.call, to)).toMatchObject({ posted: '0', incoming: '40' });
    const posted = await ledger.call('PostHold', { idempotencyKey: uniqueKey('p'), id: 'hold-part', amount: '25.5' });
    expect(posted).toMatchObject({ state: 'posted', postedAmount: '25.5', amount: '40' });
    expect(await balance(ledger.call, from)).toMatchObject({ posted: '74.5', held: '0', available: '74.5' });
    expect(await balance(ledger.call, to)).toMatchObject({ posted: '25.5', incoming: '0' });
    expect((await failure(ledger.call('VoidHold', { idempotencyKey: uniqueKey('v'), id: 'hold-part' }))).code).toBe(status.FAILED_PRECONDITION);
  });

  it('a hold posted in full, a hold voided, and a post above the held amount refused', async () => {
    await fund(ledger.call, 'h-full', CHAIN, USDC, '10', 3);
    const from = customer('h-full', CHAIN, USDC);
    const to = system('suspense', CHAIN, USDC);
    await ledger.call('CreateHold', { idempotencyKey: uniqueKey('h'), id: 'hold-full', debitAccount: from, creditAccount: to, amount: '3', expiresAtMs: '0' });
    expect((await failure(ledger.call('PostHold', { idempotencyKey: uniqueKey('p'), id: 'hold-full', amount: '3.000001' }))).code).toBe(status.INVALID_ARGUMENT);
    expect(await ledger.call('PostHold', { idempotencyKey: uniqueKey('p'), id: 'hold-full', amount: '' })).toMatchObject({ state: 'posted', postedAmount: '3' });
    await ledger.call('CreateHold', { idempotencyKey: uniqueKey('h'), id: 'hold-void', debitAccount: from, creditAccount: to, amount: '7', expiresAtMs: '0' });
    expect((await failure(ledger.call('CreateHold', { idempotencyKey: uniqueKey('h'), id: 'hold-over', debitAccount: from, creditAccount: to, amount: '0.000001', expiresAtMs: '0' }))).code).toBe(
      status.FAILED_PRECONDITION,
    );
    expect(await ledger.call('VoidHold', { idempotencyKey: uniqueKey('v'), id: 'hold-void' })).toMatchObject({ state: 'voided' });
    expect(await balance(ledger.call, from)).toMatchObject({ posted: '7', held: '0' });
  });

  it('a hold expires at its deadline (the sweeper), its amount returns, and a post after it is refused', async () => {
    await fund(ledger.call, 'h-exp', CHAIN, USDC, '5', 3);
    const from = customer('h-exp', CHAIN, USDC);
    await ledger.call('CreateHold', { idempotencyKey: uniqueKey('h'), id: 'hold-exp', debitAccount: from, creditAccount: system('suspense', CHAIN, USDC), amount: '5', expiresAtMs: String(Date.now() + 800) });
    expect(await balance(ledger.call, from)).toMatchObject({ available: '0' });
    let state = 'pending';
    for (let i = 0; i < 100 && state === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const events = await ledger.call<{ events: Array<{ type: string; subject: string }> }>('ReadOutbox', { afterSequence: '0', limit: 1000 });
      if (events.events.some((e) => e.type === 'hold.expired' && e.subject === 'hold/hold-exp')) state = 'expired';
    }
    expect(state).toBe('expired');
    expect(await balance(ledger.call, from)).toMatchObject({ posted: '5', held: '0', available: '5' });
    expect((await failure(ledger.call('PostHold', { idempotencyKey: uniqueKey('p'), id: 'hold-exp' }))).code).toBe(status.FAILED_PRECONDITION);
  });

  it('a duplicate deposit event is credited once', async () => {
    const hash = txHash();
    const deposit = { chain: CHAIN, txHash: hash, logIndex: 2, asset: ETH, wallet: 'd-dup', address: 'addr9', amount: '1.25', confirmations: 5 };
    await ledger.call('RecordDeposit', { idempotencyKey: uniqueKey('d'), ...deposit });
    const again = await ledger.call('RecordDeposit', { idempotencyKey: uniqueKey('d'), ...deposit });
    expect(again).toMatchObject({ state: 'credited' });
    await ledger.call('UpdateDepositConfirmations', { idempotencyKey: uniqueKey('c'), deposit: { chain: CHAIN, txHash: hash, logIndex: 2 }, confirmations: 9 });
    expect(await balance(ledger.call, customer('d-dup', CHAIN, ETH))).toMatchObject({ posted: '1.25', incoming: '0' });
    const other = await failure(ledger.call('RecordDeposit', { idempotencyKey: uniqueKey('d'), ...deposit, amount: '2' }));
    expect(other.code).toBe(status.ALREADY_EXISTS);
  });

  it('a deposit seen, confirmed to the depth, credited, then reversed by a reorg leaves every balance as before it', async () => {
    const accounts = [customer('d-reorg', CHAIN, ETH), system('onchain', CHAIN, ETH), system('pending-deposits', CHAIN, ETH), system('suspense', CHAIN, ETH)];
    await ledger.call('OpenAccount', { idempotencyKey: uniqueKey('acct'), wallet: 'd-reorg', chain: CHAIN, asset: ETH });
    const before = await balances(ledger.call, accounts);
    const hash = txHash();
    const ref = { chain: CHAIN, txHash: hash, logIndex: 0 };
    expect(await ledger.call('RecordDeposit', { idempotencyKey: uniqueKey('d'), ...ref, asset: ETH, wallet: 'd-reorg', address: 'addr2', amount: '0.7', confirmations: 1 })).toMatchObject({ state: 'seen' });
    expect(await balance(ledger.call, accounts[0]!)).toMatchObject({ posted: '0', incoming: '0.7' });
    await ledger.call('UpdateDepositConfirmations', { idempotencyKey: uniqueKey('c'), deposit: ref, confirmations: 2 });
    expect(await ledger.call('UpdateDepositConfirmations', { idempotencyKey: uniqueKey('c'), deposit: ref, confirmations: 3 })).toMatchObject({ state: 'credited' });
    expect(await balance(ledger.call, accounts[0]!)).toMatchObject({ posted: '0.7', incoming: '0' });
    expect(await ledger.call('ReverseDeposit', { idempotencyKey: uniqueKey('r'), deposit: ref, remove: true })).toMatchObject({ state: 'removed' });
    expect(await balances(ledger.call, accounts)).toEqual(before);
    expect((await failure(ledger.call('ReverseDeposit', { idempotencyKey: uniqueKey('r'), deposit: ref, remove: true }))).code).toBe(status.FAILED_PRECONDITION);
  });

  it('a reorg of a credited deposit the customer already spent: the shortfall is covered from suspense, the customer never goes negative', async () => {
    const hash = txHash();
    const ref = { chain: CHAIN, txHash: hash, logIndex: 0 };
    await ledger.call('RecordDeposit', { idempotencyKey: uniqueKey('d'), ...ref, asset: USDC, wallet: 'd-spent', address: 'addr3', amount: '10', confirmations: 3 });
    await ledger.call('OpenAccount', { idempotencyKey: uniqueKey('acct'), wallet: 'd-spent-to', chain: CHAIN, asset: USDC });
    await ledger.call('CreateTransfer', { idempotencyKey: uniqueKey('t'), debitAccount: customer('d-spent', CHAIN, USDC), creditAccount: customer('d-spent-to', CHAIN, USDC), amount: '6' });
    const suspense = await balance(ledger.call, system('suspense', CHAIN, USDC));
    expect(await ledger.call('ReverseDeposit', { idempotencyKey: uniqueKey('r'), deposit: ref, remove: false })).toMatchObject({ state: 'seen' });
    expect(await balance(ledger.call, customer('d-spent', CHAIN, USDC))).toMatchObject({ posted: '0', incoming: '10' });
    const after = await balance(ledger.call, system('suspense', CHAIN, USDC));
    expect(units(after.posted, 6) - units(suspense.posted, 6)).toBe(units('6', 6));
  });

  it('an idempotent retry returns the first response and books nothing more; the same key with another body is refused', async () => {
    await fund(ledger.call, 'i-from', CHAIN, USDC, '50', 3);
    await ledger.call('OpenAccount', { idempotencyKey: uniqueKey('acct'), wallet: 'i-to', chain: CHAIN, asset: USDC });
    const key = uniqueKey('retry');
    const body = { idempotencyKey: key, debitAccount: customer('i-from', CHAIN, USDC), creditAccount: customer('i-to', CHAIN, USDC), amount: '12.5' };
    const first = await ledger.call('CreateTransfer', body);
    const second = await ledger.call('CreateTransfer', body);
    expect(second).toEqual(first);
    expect(await balance(ledger.call, customer('i-to', CHAIN, USDC))).toMatchObject({ posted: '12.5' });
    const conflict = await failure(ledger.call('CreateTransfer', { ...body, amount: '12.6' }));
    expect(conflict.code).toBe(status.ALREADY_EXISTS);
    expect(conflict.details).toContain('idempotency key');
    const otherMethod = await failure(ledger.call('CreateHold', { idempotencyKey: key, id: 'h-x', debitAccount: body.debitAccount, creditAccount: body.creditAccount, amount: '1', expiresAtMs: '0' }));
    expect(otherMethod.code).toBe(status.ALREADY_EXISTS);
    // a refusal is stored too: the retry of a refused request is refused the same way
    const poorKey = uniqueKey('poor');
    const poor = { idempotencyKey: poorKey, debitAccount: customer('i-to', CHAIN, USDC), creditAccount: customer('i-from', CHAIN, USDC), amount: '100' };
    const refused = await failure(ledger.call('CreateTransfer', poor));
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(await failure(ledger.call('CreateTransfer', poor))).toEqual(refused);
  });

  it('balances as of an earlier outbox sequence number, entries paginated, reconciliation per address', async () => {
    await fund(ledger.call, 'r-w', CHAIN, ETH, '4', 3, 'addrR');
    const mid = await balance(ledger.call, customer('r-w', CHAIN, ETH));
    await fund(ledger.call, 'r-w', CHAIN, ETH, '1', 3, 'addrR');
    expect(await balance(ledger.call, customer('r-w', CHAIN, ETH), mid.sequence)).toMatchObject({ posted: '4', sequence: mid.sequence });
    expect(await balance(ledger.call, customer('r-w', CHAIN, ETH))).toMatchObject({ posted: '5' });
    const seen: string[] = [];
    let token = '';
    do {
      const page = await ledger.call<{ entries: Array<{ id: string }>; nextPageToken: string }>('ListEntries', { account: customer('r-w', CHAIN, ETH), pageSize: 1, pageToken: token });
      seen.push(...page.entries.map((e) => e.id));
      token = page.nextPageToken;
    } while (token !== '');
    expect(seen).toHaveLength(2);
    expect(new Set(seen).size).toBe(2);
    const recon = await ledger.call<{ rows: Array<{ address: string; asset: string; amount: string }> }>('GetReconciliation', { chain: CHAIN });
    expect(recon.rows).toContainEqual({ chain: CHAIN, asset: ETH, address: 'addrR', amount: '5' });
  });

  it('CreateTransfers books linked legs together: all or none (one overdrawn leg refuses the whole batch)', async () => {
    await fund(ledger.call, 'b-from', CHAIN, USDC, '10', 3);
    await ledger.call('OpenAccount', { idempotencyKey: uniqueKey('acct'), wallet: 'b-to', chain: CHAIN, asset: USDC });
    const from = customer('b-from', CHAIN, USDC);
    const to = customer('b-to', CHAIN, USDC);
    const refused = await failure(
      ledger.call('CreateTransfers', {
        idempotencyKey: uniqueKey('b'),
        transfers: [
          { debitAccount: from, creditAccount: to, amount: '6' },
          { debitAccount: from, creditAccount: to, amount: '5' },
        ],
      }),
    );
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(await balance(ledger.call, from)).toMatchObject({ posted: '10' });
    const booked = await ledger.call<{ entries: Array<{ id: string; sequence: string }> }>('CreateTransfers', {
      idempotencyKey: uniqueKey('b'),
      transfers: [
        { debitAccount: from, creditAccount: to, amount: '6' },
        { debitAccount: from, creditAccount: to, amount: '4' },
        { debitAccount: to, creditAccount: from, amount: '1.5' },
      ],
    });
    expect(booked.entries).toHaveLength(3);
    expect(new Set(booked.entries.map((e) => e.sequence)).size).toBe(1);
    expect(await balance(ledger.call, from)).toMatchObject({ posted: '1.5' });
    expect(await balance(ledger.call, to)).toMatchObject({ posted: '8.5' });
  });
});
