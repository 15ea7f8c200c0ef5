import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The withdrawals the chain indexer tracks (TrackWithdrawal): the sender and nonce of the signed
 * transaction(s), their hashes, what the blocks read say about them (pending, mined with the receipt,
 * replaced by another transaction of the same nonce, dropped from the node) and what was told to the
 * ledger last. `watched_addresses.created_at` already exists; the API pages addresses by (chain, address).
 */
export class CreateChainIndexerWithdrawals1796700000000 implements MigrationInterface {
  readonly name = 'CreateChainIndexerWithdrawals1796700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE chain_indexer.withdrawals (
        withdrawal_id text PRIMARY KEY,
        chain text NOT NULL,
        sender text NOT NULL,
        nonce bigint NOT NULL CHECK (nonce >= 0),
        tx_hashes text[] NOT NULL CHECK (cardinality(tx_hashes) BETWEEN 1 AND 16),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'mined', 'replaced', 'dropped')),
        tx_hash text,
        block_number bigint,
        block_hash text,
        receipt_success boolean,
        gas_used numeric(78,0),
        effective_gas_price numeric(78,0),
        replaced_by text,
        ledger_outcome text NOT NULL DEFAULT '' CHECK (ledger_outcome IN ('', 'confirm', 'fail', 'unconfirm')),
        ledger_refusal text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (chain, sender, nonce)
      )`);
    await queryRunner.query("CREATE INDEX withdrawals_open ON chain_indexer.withdrawals (chain) WHERE status IN ('pending', 'dropped')");
    await queryRunner.query('CREATE INDEX withdrawals_block ON chain_indexer.withdrawals (chain, block_number) WHERE block_number IS NOT NULL');
    await queryRunner.query('CREATE INDEX watched_addresses_wallet ON chain_indexer.watched_addresses (chain, wallet, address)');
    // A ledger command the ledger refused for good (a withdrawal no longer in the state the command
    // needs): marked delivered with the ledger's answer, so one refusal never stops the indexer.
    await queryRunner.query('ALTER TABLE chain_indexer.ledger_commands ADD COLUMN refusal text');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE chain_indexer.ledger_commands DROP COLUMN IF EXISTS refusal');
    await queryRunner.query('DROP INDEX IF EXISTS chain_indexer.watched_addresses_wallet');
    await queryRunner.query('DROP TABLE IF EXISTS chain_indexer.withdrawals');
  }
}
