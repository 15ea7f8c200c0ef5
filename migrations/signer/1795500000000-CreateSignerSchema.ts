import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Creates the `signer` schema, owned by the signer service. */
export class CreateSignerSchema1795500000000 implements MigrationInterface {
  readonly name = 'CreateSignerSchema1795500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE SCHEMA IF NOT EXISTS signer');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP SCHEMA IF EXISTS signer CASCADE');
  }
}
