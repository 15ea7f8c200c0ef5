import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's books (issue 10). Amounts are `numeric(78,0)` in the asset's smallest unit.
 *
 * - `journal_entries` and `postings` are append-only: a trigger refuses UPDATE, DELETE and TRUNCATE;
 *   a mistake or a reorg is undone by a reversal entry naming the entry it reverses (at most once).
 * - `balances` holds one row per account, updated in the transaction that books the change; the
 *   CHECKs refuse a negative total and a flagged account whose debits (posted + pending) exceed its
 *   credits, as a second line behind the service's own check (libs/ledger-core `applyChange`).
 * - `outbox` numbers every event gap-free per ledger from the counter row `outbox_counters`, locked
 *   in the same transaction (a sequence would leave gaps on rollback). Append-only too.
 * - Every entry and hold carries the outbox sequence of the change that booked it, so balances can be
 *   recomputed as of an earlier sequence number.
 * - `idempotency_keys`: the key is inserted first (a concurrent request with the same key waits on
 *   it), with the hash of the request and, in the same transaction, the response bytes.
 */
export class CreateLedgerTables1795700000000 implements MigrationInterface {
  readonly name = 'CreateLedgerTables1795700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION ledger.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger.% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
      END
      $$`);
    await queryRunner.query(`
      CREATE TABLE ledger.assets (
        id             bigserial PRIMARY KEY,
        chain          text NOT NULL CHECK (chain ~ '^[A-Za-z0-9._:-]{1,128}$'),
        code           text NOT NULL CHECK (code ~ '^[A-Za-z0-9._:-]{1,128}$'),
        decimals       integer NOT NULL CHECK (decimals BETWEEN 0 AND 36),
        contract       text CHECK (contract ~ '^[A-Za-z0-9]{1,128}$'),
        confirmations  integer NOT NULL CHECK (confirmations BETWEEN 1 AND 100000),
        created_at     timestamptz NOT NULL DEFAULT now(),
        UNIQUE (chain, code)
      )`);
    await queryRunner.query(`
      CREATE TABLE ledger.accounts (
        id             bigserial PRIMARY KEY,
        account_key    text NOT NULL UNIQUE,
        kind           text NOT NULL CHECK (kind IN ('customer', 'onchain', 'pending-deposits', 'fees', 'suspense')),
        wallet         text,
        asset_id       bigint NOT NULL REFERENCES ledger.assets (id),
        debits_must_not_exceed_credits boolean NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'customer') = (wallet IS NOT NULL)),
        CHECK (kind <> 'customer' OR debits_must_not_exceed_credits)
      )`);
    await queryRunner.query(`
      CREATE TABLE ledger.balances (
        account_id      bigint PRIMARY KEY REFERENCES ledger.accounts (id),
        debits_must_not_exceed_credits boolean NOT NULL,
        debits_posted   numeric(78,0) NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
        credits_posted  numeric(78,0) NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
        debits_pending  numeric(78,0) NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
        credits_pending numeric(78,0) NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
        CONSTRAINT balances_debits_must_not_exceed_credits
          CHECK (NOT debits_must_not_exceed_credits OR debits_posted + debits_pending <= credits_posted)
      )`);
    await queryRunner.query(`
      CREATE TABLE ledger.journal_entries (
        id          bigserial PRIMARY KEY,
        entry_id    text NOT NULL UNIQUE CHECK (length(entry_id) BETWEEN 1 AND 512 AND entry_id ~ '^[A-Za-z0-9._:/-]+$'),
        kind        text NOT NULL,
        reverses    text REFERENCES ledger.journal_entries (entry_id),
        sequence    bigint NOT NULL CHECK (sequence > 0),
        created_at  timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'reversal') = (reverses IS NOT NULL))
      )`);
    await queryRunner.query('CREATE UNIQUE INDEX journal_entries_reversed_once ON ledger.journal_entries (reverses) WHERE reverses IS NOT NULL');
    await queryRunner.query('CREATE INDEX journal_entries_sequence ON ledger.journal_entries (sequence)');
    await queryRunner.query(`
      CREATE TABLE ledger.postings (
        entry_id    bigint NOT NULL REFERENCES ledger.journal_entries (id),
        index       smallint NOT NULL CHECK (index >= 0),
        account_id  bigint NOT NULL REFERENCES ledger.accounts (id),
        side        text NOT NULL CHECK (side IN ('debit', 'credit')),
        amount      numeric(78,0) NOT NULL CHECK (amount > 0),
        PRIMARY KEY (entry_id, index)
      )`);
    await queryRunner.query('CREATE INDEX postings_account ON ledger.postings (account_id, entry_id)');
    await queryRunner.query(`
      CREATE TABLE ledger.holds (
        hold_id            text PRIMARY KEY CHECK (length(hold_id) BETWEEN 1 AND 512 AND hold_id ~ '^[A-Za-z0-9._:/-]+$'),
        asset_id           bigint NOT NULL REFERENCES ledger.assets (id),
        debit_account_id   bigint NOT NULL REFERENCES ledger.accounts (id),
        credit_account_id  bigint NOT NULL REFERENCES ledger.accounts (id),
        amount             numeric(78,0) NOT NULL CHECK (amount > 0),
        posted_amount      numeric(78,0) NOT NULL DEFAULT 0 CHECK (posted_amount >= 0 AND posted_amount <= amount),
        state              text NOT NULL CHECK (state IN ('pending', 'posted', 'voided', 'expired')),
        expires_at         timestamptz,
        created_sequence   bigint NOT NULL CHECK (created_sequence > 0),
        resolved_sequence  bigint CHECK (resolved_sequence >= created_sequence),
        created_at         timestamptz NOT NULL DEFAULT now(),
        resolved_at        timestamptz,
        CHECK (debit_account_id <> credit_account_id),
        CHECK ((state = 'pending') = (resolved_sequence IS NULL)),
        CHECK (state = 'posted' OR posted_amount = 0)
      )`);
    await queryRunner.query("CREATE INDEX holds_due ON ledger.holds (expires_at) WHERE state = 'pending' AND expires_at IS NOT NULL");
    await queryRunner.query(`
      CREATE TABLE ledger.deposits (
        deposit_id     text PRIMARY KEY,
        chain          text NOT NULL,
        tx_hash        text NOT NULL,
        log_index      integer NOT NULL CHECK (log_index >= 0),
        asset_id       bigint NOT NULL REFERENCES ledger.assets (id),
        wallet         text NOT NULL,
        address        text NOT NULL,
        amount         numeric(78,0) NOT NULL CHECK (amount > 0),
        confirmations  integer NOT NULL CHECK (confirmations >= 0),
        state          text NOT NULL,
        document       jsonb NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        UNIQUE (chain, tx_hash, log_index)
      )`);
    await queryRunner.query('CREATE INDEX deposits_address ON ledger.deposits (chain, asset_id, address)');
    await queryRunner.query(`
      CREATE TABLE ledger.withdrawals (
        withdrawal_id  text PRIMARY KEY,
        asset_id       bigint NOT NULL REFERENCES ledger.assets (id),
        wallet         text NOT NULL,
        source_address text,
        destination    text NOT NULL,
        amount         numeric(78,0) NOT NULL CHECK (amount > 0),
        fee_estimate   numeric(78,0) NOT NULL CHECK (fee_estimate >= 0),
        fee_actual     numeric(78,0) CHECK (fee_actual >= 0),
        tx_hash        text,
        state          text NOT NULL,
        reason         text,
        document       jsonb NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX withdrawals_source ON ledger.withdrawals (asset_id, source_address)');
    await queryRunner.query(`
      CREATE TABLE ledger.idempotency_keys (
        idempotency_key  text PRIMARY KEY CHECK (idempotency_key ~ '^[A-Za-z0-9._:-]{1,128}$'),
        method           text NOT NULL,
        request_hash     bytea NOT NULL CHECK (length(request_hash) = 32),
        response         bytea,
        created_at       timestamptz NOT NULL DEFAULT now(),
        completed_at     timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE ledger.outbox_counters (
        ledger         text PRIMARY KEY,
        last_sequence  bigint NOT NULL CHECK (last_sequence >= 0)
      )`);
    await queryRunner.query("INSERT INTO ledger.outbox_counters (ledger, last_sequence) VALUES ('main', 0)");
    await queryRunner.query(`
      CREATE TABLE ledger.outbox (
        ledger      text NOT NULL REFERENCES ledger.outbox_counters (ledger),
        sequence    bigint NOT NULL CHECK (sequence > 0),
        event_type  text NOT NULL,
        subject     text NOT NULL,
        data        jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (ledger, sequence)
      )`);
    for (const table of ['journal_entries', 'postings', 'outbox']) {
      await queryRunner.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ledger.${table} FOR EACH ROW EXECUTE FUNCTION ledger.refuse_change()`);
      await queryRunner.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ledger.${table} FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['outbox', 'outbox_counters', 'idempotency_keys', 'withdrawals', 'deposits', 'holds', 'postings', 'journal_entries', 'balances', 'accounts', 'assets']) {
      await queryRunner.query(`DROP TABLE IF EXISTS ledger.${table}`);
    }
    await queryRunner.query('DROP FUNCTION IF EXISTS ledger.refuse_change()');
  }
}
