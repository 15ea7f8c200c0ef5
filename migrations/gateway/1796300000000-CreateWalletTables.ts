import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Wallets, their deposit addresses and raw messages signed under policy (issue 13).
 *
 * - `wallets`: one row per key the signers generated; the public key and BIP32 chain code are the
 *   signers' public output (no share or secret). `next_address_index` is the next non-hardened child
 *   index; `CreateAddress` takes it with `UPDATE … RETURNING` in the transaction that inserts the
 *   address, so two concurrent calls get two indexes. `custody` is `hot` (signed within policy) or
 *   `cold` (the withdrawal pipeline asks the cold approval group).
 * - `addresses`: one row per derived child; unique per (wallet, index) and per (chain, address).
 * - `messages`: one row per raw message signing request; `request_id` is the policy engine's and the
 *   signers' request id, so a retry can never sign twice (the signers refuse a request id they signed).
 * `position` (identity) orders each list for cursor paging.
 */
export class CreateWalletTables1796300000000 implements MigrationInterface {
  readonly name = 'CreateWalletTables1796300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE gateway.wallets (
        wallet_id          text PRIMARY KEY CHECK (wallet_id ~ '^[A-Za-z0-9._:-]{1,128}$'),
        position           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        display_name       text NOT NULL CHECK (length(display_name) <= 128),
        scheme             text NOT NULL CHECK (scheme IN ('ecdsa-secp256k1', 'eddsa-ed25519')),
        key_id             text NOT NULL UNIQUE,
        public_key         bytea NOT NULL CHECK (octet_length(public_key) IN (32, 33)),
        chain_code         bytea NOT NULL CHECK (octet_length(chain_code) IN (0, 32)),
        threshold          integer NOT NULL CHECK (threshold >= 1),
        participants       integer[] NOT NULL CHECK (cardinality(participants) >= threshold),
        custody            text NOT NULL DEFAULT 'hot' CHECK (custody IN ('hot', 'cold')),
        created_by         text NOT NULL,
        next_address_index integer NOT NULL DEFAULT 0 CHECK (next_address_index >= 0),
        created_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE gateway.addresses (
        address_id       text PRIMARY KEY CHECK (address_id ~ '^[A-Za-z0-9._:-]{1,128}$'),
        position         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        wallet_id        text NOT NULL REFERENCES gateway.wallets (wallet_id),
        chain            text NOT NULL,
        address_index    integer NOT NULL CHECK (address_index >= 0),
        address          text NOT NULL,
        public_key       bytea NOT NULL CHECK (octet_length(public_key) = 33),
        created_by       text NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        UNIQUE (wallet_id, address_index),
        UNIQUE (chain, address)
      )`);
    await queryRunner.query('CREATE INDEX addresses_wallet ON gateway.addresses (wallet_id, position)');
    await queryRunner.query(`
      CREATE TABLE gateway.messages (
        message_id       text PRIMARY KEY CHECK (message_id ~ '^[A-Za-z0-9._:-]{1,128}$'),
        position         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        wallet_id        text NOT NULL REFERENCES gateway.wallets (wallet_id),
        message          bytea NOT NULL,
        hash             text NOT NULL CHECK (hash IN ('sha256', 'keccak256', 'none')),
        state            text NOT NULL CHECK (state IN ('evaluating', 'pending-approval', 'signing', 'signed', 'rejected', 'failed')),
        reason           text NOT NULL DEFAULT '',
        signature        bytea,
        recovery_id      integer,
        grant_json       text,
        created_by       text NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        CHECK ((state = 'signed') = (signature IS NOT NULL))
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE gateway.messages');
    await queryRunner.query('DROP TABLE gateway.addresses');
    await queryRunner.query('DROP TABLE gateway.wallets');
  }
}
