import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The withdrawal pipeline's state (issue 14). Postgres is the truth; the BullMQ jobs only carry
 * "advance withdrawal W from version V".
 *
 * - `withdrawals`: one row per withdrawal. `version` rises by one on every state change (compare and
 *   set: a step writes only if the row is still at the version its job was enqueued for).
 *   `nonce` is the nonce the withdrawal holds on its sending address (NULL before it takes one and
 *   after it gives it back); the partial unique index means two withdrawals can never hold one nonce.
 * - `withdrawal_attempts`: each signed transaction of a withdrawal (attempt 1, and one per fee bump
 *   of a stuck one: same nonce, higher fees, its own policy request and grant).
 * - `evm_nonces`: the next fresh nonce per (chain, sending address), taken under `FOR UPDATE`.
 * - `evm_free_nonces`: nonces given back by withdrawals that failed before broadcast; the lowest is
 *   taken first so the address's sequence has no gap for long.
 */
export class CreateWithdrawalTables1796600000000 implements MigrationInterface {
  readonly name = 'CreateWithdrawalTables1796600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE gateway.withdrawals (
        withdrawal_id  text PRIMARY KEY CHECK (withdrawal_id ~ '^[A-Za-z0-9._-]{1,100}$'),
        position       bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        created_by     text NOT NULL,
        wallet_id      text NOT NULL,
        chain          text NOT NULL,
        asset          text NOT NULL,
        amount         numeric(78,0) NOT NULL CHECK (amount > 0),
        destination    text NOT NULL CHECK (destination ~ '^0x[0-9A-Fa-f]{40}$'),
        source_address text,
        state          text NOT NULL CHECK (state IN ('requested', 'held', 'built', 'pending-approval', 'approved', 'signing', 'signed', 'broadcast',
                                                      'confirmed', 'failed', 'denied', 'rejected', 'expired', 'cancelled')),
        reason         text NOT NULL DEFAULT '' CHECK (length(reason) <= 1024),
        version        integer NOT NULL DEFAULT 0 CHECK (version >= 0),
        attempt        integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
        nonce          bigint CHECK (nonce >= 0),
        fee_estimate   numeric(78,0),
        fee_actual     numeric(78,0),
        tx_hash        text,
        released       boolean NOT NULL DEFAULT false,
        replaceable    boolean NOT NULL DEFAULT true,
        expires_at     timestamptz NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        CHECK ((state = 'confirmed') = (fee_actual IS NOT NULL))
      )`);
    await queryRunner.query('CREATE UNIQUE INDEX withdrawals_one_nonce ON gateway.withdrawals (chain, source_address, nonce) WHERE nonce IS NOT NULL');
    await queryRunner.query('CREATE INDEX withdrawals_wallet ON gateway.withdrawals (wallet_id, position)');
    await queryRunner.query(`CREATE INDEX withdrawals_open ON gateway.withdrawals (updated_at) WHERE state NOT IN ('confirmed', 'failed', 'denied', 'rejected', 'expired', 'cancelled') OR NOT released`);
    await queryRunner.query(`
      CREATE TABLE gateway.withdrawal_attempts (
        withdrawal_id            text NOT NULL REFERENCES gateway.withdrawals (withdrawal_id),
        attempt                  integer NOT NULL CHECK (attempt >= 1),
        request_id               text NOT NULL UNIQUE,
        nonce                    bigint NOT NULL CHECK (nonce >= 0),
        max_fee_per_gas          numeric(78,0) NOT NULL,
        max_priority_fee_per_gas numeric(78,0) NOT NULL,
        gas                      numeric(78,0) NOT NULL,
        sign_request_json        text NOT NULL,
        grant_json               text,
        raw_tx                   bytea,
        tx_hash                  text,
        broadcast_at             timestamptz,
        created_at               timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (withdrawal_id, attempt),
        CHECK ((raw_tx IS NULL) = (tx_hash IS NULL))
      )`);
    await queryRunner.query(`
      CREATE TABLE gateway.evm_nonces (
        chain      text NOT NULL,
        address    text NOT NULL,
        next_nonce bigint NOT NULL CHECK (next_nonce >= 0),
        PRIMARY KEY (chain, address)
      )`);
    await queryRunner.query(`
      CREATE TABLE gateway.evm_free_nonces (
        chain   text NOT NULL,
        address text NOT NULL,
        nonce   bigint NOT NULL CHECK (nonce >= 0),
        PRIMARY KEY (chain, address, nonce)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE gateway.evm_free_nonces');
    await queryRunner.query('DROP TABLE gateway.evm_nonces');
    await queryRunner.query('DROP TABLE gateway.withdrawal_attempts');
    await queryRunner.query('DROP TABLE gateway.withdrawals');
  }
}
