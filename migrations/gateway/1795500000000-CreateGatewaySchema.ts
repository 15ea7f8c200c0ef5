import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Creates the `gateway` schema, owned by the gateway service. */
export class CreateGatewaySchema1795500000000 implements MigrationInterface {
  readonly name = 'CreateGatewaySchema1795500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE SCHEMA IF NOT EXISTS gateway');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP SCHEMA IF EXISTS gateway CASCADE');
  }
}
