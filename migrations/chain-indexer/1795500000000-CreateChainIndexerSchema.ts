import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Creates the `chain_indexer` schema, owned by the chain-indexer service. */
export class CreateChainIndexerSchema1795500000000 implements MigrationInterface {
  readonly name = 'CreateChainIndexerSchema1795500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE SCHEMA IF NOT EXISTS chain_indexer');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP SCHEMA IF EXISTS chain_indexer CASCADE');
  }
}
