import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `deposits.log_index` was `integer` (int4, at most 2^31-1) while the API and the core take any
 * log index of the proto's `uint32` (0..2^32-1): a deposit at log index 2^31 or above failed as an
 * internal error. It becomes `bigint`, bounded to JavaScript's safe integers (2^53-1), which every
 * reader (`Number(...)`) handles exactly; the API still validates the proto's range at the boundary.
 *
 * Native-coin deposits keep their convention: a native transfer has no log, so the chain indexer
 * reports it at log index 2^31-1 (`NATIVE_TRANSFER_LOG_INDEX`, libs/chain-core), and refuses a real
 * log at or above it, so the key (chain, tx hash, log index) of a native transfer never meets a
 * token transfer's. The wider column changes none of those keys.
 *
 * down() narrows the column again and fails (integer out of range) if a stored deposit needs more.
 */
export class DepositLogIndexBigint1796100000000 implements MigrationInterface {
  readonly name = 'DepositLogIndexBigint1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE ledger.deposits ALTER COLUMN log_index TYPE bigint');
    await queryRunner.query('ALTER TABLE ledger.deposits ADD CONSTRAINT deposits_log_index_safe CHECK (log_index <= 9007199254740991)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE ledger.deposits DROP CONSTRAINT IF EXISTS deposits_log_index_safe');
    await queryRunner.query('ALTER TABLE ledger.deposits ALTER COLUMN log_index TYPE integer');
  }
}
