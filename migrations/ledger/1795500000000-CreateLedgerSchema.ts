import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Creates the `ledger` schema, owned by the ledger service. */
export class CreateLedgerSchema1795500000000 implements MigrationInterface {
  readonly name = 'CreateLedgerSchema1795500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE SCHEMA IF NOT EXISTS ledger');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP SCHEMA IF EXISTS ledger CASCADE');
  }
}
