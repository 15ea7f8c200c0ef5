import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ServiceMetrics } from '@custody/observability';
import { SERVICE_METRICS } from '@custody/platform';
import type { Presignature } from '@custody/mpc-core/ecdsa/presign/state';
import { Counter } from 'prom-client';
import type { SignerConfig } from '../config';
import { SignerNode } from '../node/signer-node.service';
import { presignatureRecordId } from '../protocols/ecdsa.handlers';
import { SignerRepository, type KeyRecord } from '../storage/signer.repository';
import { SIGNER_CONFIG } from '../storage/signer.tokens';
import { DEFAULT_REFILL_POLICY, RefillSchedule } from './refill-schedule';

const REFILL_INTERVAL_MS = 5000;
/** A background presigning session's deadline at most (a failing set is named and backs off sooner). */
const REFILL_SESSION_MS = 30_000;
/** Signer sets remembered per node (wanted, backing off or given up); bounds the pool's memory. */
const MAX_SETS = 256;

const RECORD_PREFIX = presignatureRecordId('');

interface WantedSet {
  readonly keyId: string;
  readonly signers: readonly number[];
  readonly schedule: RefillSchedule;
  refilling: boolean;
}

/** Whether `signers` (ascending) is a signer set of `key` this node may coordinate: a quorum that includes it. */
export function isCoordinatedQuorum(key: KeyRecord | undefined, signers: readonly number[], self: number): key is KeyRecord {
  if (!key || key.scheme !== 'ecdsa') return false;
  if (signers.length < key.threshold || !signers.includes(self)) return false;
  return signers.every((p, i) => key.participants.includes(p) && (i === 0 || p > signers[i - 1]!));
}

/**
 * Keeps SIGNER_PRESIGN_POOL_SIZE ECDSA presignatures ready for each (key, signer set) this node
 * coordinates, by coordinating presigning sessions in the background.
 *
 * A presignature exists at every signer of its set under one id and is owned by the node that
 * coordinated its presigning: only the owner puts it in a signing session. The owner marks it ready
 * when the session completed (every party holds its copy), reserves it atomically for one signing
 * request (`reserve`), and burns it if that session ends without consuming it here (`release`), so it
 * is never offered twice. A set is wanted only once it is known to be a quorum of the key; each set
 * refills on its own (a failing one never delays another), backing off after failures and given up
 * after several in a row until a signature with it succeeds again.
 */
