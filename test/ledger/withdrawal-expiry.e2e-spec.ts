import { Client } from 'pg';
import { LedgerUnderTest } from '@custody/testing';
import { balances, createAsset, customer, expectCheckPasses, failure, fund, system, uniqueKey } from './ledger-fixtures';

const CHAIN = 'evm-31337';
const ETH = 'ETH';

/**
 * Withdrawals' deadline auto-expiry on a real ledger process and Postgres: the withdrawal sweeper
 * (LEDGER_WITHDRAWAL_SWEEP_MS) expires requested and approved withdrawals whose deadline has passed
 * (state expired, holds released as expired, one event each); signed ones and those still before their
 * deadline are left alone. `custody ledger check` (withdrawals agree with their holds, none overdue)
 * passes after it, and reports a withdrawal that disagrees with its holds.
 */
describe('ledger withdrawal expiry (e2e, Postgres)', () => {
  let ledger: LedgerUnderTest;

  beforeAll(async () => {
    ledger = await LedgerUnderTest.start('wdexp', { LEDGER_HOLD_SWEEP_MS: '0', LEDGER_WITHDRAWAL_SWEEP_MS: '100' });
    await createAsset(ledger.call, CHAIN, ETH, 18, 3);
  }, 60_000);

  afterAll(async () => {
    await ledger?.stop();
  }, 30_000);

  const request = (id: string, amount: string, expiresAtMs: number) =>
    ledger.call<{ state: string }>('RequestWithdrawal', {
      idempotencyKey: uniqueKey('wr'),
      id,
      wallet: 'w-exp',
      chain: CHAIN,
      asset: ETH,
      amount,
      feeEstimate: '0.1',
      destination: '0xdest',
      sourceAddress: 'hot1',
      expiresAtMs: String(expiresAtMs),
    });
  const step = (id: string, event: string, extra: Record<string, unknown> = {}) => ledger.call<{ state: string }>('TransitionWithdrawal', { idempotencyKey: uniqueKey('wt'), id, event, ...extra });
  const state = async (id: string): Promise<string> => (await ledger.call<{ state: string }>('GetWithdrawal', { id })).state;

  it('requested and approved withdrawals past their deadline become expired with their holds; signed and live ones stay', async () => {
    await fund(ledger.call, 'w-exp', CHAIN, ETH, '10', 3);
    const deadline = Date.now() + 3000;
    await request('exp-requested', '1', deadline);
    await request('exp-approved', '2', deadline);
    await step('exp-approved', 'approve');
    await request('exp-signed', '3', deadline);
    await step('exp-signed', 'approve');
    await step('exp-signed', 'sign');
    await request('exp-live', '0.5', Date.now() + 3_600_000);
    expect(await balances(ledger.call, [customer('w-exp', CHAIN, ETH)])).toEqual({ [customer('w-exp', CHAIN, ETH)]: { posted: '10', held: '6.9', incoming: '0', available: '3.1' } });

    // the sweeper runs every 100 ms: wait (bounded) until both have expired
    const until = Date.now() + 25_000;
    while ((await state('exp-requested')) !== 'expired' || (await state('exp-approved')) !== 'expired') {
      if (Date.now() > until) throw new Error('the withdrawals did not expire within 25 s of their deadline');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(Date.now()).toBeGreaterThanOrEqual(deadline);
    expect(await state('exp-signed')).toBe('signed');
    expect(await state('exp-live')).toBe('requested');
    // their amounts and fee estimates are free again; the signed and the live one stay held
    expect(await balances(ledger.call, [customer('w-exp', CHAIN, ETH), system('onchain', CHAIN, ETH)])).toMatchObject({
      [customer('w-exp', CHAIN, ETH)]: { posted: '10', held: '3.7', available: '6.3' },
    });
    const events = (await ledger.call<{ events: Array<{ type: string; subject: string; data: string }> }>('ReadOutbox', { afterSequence: '0', limit: 1000 })).events;
    const expiries = events.filter((e) => e.type === 'withdrawal.state_changed' && (JSON.parse(e.data) as { to: string }).to === 'expired').map((e) => [e.subject, (JSON.parse(e.data) as { from: string }).from]);
    expect(expiries.sort()).toEqual([
      ['withdrawal/exp-approved', 'approved'],
      ['withdrawal/exp-requested', 'requested'],
    ]);
    // an expired withdrawal takes nothing more; the signed one can still be expired by its caller
    expect((await failure(step('exp-requested', 'approve'))).details).toContain('approve');
    expect(await step('exp-signed', 'expire')).toMatchObject({ state: 'expired' });
    await expectCheckPasses(ledger);
    const strict = await ledger.check(['--withdrawal-grace-ms', '0']);
    expect(strict.stdout).toMatch(/^ledger check: ok/m);
  });

  it('the check reports a withdrawal whose state disagrees with its holds, and one left open past its deadline', async () => {
    await request('exp-tampered', '0.1', Date.now() + 3_600_000);
    await step('exp-tampered', 'cancel');
    const db = new Client({ connectionString: ledger.databaseUrl.toString() });
    await db.connect();
    try {
      // what a sweeper that expired only the hold would leave: the withdrawal still open, past its deadline
      await db.query("UPDATE ledger.withdrawals SET state = 'requested', expires_at = now() - interval '1 hour' WHERE withdrawal_id = 'withdrawal/exp-tampered'");
    } finally {
      await db.end();
    }
    const result = await ledger.check(['--withdrawal-grace-ms', '1000']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ledger check: withdrawal-consistent: withdrawal\/exp-tampered: is requested but its hold withdrawal\/exp-tampered\/hold is voided/m);
    expect(result.stdout).toMatch(/^ledger check: withdrawal-consistent: withdrawal\/exp-tampered: still requested past its deadline/m);
  });
});
