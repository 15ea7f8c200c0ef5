import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { SignerConfig } from '../config';
import { SignerNode } from '../node/signer-node.service';
import { SignerRepository } from '../storage/signer.repository';
import { SIGNER_CONFIG } from '../storage/signer.tokens';

const REFILL_INTERVAL_MS = 5000;

/**
 * Keeps SIGNER_PRESIGN_POOL_SIZE ECDSA presignatures ready for each (key, signer set) this node has
 * signed with, by coordinating presigning sessions in the background. A presignature is bound to its
 * signer set, exists at every signer of the set under one id, and is consumed once.
 */
@Injectable()
export class PresignaturePool implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PresignaturePool.name);
  private readonly wanted = new Map<string, { keyId: string; signers: number[] }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    @Inject(SIGNER_CONFIG) private readonly config: SignerConfig,
    private readonly node: SignerNode,
    private readonly repository: SignerRepository,
  ) {}

  onModuleInit(): void {
    if (this.config.presignPoolSize === 0) return;
    this.timer = setInterval(() => this.refillAll(), REFILL_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running.catch(() => undefined);
  }

  /** Presignatures ready here for this key and signer set, and the id of the oldest. */
  async available(keyId: string, signers: readonly number[]): Promise<string | undefined> {
    const key = await this.repository.findKey(keyId);
    if (!key) return undefined;
    const id = await this.repository.peekOneTime(keyId, 'ecdsa-presignature', key.generation, signers);
    return id?.replace(/^presig\./, '');
  }

  /** Remembers a signer set to keep a pool for, and tops it up soon. */
  want(keyId: string, signers: readonly number[]): void {
    if (this.config.presignPoolSize === 0) return;
    this.wanted.set(`${keyId}/${signers.join(',')}`, { keyId, signers: [...signers] });
    this.refillAll();
  }

  /** Runs `count` presigning sessions for the set; returns how many succeeded. */
  async presign(keyId: string, signers: readonly number[], count: number, timeoutMs?: number): Promise<number> {
    let created = 0;
    for (let i = 0; i < count && !this.stopped; i++) {
      await this.node.coordinate({ protocol: 'ecdsa-presign', keyId, participants: [...signers] }, timeoutMs);
      created += 1;
    }
    return created;
  }

  refillAll(): void {
    this.running = this.running
      .then(async () => {
        for (const { keyId, signers } of this.wanted.values()) {
          const key = await this.repository.findKey(keyId);
          if (!key || this.stopped) continue;
          const have = await this.repository.countOneTime(keyId, 'ecdsa-presignature', key.generation, signers);
          if (have < this.config.presignPoolSize) await this.presign(keyId, signers, this.config.presignPoolSize - have);
        }
      })
      .catch((error: unknown) => this.logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'presignature pool refill failed'));
  }
}
