import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { LedgerUnderTest } from '@custody/testing';
import { createAsset, customer, expectCheckPasses, failure, fund, txHash, uniqueKey } from './ledger-fixtures';

const CHAIN = 'evm-9';
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'not-ok', 'ledger');

interface NotOk {
  method: string;
  override: Record<string, unknown>;
  field: string;
}

/**
 * The corpus of invalid inputs (test/fixtures/not-ok/ledger/*.json): each is a valid request of its
 * method with one field spoiled; the ledger answers INVALID_ARGUMENT naming that field, with a short
 * message that does not echo the input, and changes nothing.
 */
describe('ledger bad input (e2e, Postgres)', () => {
  let ledger: LedgerUnderTest;
  const base: Record<string, () => Record<string, unknown>> = {};
  const depositHash = txHash();

  beforeAll(async () => {
    ledger = await LedgerUnderTest.start('badin');
    await createAsset(ledger.call, CHAIN, 'USDC', 6, 1);
    await createAsset(ledger.call, CHAIN, 'ETH', 18, 1);
    await createAsset(ledger.call, CHAIN, 'NFT', 0, 1);
    await fund(ledger.call, 'bad-a', CHAIN, 'USDC', '100', 1);
    await fund(ledger.call, 'bad-a', CHAIN, 'ETH', '100', 1);
    await ledger.call('OpenAccount', { idempotencyKey: uniqueKey('o'), wallet: 'bad-b', chain: CHAIN, asset: 'USDC' });
    await ledger.call('RecordDeposit', { idempotencyKey: uniqueKey('d'), chain: CHAIN, txHash: depositHash, logIndex: 0, asset: 'USDC', wallet: 'bad-a', address: 'a1', amount: '1', confirmations: 0 });
    const withdrawal = { wallet: 'bad-a', chain: CHAIN, asset: 'ETH', amount: '1', feeEstimate: '0.1', destination: 'dest', sourceAddress: 'hot', expiresAtMs: String(Date.now() + 3_600_000) };
    await ledger.call('RequestWithdrawal', { idempotencyKey: uniqueKey('w'), id: 'wd-base', ...withdrawal });
    await ledger.call('CreateHold', { idempotencyKey: uniqueKey('h'), id: 'hold-base', debitAccount: customer('bad-a', CHAIN, 'USDC'), creditAccount: customer('bad-b', CHAIN, 'USDC'), amount: '1', expiresAtMs: '0' });
    base.CreateTransfer = () => ({ idempotencyKey: uniqueKey('t'), debitAccount: customer('bad-a', CHAIN, 'USDC'), creditAccount: customer('bad-b', CHAIN, 'USDC'), amount: '1' });
    base.RequestWithdrawal = () => ({ idempotencyKey: uniqueKey('w'), id: uniqueKey('wd'), ...withdrawal });
    base.TransitionWithdrawal = () => ({ idempotencyKey: uniqueKey('x'), id: 'wd-base', event: 'approve' });
    base.RecordDeposit = () => ({ idempotencyKey: uniqueKey('d'), chain: CHAIN, txHash: txHash(), logIndex: 1, asset: 'USDC', wallet: 'bad-a', address: 'a1', amount: '1', confirmations: 0 });
    base.UpdateDepositConfirmations = () => ({ idempotencyKey: uniqueKey('c'), deposit: { chain: CHAIN, txHash: depositHash, logIndex: 0 }, confirmations: 0 });
    base.CreateHold = () => ({ idempotencyKey: uniqueKey('h'), id: uniqueKey('hold'), debitAccount: customer('bad-a', CHAIN, 'USDC'), creditAccount: customer('bad-b', CHAIN, 'USDC'), amount: '1', expiresAtMs: '0' });
    base.PostHold = () => ({ idempotencyKey: uniqueKey('p'), id: 'hold-base', amount: '1' });
    base.GetBalance = () => ({ account: customer('bad-a', CHAIN, 'USDC'), asOfSequence: '0' });
    base.CreateTransfers = () => ({ idempotencyKey: uniqueKey('b'), transfers: [{ debitAccount: customer('bad-a', CHAIN, 'USDC'), creditAccount: customer('bad-b', CHAIN, 'USDC'), amount: '1' }] });
    base.ListEntries = () => ({ account: '', pageSize: 10, pageToken: '' });
    base.ReadOutbox = () => ({ afterSequence: '0', limit: 10 });
    base.CreateAsset = () => ({ idempotencyKey: uniqueKey('a') });
    base.OpenAccount = () => ({ idempotencyKey: uniqueKey('o'), wallet: 'bad-c', chain: CHAIN, asset: 'USDC' });
    base.GetReconciliation = () => ({ chain: CHAIN });
  }, 60_000);

  afterAll(async () => {
    await ledger?.stop();
  }, 30_000);

  const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();

  it('has a corpus', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it.each(files)('%s: INVALID_ARGUMENT naming the field, nothing changed', async (file) => {
    const c = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')) as NotOk;
    const make = base[c.method];
    if (!make) throw new Error(`no base request for ${c.method}`);
    const before = await ledger.call<{ lastSequence: string }>('ReadOutbox', { afterSequence: '0', limit: 1 });
    const refused = await failure(ledger.call(c.method, { ...make(), ...c.override }));
    expect({ code: refused.code, details: refused.details.slice(0, 120) }).toEqual({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(new RegExp(`^invalid ${c.field.replace(/[.[\]]/g, (ch) => `\\${ch}`)}: `)) as string });
    expect(refused.details.length).toBeLessThan(300);
    const after = await ledger.call<{ lastSequence: string }>('ReadOutbox', { afterSequence: '0', limit: 1 });
    expect(after.lastSequence).toBe(before.lastSequence);
  });

  it('an undecodable request is INVALID_ARGUMENT (request), not INTERNAL', async () => {
    const client = new grpc.Client(ledger.address, grpc.credentials.createInsecure());
    try {
      const error = await new Promise<grpc.ServiceError>((resolve, reject) =>
        client.makeUnaryRequest(
          '/custody.ledger.v1.LedgerService/CreateTransfer',
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.from([0x0a, 0x80]),
          (err) => (err ? resolve(err) : reject(new Error('accepted'))),
        ),
      );
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toMatch(/^invalid request: /);
    } finally {
      client.close();
    }
  });

  it('the books are sound after the corpus', async () => {
    await expectCheckPasses(ledger);
  }, 60_000);
});
