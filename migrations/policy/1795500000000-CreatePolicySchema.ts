import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Creates the `policy` schema, owned by the policy service. */
export class CreatePolicySchema1795500000000 implements MigrationInterface {
  readonly name = 'CreatePolicySchema1795500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE SCHEMA IF NOT EXISTS policy');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP SCHEMA IF EXISTS policy CASCADE');
  }
}
