import * as fs from 'node:fs';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { SafePrimePool } from '@custody/mpc-core/math/safe-primes';
import type { SignerConfig } from '../config';
import { InvitationRefused } from '../node/protocol-handler';
import { SIGNER_CONFIG } from '../storage/signer.tokens';

/**
 * The two safe primes of this node's Paillier key for each new ECDSA key. In production they are
 * generated ahead of time (safe-prime generation takes seconds to minutes) into a pool that refills
 * in the background. With SIGNER_PRIME_SOURCE=test-only-fixtures, the node reads one TEST-ONLY pair
 * from SIGNER_TEST_ONLY_PRIMES_FILE (tests only; such a key protects nothing).
 */
@Injectable()
export class PrimeSource implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PrimeSource.name);
  private readonly pool: SafePrimePool;
  private filling: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(@Inject(SIGNER_CONFIG) private readonly config: SignerConfig) {
    this.pool = new SafePrimePool(config.paillierBits / 2);
  }

  onModuleInit(): void {
    if (this.config.primeSource === 'generate') this.refill();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    // Generation runs in OpenSSL's thread pool and cannot be interrupted; do not wait for it.
    await Promise.resolve();
  }

  private refill(): void {
    this.filling = this.filling
      .then(async () => {
        while (!this.stopped && this.pool.size < 2) {
          await this.pool.fill(1);
          this.logger.log({ ready: this.pool.size, bits: this.pool.bits }, 'safe prime ready');
        }
      })
      .catch((error: unknown) => this.logger.error({ reason: error instanceof Error ? error.message : String(error) }, 'safe prime generation failed'));
  }

  async take(): Promise<readonly [bigint, bigint]> {
    if (this.config.primeSource === 'test-only-fixtures') return this.testOnlyPair();
    if (this.pool.size < 2) {
      this.refill();
      await this.filling;
    }
    if (this.pool.size < 2) throw new InvitationRefused('no safe primes ready for a Paillier key yet');
    const pair = [this.pool.take(), this.pool.take()] as const;
    this.refill();
    return pair;
  }

  private testOnlyPair(): readonly [bigint, bigint] {
    const file = this.config.testOnlyPrimesFile;
    if (!file) throw new InvitationRefused('SIGNER_TEST_ONLY_PRIMES_FILE is not set');
    const value = JSON.parse(fs.readFileSync(file, 'utf8')) as { p?: unknown; q?: unknown };
    if (typeof value.p !== 'string' || typeof value.q !== 'string') throw new InvitationRefused('the test-only primes file is malformed');
    return [BigInt('0x' + value.p), BigInt('0x' + value.q)] as const;
  }
}
