import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { systemRng } from '@custody/mpc-core';
import { InvalidInputError } from '@custody/mpc-core';
import { encodeNonceRecord, preprocess, takeNonce, type DurableNonceStore, type NonceRecord, type NonceStore, type TakenNonce } from '@custody/mpc-core/frost';
import type { SignerConfig } from '../config';
import { nonceRecordId } from '../protocols/frost-nonce.codec';
import { KeyShares } from '../keys/key-shares.service';
import { ShareVault } from '../storage/share-vault.service';
import { SignerRepository } from '../storage/signer.repository';
import { SIGNER_CONFIG } from '../storage/signer.tokens';

/** Collects the records `preprocess` makes, to seal them into the database. */
class CollectingStore implements NonceStore {
  readonly records: NonceRecord[] = [];
  put(record: NonceRecord): void {
    this.records.push(record);
  }
  consume(): NonceRecord | undefined {
    return undefined;
  }
  has(commitmentId: string): boolean {
    return this.records.some((r) => r.commitment.commitmentId === commitmentId);
  }
}

const REFILL_INTERVAL_MS = 5000;

/**
 * This node's {@link DurableNonceStore} for one signing session, the only way a pooled nonce pair
 * becomes usable again (mpc-core's `takeNonce`): `consumeEncoded` takes the oldest unused pair of the
 * key's current generation and, in the same statement, marks it consumed and erases its sealed secret
 * (`SignerRepository.takeOneTime`: `UPDATE … SET consumed_at = now(), sealed = '{}' … FOR UPDATE SKIP
 * LOCKED … RETURNING` the old value); only then is it opened from the vault. Concurrent takers never
 * get the same pair, and once the statement commits no retry, crash or restart can return it again.
 * With `tx`, the consume commits or rolls back with the caller's transaction (the request claim).
 */
export function pooledNonceStore(
  repository: SignerRepository,
  vault: ShareVault,
  p: { readonly keyId: string; readonly generation: number; readonly consumedBy: string; readonly tx?: EntityManager },
): DurableNonceStore {
  return {
    consumeEncoded: async () => {
      const taken = await repository.takeOneTime(p.keyId, 'frost-nonce', p.generation, p.consumedBy, undefined, p.tx);
      return taken ? vault.open(taken.id, 'eddsa', taken.sealed) : undefined;
    },
  };
}

/**
 * Keeps SIGNER_NONCE_POOL_SIZE FROST nonce pairs ready per EdDSA key, sealed in the database, so that
 * signing does not wait for them. Each pair is consumed once, by the signing session that takes it.
 */
/** How many unusable pooled pairs one signing session burns before it falls back to a fresh pair. */
const MAX_UNUSABLE_PER_TAKE = 3;

/**
 * Takes a pooled nonce pair for one signing session ({@link pooledNonceStore} + `takeNonce`), or
 * `undefined` when the pool is empty. A pair that `takeNonce` refuses (a record this process already
 * imported, e.g. in a transaction that was then lost, or a corrupted one) is already marked consumed in
 * `tx`: it stays burned when `tx` commits, and the next one is tried, so one bad record cannot block
 * the pool. `onUnusable` hears the (public) reason.
 */
export async function takePooledNonce(
  repository: SignerRepository,
  vault: ShareVault,
  p: { readonly keyId: string; readonly generation: number; readonly consumedBy: string; readonly tx?: EntityManager },
  onUnusable: (reason: string) => void = () => undefined,
): Promise<TakenNonce | undefined> {
  for (let i = 0; i < MAX_UNUSABLE_PER_TAKE; i++) {
    try {
      return await takeNonce(pooledNonceStore(repository, vault, p));
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      onUnusable(error.message);
    }
  }
  return undefined;
}

@Injectable()
export class NoncePool implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(NoncePool.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    @Inject(SIGNER_CONFIG) private readonly config: SignerConfig,
    private readonly repository: SignerRepository,
    private readonly vault: ShareVault,
    private readonly shares: KeyShares,
  ) {}

  onModuleInit(): void {
    if (this.config.noncePoolSize === 0) return;
    this.timer = setInterval(() => this.refillAll(), REFILL_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Tops up every EdDSA key's pool (one refill at a time). */
  refillAll(): void {
    this.running = this.running
      .then(async () => {
        for (const key of await this.repository.listKeys('eddsa')) await this.refill(key.keyId);
      })
      .catch((error: unknown) => this.logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'nonce pool refill failed'));
  }

  async refill(keyId: string): Promise<number> {
    const { key, share } = await this.shares.frost(keyId);
    const missing = this.config.noncePoolSize - (await this.repository.countOneTime(keyId, 'frost-nonce', key.generation));
    if (missing <= 0) return 0;
    const store = new CollectingStore();
    preprocess(share, missing, store, systemRng);
    for (const record of store.records) {
      const id = nonceRecordId(record.commitment.commitmentId);
      await this.repository.insertOneTime({ id, kind: 'frost-nonce', keyId, generation: key.generation, signers: [], sealed: this.vault.seal(id, 'eddsa', encodeNonceRecord(record)) });
      record.hiding.fill(0);
      record.binding.fill(0);
    }
    return store.records.length;
  }
}

