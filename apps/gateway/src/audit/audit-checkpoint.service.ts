import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { POSTGRES } from '@custody/platform';
import { SignerClient } from '@custody/signer-client';
import { AuditCheckpointer, AuditLogStore, type CheckpointRound, type WitnessEndpoint } from '@custody/audit-log';
import { verifierFromKey } from '@custody/transparency-log';
import type { GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';

/**
 * The one place that issues audit checkpoints (README, "The audit log"): every AUDIT_CHECKPOINT_INTERVAL_MS
 * and on demand (`checkpointNow()`), the sequencer places committed records, signs the checkpoint and
 * asks the signers' witnesses to cosign it. Several gateway replicas may run it: the sequencer's advisory
 * lock lets one place records at a time, and a witness asked twice for a size it cosigned answers again.
 */
@Injectable()
export class AuditCheckpointService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditCheckpoints');
  private readonly checkpointer: AuditCheckpointer | undefined;
  private readonly clients: SignerClient[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private current: Promise<unknown> | undefined;
  private lastRefusals = '';

  constructor(
    @Inject(POSTGRES) db: DataSource,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    const audit = config.audit;
    if (audit === undefined) return;
    // The log's own verifier, from the same key: the store checks what it signed with it.
    const logVerifier = verifierFromKey(audit.verifierKey);
    const store = new AuditLogStore(db, audit.origin, audit.signer, logVerifier);
    const witnesses: WitnessEndpoint[] = audit.witnesses.map((w) => {
      const client = new SignerClient(w.address);
      this.clients.push(client);
      return {
        verifier: verifierFromKey(w.verifierKey),
        addCheckpoint: (req) => client.addCheckpoint(req),
        cosignedSize: async () => (await client.getWitness()).cosignedSize,
      };
    });
    this.checkpointer = new AuditCheckpointer(store, witnesses, audit.quorum);
  }

  /** Runs a checkpoint round now; undefined when this gateway issues no checkpoints (AUDIT_LOG_SEED unset). */
  async checkpointNow(): Promise<CheckpointRound | undefined> {
    return this.checkpointer?.checkpointNow();
  }

  onApplicationBootstrap(): void {
    if (this.checkpointer === undefined) {
      this.logger.warn('AUDIT_LOG_SEED is unset: this gateway issues no audit checkpoints');
      return;
    }
    this.logger.log({ verifierKey: this.config.audit!.verifierKey, witnesses: this.config.audit!.witnesses.length, quorum: this.config.audit!.quorum }, 'issuing audit checkpoints');
    const tick = (): void => {
      if (this.stopped) return;
      this.current = this.round().finally(() => {
        if (!this.stopped) {
          this.timer = setTimeout(tick, this.config.audit!.intervalMs);
          this.timer.unref();
        }
      });
    };
    tick();
  }

  private async round(): Promise<void> {
    try {
      const r = await this.checkpointer!.checkpointNow();
      const refusals = r.refused.map((x) => `${x.witness}: ${x.reason}`).join('; ');
      if (refusals !== this.lastRefusals) {
        // A refusal is logged when it changes, not at every round.
        if (refusals !== '') this.logger.error({ size: r.checkpoint.size, refused: r.refused, witnessed: r.witnessed }, 'audit checkpoint: witnesses refused');
        this.lastRefusals = refusals;
      }
    } catch (error) {
      this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'audit checkpoint round failed');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current;
    for (const c of this.clients) c.close();
  }
}
