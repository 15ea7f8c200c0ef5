import { Client } from 'pg';
import { LedgerUnderTest } from '@custody/testing';
import { createAsset, customer, expectCheckPasses, fund, system, uniqueKey } from './ledger-fixtures';

const CHAIN = 'evm-7';

/**
 * `custody ledger check` on a live database: exit 0 on sound books; exit 1 naming each violation
 * when the books are wrong; and the journal refuses to be rewritten.
 */
describe('custody ledger check (e2e, Postgres)', () => {
  let ledger: LedgerUnderTest;
  let db: Client;

  beforeAll(async () => {
    ledger = await LedgerUnderTest.start('check', { LEDGER_HOLD_SWEEP_MS: '0' });
    await createAsset(ledger.call, CHAIN, 'USDC', 6, 1);
    await fund(ledger.call, 'chk', CHAIN, 'USDC', '10', 1);
    db = new Client({ connectionString: ledger.databaseUrl.toString() });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await ledger?.stop();
  }, 30_000);

  it('passes on sound books', async () => {
    await expectCheckPasses(ledger);
  }, 60_000);

  it('the journal and the outbox are append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
    await expect(db.query("UPDATE ledger.postings SET amount = amount + 1")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM ledger.journal_entries')).rejects.toThrow(/append-only/);
    await expect(db.query('TRUNCATE ledger.outbox CASCADE')).rejects.toThrow(/append-only/);
    await expect(db.query("UPDATE ledger.balances SET debits_posted = debits_posted + 100000000 WHERE account_id = (SELECT id FROM ledger.accounts WHERE account_key = $1)", [customer('chk', CHAIN, 'USDC')])).rejects.toThrow(
      /balances_debits_must_not_exceed_credits/,
    );
  });

  it('names a pending hold past its deadline (no sweeper ran)', async () => {
    await ledger.call('CreateHold', { idempotencyKey: uniqueKey('h'), id: 'late', debitAccount: customer('chk', CHAIN, 'USDC'), creditAccount: system('suspense', CHAIN, 'USDC'), amount: '1', expiresAtMs: String(Date.now() + 300) });
    await new Promise((r) => setTimeout(r, 400));
    const result = await ledger.check();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ledger check: hold-resolved-or-live: hold\/late: /m);
    // within the grace (a running ledger's sweep interval) it is not overdue yet
    expect((await ledger.check(['--hold-grace-ms', '600000'])).code).toBe(0);
    await ledger.call('ExpireDueHolds', {});
    await expectCheckPasses(ledger);
  }, 60_000);

  it('names a balance that no longer equals its postings, and an outbox gap', async () => {
    await db.query('UPDATE ledger.balances SET credits_posted = credits_posted + 5 WHERE account_id = (SELECT id FROM ledger.accounts WHERE account_key = $1)', [system('fees', CHAIN, 'USDC')]);
    await db.query("INSERT INTO ledger.outbox (ledger, sequence, event_type, subject, data) SELECT 'main', last_sequence + 2, 'transfer.booked', 'x', '{}' FROM ledger.outbox_counters");
    const result = await ledger.check();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ledger check: balance-matches-postings: system\/fees\/evm-7\/USDC: /m);
    expect(result.stdout).toMatch(/^ledger check: outbox-gap-free: /m);
    expect(result.stdout).toMatch(/^ledger check: \d+ violations /m);
  }, 60_000);
});
