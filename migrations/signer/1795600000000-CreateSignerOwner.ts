import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The signer a database belongs to: one row, written by the node at its first start and checked at
 * every later one, so that a signer pointed at another signer's database stops and says so (instead
 * of failing later on a key-encryption key that cannot open that signer's shares).
 */
export class CreateSignerOwner1795600000000 implements MigrationInterface {
  readonly name = 'CreateSignerOwner1795600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE signer.owner (
        singleton            boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        signer_id            integer NOT NULL CHECK (signer_id BETWEEN 1 AND 255),
        identity_public_key  bytea NOT NULL,
        claimed_at           timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE signer.owner');
  }
}
