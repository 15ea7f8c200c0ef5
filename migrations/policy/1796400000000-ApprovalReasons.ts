import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An approver's reason beside its signed decision on a request (free text, not covered by the
 * signature), and an index for the approvers' pending lists (requests waiting, oldest first).
 */
export class ApprovalReasons1796400000000 implements MigrationInterface {
  readonly name = 'ApprovalReasons1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE policy.request_approvals ADD COLUMN reason text CHECK (reason IS NULL OR char_length(reason) <= 512)');
    await queryRunner.query("CREATE INDEX requests_pending ON policy.requests (created_at_ms, request_id) WHERE status = 'pending-approval'");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX IF EXISTS policy.requests_pending');
    await queryRunner.query('ALTER TABLE policy.request_approvals DROP COLUMN IF EXISTS reason');
  }
}
