import { LedgerUnderTest } from '@custody/testing';
import { balance, createAsset, customer, expectCheckPasses, fund, uniqueKey, units } from './ledger-fixtures';

const CHAIN = 'evm-5';
const USDC = 'USDC';

/**
 * Crash safety: SIGKILL the ledger in the middle of a burst of concurrent writes, restart it, and
 * every acknowledged write is there, nothing is half applied, and `custody ledger check` passes.
 */
describe('ledger crash safety (e2e, Postgres)', () => {
  let ledger: LedgerUnderTest;

  beforeAll(async () => {
    ledger = await LedgerUnderTest.start('crash');
    await createAsset(ledger.call, CHAIN, USDC, 6, 1);
  }, 60_000);

  afterAll(async () => {
    await ledger?.stop();
  }, 30_000);

  it('a SIGKILL mid-burst loses no acknowledged write and leaves no half-applied one', async () => {
    await fund(ledger.call, 'crash-a', CHAIN, USDC, '1000000', 1);
    await ledger.call('OpenAccount', { idempotencyKey: uniqueKey('o'), wallet: 'crash-b', chain: CHAIN, asset: USDC });
    const from = customer('crash-a', CHAIN, USDC);
    const to = customer('crash-b', CHAIN, USDC);
    const acked: Array<{ key: string; response: unknown; kind: 'transfer' | 'withdrawal'; body: Record<string, unknown> }> = [];
    let stop = false;
    let killed: Promise<void> | undefined;
    const clients = Array.from({ length: 16 }, async (_, c) => {
      for (let i = 0; !stop; i++) {
        const key = uniqueKey(`c${c}`);
        const kind = i % 4 === 3 ? 'withdrawal' : 'transfer';
        const body =
          kind === 'transfer'
            ? { idempotencyKey: key, debitAccount: from, creditAccount: to, amount: '1.25' }
            : { idempotencyKey: key, id: key, wallet: 'crash-a', chain: CHAIN, asset: USDC, amount: '2', feeEstimate: '0.5', destination: 'd', sourceAddress: 'hot', expiresAtMs: '9999999999999' };
        try {
          const response = await ledger.call(kind === 'transfer' ? 'CreateTransfer' : 'RequestWithdrawal', body);
          acked.push({ key, response, kind, body });
          if (acked.length === 300 && !killed) killed = ledger.kill();
        } catch {
          // the process is gone: this write was not acknowledged
          stop = true;
        }
      }
    });
    await Promise.all(clients);
    await killed;
    expect(acked.length).toBeGreaterThanOrEqual(300);

    await ledger.restart();
    await expectCheckPasses(ledger);

    // Every acknowledged write is there: its retry returns the same answer, and its entry is booked.
    for (const a of acked) {
      expect(await ledger.call(a.kind === 'transfer' ? 'CreateTransfer' : 'RequestWithdrawal', a.body)).toEqual(a.response);
    }
    // Nothing half applied: the books agree with the entries and holds that exist (the check), and
    // the receiving account holds exactly 1.25 per booked transfer entry.
    const ids = new Set<string>();
    let token = '';
    do {
      const page = await ledger.call<{ entries: Array<{ id: string; postings: unknown[] }>; nextPageToken: string }>('ListEntries', { account: to, pageSize: 500, pageToken: token });
      for (const e of page.entries) {
        expect(e.postings).toHaveLength(2);
        ids.add(e.id);
      }
      token = page.nextPageToken;
    } while (token !== '');
    for (const a of acked.filter((x) => x.kind === 'transfer')) expect(ids.has(`transfer:${a.key}`)).toBe(true);
    const received = await balance(ledger.call, to);
    expect(units(received.posted, 6)).toBe(BigInt(ids.size) * 1_250_000n);
    await expectCheckPasses(ledger);
  }, 180_000);
});
