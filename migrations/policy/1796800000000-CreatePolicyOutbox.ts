import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The policy engine's outbox: approval needed, approval given or rejected, policy activated, each
 * written in the transaction of the change, numbered gap-free from the counter row (locked by
 * that transaction). The gateway's relay copies it into the public event stream (ReadOutbox).
 */
export class CreatePolicyOutbox1796800000000 implements MigrationInterface {
  readonly name = 'CreatePolicyOutbox1796800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE policy.outbox_counter (
        id            boolean PRIMARY KEY DEFAULT true CHECK (id),
        last_sequence bigint NOT NULL CHECK (last_sequence >= 0)
      )`);
    await queryRunner.query('INSERT INTO policy.outbox_counter (id, last_sequence) VALUES (true, 0)');
    await queryRunner.query(`
      CREATE TABLE policy.outbox (
        sequence   bigint PRIMARY KEY CHECK (sequence > 0),
        event_type text NOT NULL,
        subject    text NOT NULL,
        data       jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS policy.outbox');
    await queryRunner.query('DROP TABLE IF EXISTS policy.outbox_counter');
  }
}
