import { Pool } from 'pg';
import {
  DEFAULT_MODEL_CONFIG,
  formatAmount,
  generateOperations,
  IllegalTransitionError,
  InsufficientFundsError,
  LedgerInputError,
  ReferenceLedger,
  UnknownAccountError,
  type AccountBalance,
  type Operation,
  type RefusalKind,
} from '@custody/ledger-core';
import { checkLedgerDatabase } from '@custody/ledger-check';
import { migrateAll } from '@custody/local-cluster';
import { uniqueTestDatabase } from '@custody/testing';
import { BooksRepository } from '../../apps/ledger/src/books/books.repository';
import { NotFoundError, StoredRefusal, UnknownAssetError } from '../../apps/ledger/src/books/books.errors';
import { BooksService } from '../../apps/ledger/src/books/books.service';
import { IdempotentWriter } from '../../apps/ledger/src/books/idempotent-writer';
import { TransferCombiner } from '../../apps/ledger/src/books/transfer-combiner';
import { parseLedgerConfig } from '../../apps/ledger/src/config';
import { DepositsService } from '../../apps/ledger/src/deposits/deposits.service';
import { HoldsService } from '../../apps/ledger/src/holds/holds.service';
import { WithdrawalsService } from '../../apps/ledger/src/withdrawals/withdrawals.service';

/**
 * The property test: random operation sequences from libs/ledger-core's generator run against the
 * pure model (ReferenceLedger) and against the ledger's services on Postgres, with the same clock
 * (each operation's `at`, injected as the services' clock). After every step both agree on whether
 * it was accepted (and why not), and every balance in Postgres equals the model's; at the end
 * `checkLedgerDatabase` (what `custody ledger check` runs) finds nothing wrong.
 */
const SEEDS = [1, 2, 3];
const STEPS = 250;

function refusalOf(error: unknown): RefusalKind {
  if (error instanceof LedgerInputError || error instanceof UnknownAssetError || error instanceof UnknownAccountError) return 'invalid-input';
  if (error instanceof IllegalTransitionError) return 'illegal-transition';
  if (error instanceof InsufficientFundsError) return 'insufficient-funds';
  if (error instanceof StoredRefusal) return error.kind;
  if (error instanceof NotFoundError) return 'not-found';
  throw error;
}

function view(b: AccountBalance): string {
  return `${b.account.key} dp=${b.debitsPosted} cp=${b.creditsPosted} dn=${b.debitsPending} cn=${b.creditsPending}`;
}

