import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Presignatures get an owner: the signer that coordinated their presigning, the only one that may
 * put them in a signing session. The owner marks one `ready` when every party confirmed it, and
 * reserves it (`reserved_at`, `reserved_by`) for exactly one signing session before inviting.
 * Unused presignatures made before this migration have no known owner and are burned (consumed,
 * secret erased), so that no two coordinators can pick the same one.
 */
export class PresignatureOwnership1795500200000 implements MigrationInterface {
  readonly name = 'PresignatureOwnership1795500200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE signer.one_time_values
        ADD COLUMN owner        integer CHECK (owner BETWEEN 1 AND 255),
        ADD COLUMN ready_at     timestamptz,
        ADD COLUMN reserved_at  timestamptz,
        ADD COLUMN reserved_by  text`);
    await queryRunner.query(`
      UPDATE signer.one_time_values SET consumed_at = now(), consumed_by = 'burned: no owner', sealed = '{}'::jsonb
       WHERE kind = 'ecdsa-presignature' AND consumed_at IS NULL`);
    await queryRunner.query(`
      ALTER TABLE signer.one_time_values ADD CONSTRAINT one_time_values_presignature_owner
        CHECK (kind <> 'ecdsa-presignature' OR owner IS NOT NULL OR consumed_at IS NOT NULL)`);
    await queryRunner.query(`
      CREATE INDEX one_time_values_reservable ON signer.one_time_values (key_id, owner, signers, created_at)
       WHERE kind = 'ecdsa-presignature' AND consumed_at IS NULL AND reserved_at IS NULL AND ready_at IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX signer.one_time_values_reservable');
    await queryRunner.query('ALTER TABLE signer.one_time_values DROP CONSTRAINT one_time_values_presignature_owner');
    await queryRunner.query('ALTER TABLE signer.one_time_values DROP COLUMN reserved_by, DROP COLUMN reserved_at, DROP COLUMN ready_at, DROP COLUMN owner');
  }
}
