import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { contiguousAfter, toPublicEvent } from '@custody/events-core';
import type { GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';
import { EventsRepository } from './events.repository';
import { EventsService } from './events.service';
import { OUTBOX_SOURCES } from './events.tokens';
import type { OutboxSource } from './outbox-source';

/**
 * The relay: copies each source's outbox into the one public stream, in order and exactly once.
 * Each round reads the events after the source's cursor, keeps the gap-free run, and appends its
 * public events with the cursor's move in one transaction (EventsRepository.append). A crash at
 * any point leaves the stream and the cursor consistent; the next start (of this gateway or
 * another) goes on from the cursor. Several gateways may run it at once: the counter row lock
 * serializes their appends and each re-reads the cursor under it.
 */
@Injectable()
export class RelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EventRelay');
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private readonly wake = new Set<() => void>();

  constructor(
    @Inject(OUTBOX_SOURCES) private readonly sources: readonly OutboxSource[],
    private readonly events: EventsRepository,
    private readonly stream: EventsService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    for (const source of this.sources) this.loops.push(this.run(source));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const w of this.wake) w();
    await Promise.allSettled(this.loops);
    for (const source of this.sources) source.close();
  }

  /** One round for one source: how many outbox events it moved past (0: nothing new). */
  async relayOnce(source: OutboxSource): Promise<number> {
    const cursor = await this.events.cursor(source.name);
    const read = await source.read(cursor, this.config.events.relayBatch);
    const run = contiguousAfter(cursor, read);
    if (run.length === 0) return 0;
    const { copied, lastSeq } = await this.events.append(source.name, run, (e) => toPublicEvent(source.name, e));
    if (copied > 0) this.stream.notify(lastSeq);
    return run.length;
  }

  private async run(source: OutboxSource): Promise<void> {
    let failing = false;
    while (!this.stopped) {
      let moved = 0;
      try {
        moved = await this.relayOnce(source);
        if (failing) this.logger.log(`${source.name} outbox: relaying again`);
        failing = false;
      } catch (error) {
        if (!failing) this.logger.warn(`${source.name} outbox: ${error instanceof Error ? error.message : String(error)}; retrying`);
        failing = true;
      }
      if (moved === 0 || failing) await this.sleep(failing ? Math.max(this.config.events.relayIntervalMs, 1000) : this.config.events.relayIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake.add(done);
    });
  }
}
