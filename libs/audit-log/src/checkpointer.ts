import type { NoteVerifier } from '@custody/transparency-log';
import type { AuditLogStore, StoredCheckpoint } from './audit-log.store';

/** One witness as the checkpointer sees it: its pinned cosignature verifier and its tlog-witness endpoint. */
export interface WitnessEndpoint {
  /** The witness's `cosignature/v1` verifier (its name is the witness's key name). */
  readonly verifier: NoteVerifier;
  /** C2SP tlog-witness add-checkpoint: returns the witness's cosignature line, or throws its refusal. */
  addCheckpoint(req: Awaited<ReturnType<AuditLogStore['witnessRequest']>>): Promise<string>;
  /** The size the witness says it last cosigned for this log (to recover from a stale `oldSize`). */
  cosignedSize(): Promise<number>;
}

export interface CheckpointRound {
  readonly checkpoint: StoredCheckpoint;
  /** Witnesses whose cosignature of this checkpoint is stored (before this round or in it). */
  readonly cosigned: readonly string[];
  readonly refused: readonly { readonly witness: string; readonly reason: string }[];
  /** Whether at least `quorum` witnesses cosigned this checkpoint. */
  readonly witnessed: boolean;
}

/**
 * Issues checkpoints and collects their cosignatures: the sequencer's `integrate()`, then every
 * witness in parallel is asked to cosign the new checkpoint (with the consistency proof from the size
 * it last cosigned, as stored in `audit.cosignatures`, and the inclusion proofs of the grants it may
 * have signed); each cosignature is verified against the pinned key before it is stored. A witness
 * that answers with a stale size is asked once more from the size it reports. One round at a time:
 * `checkpointNow()` during a round waits for that round, then runs its own.
 */
export class AuditCheckpointer {
  private running: Promise<CheckpointRound> | null = null;
  private queued: Promise<CheckpointRound> | null = null;

  constructor(
    private readonly store: AuditLogStore,
    private readonly witnesses: readonly WitnessEndpoint[],
    private readonly quorum: number,
    private readonly options: { readonly maxBatch?: number; readonly grantHorizonMs?: number } = {},
  ) {
    if (!Number.isSafeInteger(quorum) || quorum < 0 || quorum > witnesses.length) throw new RangeError(`AuditCheckpointer: quorum must be 0..${witnesses.length}`);
    const names = new Set(witnesses.map((w) => w.verifier.name));
    if (names.size !== witnesses.length) throw new RangeError('AuditCheckpointer: two witnesses share a key name');
  }

  /** Runs a round now (after the one in progress, if any). Records committed before the call are in its checkpoint. */
  checkpointNow(): Promise<CheckpointRound> {
    if (this.running === null) {
      this.running = this.round().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    if (this.queued === null) {
      this.queued = this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return this.checkpointNow();
        });
    }
    return this.queued;
  }

  private async round(): Promise<CheckpointRound> {
    let checkpoint = await this.store.integrate(this.options.maxBatch);
    // A backlog larger than one batch: keep sequencing so the checkpoint covers what was committed.
    while ((await this.store.pendingCount()) > 0) {
      const next = await this.store.integrate(this.options.maxBatch);
      if (next.size === checkpoint.size) break;
      checkpoint = next;
    }
    const results = await Promise.all(this.witnesses.map((w) => this.ask(w, checkpoint)));
    const cosigned = results.filter((r) => r.ok).map((r) => r.witness);
    const refused = results.filter((r) => !r.ok).map((r) => ({ witness: r.witness, reason: r.reason }));
    return { checkpoint, cosigned, refused, witnessed: cosigned.length >= this.quorum };
  }

  private async ask(w: WitnessEndpoint, cp: StoredCheckpoint): Promise<{ ok: true; witness: string } | { ok: false; witness: string; reason: string }> {
    const name = w.verifier.name;
    try {
      let oldSize = await this.store.lastCosignedSize(name);
      if (oldSize === cp.size && cp.size > 0) return { ok: true, witness: name };
      let line: string;
      try {
        line = await w.addCheckpoint(await this.store.witnessRequest(oldSize, this.options));
      } catch (first) {
        // tlog-witness 409: the witness cosigned a size we did not store (a lost answer). Retry from it.
        const theirs = await w.cosignedSize().catch(() => oldSize);
        if (theirs === oldSize || theirs > cp.size) throw first;
        oldSize = theirs;
        line = await w.addCheckpoint(await this.store.witnessRequest(oldSize, this.options));
      }
      await this.store.addCosignature(cp.size, w.verifier, line);
      return { ok: true, witness: name };
    } catch (e) {
      return { ok: false, witness: name, reason: (e instanceof Error ? e.message : String(e)).slice(0, 300) };
    }
  }
}