describe('ledger property: the core model vs Postgres (integration)', () => {
  const database = uniqueTestDatabase('custody_ledger_prop');
  let pool: Pool;

  beforeAll(async () => {
    await migrateAll({ mainDatabaseUrl: database.url, signerDatabaseUrls: [] });
  }, 60_000);

  afterAll(async () => {
    await database.drop();
  }, 30_000);

  for (const seed of SEEDS) {
    it(`seed ${seed}: ${STEPS} random operations, balances equal the model's after every step`, async () => {
      pool = new Pool({ connectionString: database.url.toString(), max: 4 });
      pool.on('error', () => undefined);
      const db = await pool.connect();
      // A fresh schema state per seed: the books are append-only, so the seeds use their own ledger database objects.
      await db.query('DROP SCHEMA ledger CASCADE');
      await db.query('DELETE FROM public.migrations_ledger');
      db.release();
      await migrateAll({ mainDatabaseUrl: database.url, signerDatabaseUrls: [] });
      let now = 0;
      const config = parseLedgerConfig({ DATABASE_URL: database.url.toString(), REDIS_URL: 'redis://127.0.0.1:6379', HTTP_PORT: '1', GRPC_PORT: '2', LEDGER_HOLD_SWEEP_MS: '0' });
      const repository = new BooksRepository(pool);
      const books = new BooksService(repository, new IdempotentWriter(pool, config), new TransferCombiner(pool, config, repository));
      const clock = (): number => now;
      const holds = new HoldsService(books, pool, config, clock);
      const deposits = new DepositsService(books);
      const withdrawals = new WithdrawalsService(books, clock, pool, config);
      const model = new ReferenceLedger(DEFAULT_MODEL_CONFIG);
      const assets = new Map(DEFAULT_MODEL_CONFIG.assets.map((a) => [a.code, a] as const));
      try {
        for (const a of DEFAULT_MODEL_CONFIG.assets) {
          await books.createAsset({ idempotencyKey: `asset-${a.code}`, asset: { chain: a.chain, code: a.code, decimals: a.decimals, contract: a.contract ?? '', confirmations: a.requiredConfirmations } });
          for (const w of DEFAULT_MODEL_CONFIG.wallets) await books.openAccount({ idempotencyKey: `open-${w}-${a.code}`, wallet: w, chain: a.chain, asset: a.code });
        }
        const amount = (code: string, value: bigint): string => formatAmount(value, assets.get(code)!.decimals);
        const ops = generateOperations({ seed, steps: STEPS });
        let n = 0;
        const outcomes = new Map<string, number>();
        const run = async (o: Operation): Promise<void> => {
          const key = `op-${seed}-${n}`;
          switch (o.op) {
            case 'deposit.see':
              await deposits.record({ idempotencyKey: key, chain: o.chain, txHash: o.txHash, logIndex: o.logIndex, asset: o.asset, wallet: o.wallet, address: 'addr1', amount: amount(o.asset, o.amount), confirmations: o.confirmations });
              return;
            case 'deposit.observe':
            case 'deposit.reorg': {
              const [, chain, txHash, logIndex] = o.deposit.split('/') as [string, string, string, string];
              const ref = { chain, txHash, logIndex: Number(logIndex) };
              if (o.op === 'deposit.observe') await deposits.updateConfirmations({ idempotencyKey: key, deposit: ref, confirmations: o.confirmations });
              else await deposits.reverse({ idempotencyKey: key, deposit: ref, remove: o.outcome === 'removed', confirmations: o.confirmations });
              return;
            }
            case 'hold.create': {
              const a = assets.get(o.asset)!;
              await holds.create({
                idempotencyKey: key,
                id: o.id,
                debitAccount: `customer/${o.from}/${a.chain}/${a.code}`,
                creditAccount: `customer/${o.to}/${a.chain}/${a.code}`,
                amount: amount(o.asset, o.amount),
                expiresAtMs: o.expiresAt === null ? '0' : String(o.expiresAt),
              });
              return;
            }
            case 'hold.post':
            case 'hold.void':
            case 'hold.expire': {
              const id = o.hold.replace(/^hold\//, '');
              const stored = await repository.getHold(o.hold);
              if (o.op === 'hold.post') {
                const code = stored ? stored.asset.split('/')[1]! : 'ETH';
                await holds.post({ idempotencyKey: key, id, amount: o.amount === undefined ? '' : amount(code, o.amount) });
              } else if (o.op === 'hold.void') await holds.void({ idempotencyKey: key, id });
              else {
                // the API expires holds through the sweep only; an early expiry is refused as the model refuses it
                if (!stored) throw new NotFoundError('hold', id);
                if (stored.state !== 'pending') throw new IllegalTransitionError('hold', stored.state, 'expire');
                if (stored.expiresAt === null) throw new IllegalTransitionError('hold', stored.state, 'expire', 'the hold has no deadline');
                if (now < stored.expiresAt) throw new IllegalTransitionError('hold', stored.state, 'expire', 'the deadline has not passed');
                await holds.expireOne(o.hold, now);
              }
              return;
            }
            case 'withdrawal.request': {
              const a = assets.get(o.asset)!;
              await withdrawals.request({
                idempotencyKey: key,
                id: o.id,
                wallet: o.wallet,
                chain: a.chain,
                asset: a.code,
                feeAsset: a.feeAsset ?? '',
                amount: amount(o.asset, o.amount),
                feeEstimate: amount(a.feeAsset ?? a.code, o.feeEstimate),
                destination: o.destination,
                sourceAddress: 'hot1',
                expiresAtMs: String(o.expiresAt),
              });
              return;
            }
            case 'withdrawal.event': {
              const e = o.event;
              const id = o.withdrawal.replace(/^withdrawal\//, '');
              const w = model.withdrawals().find((x) => x.id === o.withdrawal);
              const feeCode = w ? w.feeAsset.split('/')[1]! : 'ETH';
              await withdrawals.transition({
                idempotencyKey: key,
                id,
                event: e.type,
                txHash: e.type === 'broadcast' ? e.txHash : '',
                feeActual: e.type === 'confirm' ? amount(feeCode, e.fee) : '',
                reason: e.type === 'reject' || e.type === 'fail' ? (e.reason ?? '') : '',
              });
              return;
            }
            case 'clock.tick':
              await holds.expireDue();
              return;
          }
        };
        for (const o of ops) {
          now = o.at;
          const expected = model.apply(o);
          let actual: { ok: true } | { ok: false; refusal: RefusalKind };
          try {
            await run(o);
            actual = { ok: true };
          } catch (error) {
            actual = { ok: false, refusal: refusalOf(error) };
          }
          const context = `seed ${seed}, step ${n}: ${JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`;
          expect({ context, outcome: actual }).toEqual({ context, outcome: expected.ok ? { ok: true } : { ok: false, refusal: expected.refusal } });
          const rows = await pool.query<{ account_key: string; debits_posted: string; credits_posted: string; debits_pending: string; credits_pending: string }>(
            'SELECT a.account_key, b.debits_posted, b.credits_posted, b.debits_pending, b.credits_pending FROM ledger.balances b JOIN ledger.accounts a ON a.id = b.account_id ORDER BY a.account_key',
          );
          const inDb = rows.rows.map((r) => `${r.account_key} dp=${r.debits_posted} cp=${r.credits_posted} dn=${r.debits_pending} cn=${r.credits_pending}`);
          expect({ context, balances: inDb }).toEqual({ context, balances: model.balances().map(view) });
          const label = actual.ok ? 'ok' : actual.refusal;
          outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
          n++;
        }
        // the sequences exercise the books, not only the refusals
        expect(outcomes.get('ok') ?? 0).toBeGreaterThan(STEPS / 2);
        expect(outcomes.get('illegal-transition') ?? 0).toBeGreaterThan(0);
        const report = await checkLedgerDatabase(database.url, now);
        expect(report.violations).toEqual([]);
        expect(report.counts.entries).toBe(model.entries().length);
      } finally {
        await pool.end();
      }
    }, 120_000);
  }
});
