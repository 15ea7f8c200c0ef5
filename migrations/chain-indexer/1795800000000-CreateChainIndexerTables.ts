import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The chain indexer's state, per chain: the custody addresses and tokens it watches, the hash of every
 * block it read within the reorg window (the checkpoint: its highest row is where it resumes), the
 * deposits of those blocks as last reported to the ledger, the ledger commands still to deliver (in
 * the same transaction as the blocks they come from, so a crash never loses or repeats an effect), and
 * the gap-free stream of block added / removed events.
 */
export class CreateChainIndexerTables1795800000000 implements MigrationInterface {
  readonly name = 'CreateChainIndexerTables1795800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE chain_indexer.watched_addresses (
        chain text NOT NULL,
        address text NOT NULL,
        wallet text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (chain, address)
      )`);
    await queryRunner.query(`
      CREATE TABLE chain_indexer.tokens (
        chain text NOT NULL,
        contract text NOT NULL,
        asset text NOT NULL,
        PRIMARY KEY (chain, contract),
        UNIQUE (chain, asset)
      )`);
    await queryRunner.query(`
      CREATE TABLE chain_indexer.blocks (
        chain text NOT NULL,
        number bigint NOT NULL CHECK (number >= 0),
        hash text NOT NULL,
        parent_hash text NOT NULL,
        PRIMARY KEY (chain, number)
      )`);
    await queryRunner.query(`
      CREATE TABLE chain_indexer.deposits (
        chain text NOT NULL,
        tx_hash text NOT NULL,
        log_index bigint NOT NULL,
        block_number bigint NOT NULL,
        block_hash text NOT NULL,
        asset text NOT NULL,
        wallet text NOT NULL,
        address text NOT NULL,
        amount numeric(78,0) NOT NULL CHECK (amount > 0),
        confirmations integer NOT NULL,
        settled boolean NOT NULL DEFAULT false,
        PRIMARY KEY (chain, tx_hash, log_index)
      )`);
    await queryRunner.query('CREATE INDEX deposits_block ON chain_indexer.deposits (chain, block_number)');
    await queryRunner.query('CREATE INDEX deposits_unsettled ON chain_indexer.deposits (chain) WHERE NOT settled');
    await queryRunner.query(`
      CREATE TABLE chain_indexer.ledger_commands (
        id bigserial PRIMARY KEY,
        chain text NOT NULL,
        subject text NOT NULL,
        method text NOT NULL,
        request jsonb NOT NULL,
        delivered_at timestamptz
      )`);
    await queryRunner.query('CREATE INDEX ledger_commands_pending ON chain_indexer.ledger_commands (id) WHERE delivered_at IS NULL');
    await queryRunner.query(`
      CREATE TABLE chain_indexer.block_events (
        chain text NOT NULL,
        sequence bigint NOT NULL CHECK (sequence > 0),
        type text NOT NULL CHECK (type IN ('block.added', 'block.removed')),
        number bigint NOT NULL,
        hash text NOT NULL,
        parent_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (chain, sequence)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['block_events', 'ledger_commands', 'deposits', 'blocks', 'tokens', 'watched_addresses']) {
      await queryRunner.query(`DROP TABLE IF EXISTS chain_indexer.${table}`);
    }
  }
}