@Injectable()
export class PresignaturePool implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PresignaturePool.name);
  private readonly sets = new Map<string, WantedSet>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly refills: Counter<'outcome'>;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(SIGNER_CONFIG) private readonly config: SignerConfig,
    private readonly node: SignerNode,
    private readonly repository: SignerRepository,
    @Inject(SERVICE_METRICS) metrics: ServiceMetrics,
  ) {
    this.refills = new Counter({
      name: 'custody_signer_presign_pool_refills_total',
      help: 'Presigning sessions the presignature pool ran, by outcome (completed or failed).',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
  }

  async onModuleInit(): Promise<void> {
    // A reservation whose session was cut off by a crash: a participant may have consumed it.
    const burned = await this.repository.burnStaleReservations(this.node.self);
    if (burned > 0) this.logger.warn({ burned }, 'presignatures reserved before the last stop were burned');
    if (this.config.presignPoolSize === 0) return;
    this.timer = setInterval(() => this.tick(), REFILL_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Reserves a ready presignature of this node for one signing request (none: the session presigns).
   * Concurrent requests never get the same one.
   */
  async reserve(keyId: string, signers: readonly number[], requestId: string): Promise<string | undefined> {
    const id = await this.repository.reservePresignature(keyId, this.node.self, signers, `request ${requestId}`);
    return id?.slice(RECORD_PREFIX.length);
  }

  /** After the reserving session ended: a presignature it did not consume here is burned, never reused. */
  async release(presignatureId: string): Promise<void> {
    try {
      await this.repository.burnPresignature(presignatureRecordId(presignatureId), 'its signing session ended before consuming it');
    } catch (error) {
      // It stays reserved, so it is never offered again; the next start-up burns it.
      this.logger.error({ reason: error instanceof Error ? error.message : String(error) }, 'could not burn a reserved presignature');
    }
  }

  /**
   * A signing request for this set ended (`signed` when it succeeded). A set that is a quorum of the
   * key and includes this node is kept filled; any other set is ignored.
   */
  async want(keyId: string, signers: readonly number[], outcome: 'signed' | 'failed'): Promise<void> {
    if (this.config.presignPoolSize === 0 || this.stopped) return;
    if (!isCoordinatedQuorum(await this.repository.findKey(keyId), signers, this.node.self)) return;
    const name = `${keyId}/${signers.join(',')}`;
    const known = this.sets.get(name);
    if (known) {
      if (outcome === 'signed') known.schedule.revive();
    } else {
      if (this.sets.size >= MAX_SETS && !this.forgetOneGivenUp()) {
        this.logger.warn({ keyId, sets: this.sets.size }, 'presignature pool keeps no more signer sets');
        return;
      }
      this.sets.set(name, { keyId, signers: [...signers], schedule: new RefillSchedule(DEFAULT_REFILL_POLICY), refilling: false });
    }
    this.tick();
  }

  /** Runs `count` presigning sessions for the set, one after the other; returns how many succeeded. */
  async presign(keyId: string, signers: readonly number[], count: number, timeoutMs?: number): Promise<number> {
    let created = 0;
    for (let i = 0; i < count && !this.stopped; i++) {
      await this.presignOne(keyId, signers, timeoutMs);
      created += 1;
    }
    return created;
  }

  /** Starts a refill of every wanted set that is due and not refilling already. */
  tick(): void {
    const now = Date.now();
    for (const set of this.sets.values()) {
      if (this.stopped || set.refilling || !set.schedule.due(now)) continue;
      set.refilling = true;
      const run: Promise<void> = this.refill(set).finally(() => {
        set.refilling = false;
        this.inFlight.delete(run);
      });
      this.inFlight.add(run);
    }
  }

  private async presignOne(keyId: string, signers: readonly number[], timeoutMs?: number): Promise<void> {
    const presignature = await this.node.coordinate<Presignature>({ protocol: 'ecdsa-presign', keyId, participants: [...signers] }, timeoutMs);
    // Every party confirmed it (each staged its copy before its confirmation): it may be offered now.
    await this.repository.markPresignatureReady(presignatureRecordId(presignature.id), this.node.self);
  }

  private async refill(set: WantedSet): Promise<void> {
    while (!this.stopped) {
      let have: number;
      try {
        const key = await this.repository.findKey(set.keyId);
        if (!key) {
          this.sets.delete(`${set.keyId}/${set.signers.join(',')}`);
          return;
        }
        have = await this.repository.countReadyPresignatures(set.keyId, this.node.self, key.generation, set.signers);
      } catch (error) {
        this.failed(set, error);
        return;
      }
      if (have >= this.config.presignPoolSize) return;
      try {
        await this.presignOne(set.keyId, set.signers, Math.min(this.config.sessionTimeoutMs, REFILL_SESSION_MS));
        this.refills.inc({ outcome: 'completed' });
        set.schedule.succeeded();
      } catch (error) {
        this.refills.inc({ outcome: 'failed' });
        this.failed(set, error);
        return;
      }
    }
  }

  private failed(set: WantedSet, error: unknown): void {
    set.schedule.failed(Date.now());
    const next = set.schedule.nextAttemptAt;
    this.logger.warn(
      {
        keyId: set.keyId,
        signers: set.signers.join(','),
        failures: set.schedule.consecutiveFailures,
        retryInMs: next === undefined ? null : Math.max(0, next - Date.now()),
        reason: error instanceof Error ? error.message : String(error),
      },
      next === undefined ? 'presignature pool refill failed; set given up until it signs again' : 'presignature pool refill failed',
    );
  }

  private forgetOneGivenUp(): boolean {
    for (const [name, set] of this.sets) {
      if (set.schedule.givenUp && !set.refilling) {
        this.sets.delete(name);
        return true;
      }
    }
    return false;
  }
}
