import { status } from '@grpc/grpc-js';
import { LedgerUnderTest } from '@custody/testing';
import { balance, createAsset, customer, expectCheckPasses, fund, txHash, uniqueKey } from './ledger-fixtures';

const CHAIN = 'evm-1';
const USDC = 'USDC';

/** Races through the gRPC API of one real ledger process: the balance rows and the idempotency keys hold. */
describe('ledger concurrency (e2e, Postgres)', () => {
  let ledger: LedgerUnderTest;

  beforeAll(async () => {
    ledger = await LedgerUnderTest.start('race');
    await createAsset(ledger.call, CHAIN, USDC, 6, 1);
  }, 60_000);

  afterAll(async () => {
    await ledger?.stop();
  }, 30_000);

  const expiresAtMs = String(Date.now() + 3_600_000);

  function withdraw(wallet: string, id: string, key = uniqueKey('w')): Promise<Record<string, unknown>> {
    return ledger.call('RequestWithdrawal', {
      idempotencyKey: key,
      id,
      wallet,
      chain: CHAIN,
      asset: USDC,
      amount: '1.5',
      feeEstimate: '0.5',
      destination: '0xdest',
      sourceAddress: 'hot',
      expiresAtMs,
    });
  }

  it('1,000 withdrawals in parallel against funds for exactly 100: 100 succeed, 900 are refused for insufficient funds, the balance ends at zero', async () => {
    await fund(ledger.call, 'racer', CHAIN, USDC, '200', 1);
    const results = await Promise.allSettled(Array.from({ length: 1000 }, (_, i) => withdraw('racer', `race-${i}`)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(100);
    expect(refused).toHaveLength(900);
    for (const r of refused) {
      const e = r.reason as { code: number; details: string };
      expect({ code: e.code, insufficient: /insufficient funds/.test(e.details) }).toEqual({ code: status.FAILED_PRECONDITION, insufficient: true });
    }
    expect(await balance(ledger.call, customer('racer', CHAIN, USDC))).toMatchObject({ posted: '200', held: '200', available: '0' });

    // Settle the 100 in parallel (each its own chain of transitions): the posted balance ends at zero.
    const ids = ok.map((r) => (r as PromiseFulfilledResult<Record<string, unknown>>).value.id as string).map((id) => id.slice('withdrawal/'.length));
    await Promise.all(
      ids.map(async (id) => {
        for (const [event, extra] of [
          ['approve', {}],
          ['sign', {}],
          ['broadcast', { txHash: txHash() }],
          ['confirm', { feeActual: '0.5' }],
        ] as const) {
          await ledger.call('TransitionWithdrawal', { idempotencyKey: uniqueKey('t'), id, event, ...extra });
        }
      }),
    );
    expect(await balance(ledger.call, customer('racer', CHAIN, USDC))).toMatchObject({ posted: '0', held: '0', available: '0' });
    await expectCheckPasses(ledger);
  }, 300_000);

  it('50 concurrent retries of one idempotency key: one effect, every answer the same', async () => {
    await fund(ledger.call, 'retrier', CHAIN, USDC, '10', 1);
    const key = uniqueKey('same');
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        // ABORTED (a concurrent request with the key did not finish in time) is retryable: retry it.
        for (;;) {
          try {
            return await withdraw('retrier', 'once', key);
          } catch (error) {
            if ((error as { code?: number }).code !== status.ABORTED) throw error;
          }
        }
      }),
    );
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(await balance(ledger.call, customer('retrier', CHAIN, USDC))).toMatchObject({ posted: '10', held: '2', available: '8' });
    const events = await ledger.call<{ events: Array<{ type: string; subject: string }> }>('ReadOutbox', { afterSequence: '0', limit: 1000 });
    expect(events.events.filter((e) => e.subject === 'withdrawal/once')).toHaveLength(1);
    await expectCheckPasses(ledger);
  }, 120_000);

  it('500 transfers in parallel against funds for exactly 100 (booked in group commits): 100 booked, 400 refused, and 50 retries of one transfer key book it once', async () => {
    await fund(ledger.call, 'payer', CHAIN, USDC, '100', 1);
    await ledger.call('OpenAccount', { idempotencyKey: uniqueKey('o'), wallet: 'payee', chain: CHAIN, asset: USDC });
    const body = (key: string) => ({ idempotencyKey: key, debitAccount: customer('payer', CHAIN, USDC), creditAccount: customer('payee', CHAIN, USDC), amount: '1' });
    const retryKey = uniqueKey('same-transfer');
    const [results, retries] = await Promise.all([
      Promise.allSettled(Array.from({ length: 500 }, () => ledger.call('CreateTransfer', body(uniqueKey('t'))))),
      Promise.allSettled(Array.from({ length: 50 }, () => ledger.call('CreateTransfer', body(retryKey)))),
    ]);
    const booked = results.filter((r) => r.status === 'fulfilled').length + (retries.some((r) => r.status === 'fulfilled') ? 1 : 0);
    expect(booked).toBe(100);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { code: number }).code).toBe(status.FAILED_PRECONDITION);
    // every retry got the same answer: all the same entry, or (if the funds were gone first) all the same refusal
    const first = retries[0]!;
    for (const r of retries) expect(r).toEqual(first);
    expect(await balance(ledger.call, customer('payer', CHAIN, USDC))).toMatchObject({ posted: '0', available: '0' });
    expect(await balance(ledger.call, customer('payee', CHAIN, USDC))).toMatchObject({ posted: '100' });
    await expectCheckPasses(ledger);
  }, 120_000);
});
