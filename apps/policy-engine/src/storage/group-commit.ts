/** One waiting item and how to answer it. */
export interface Waiting<T, R> {
  readonly item: T;
  /** Settles the item with a value, or with a promise it then follows (work handed on elsewhere). */
  readonly resolve: (value: R | PromiseLike<R>) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while earlier batches are running wait and go together in the next
 * batch (at most `maxBatch` items, at most `maxConcurrent` batches at once). A lone item starts at
 * once, so an idle service adds no latency; under load, one transaction and one COMMIT serve many.
 * `run` must settle every item it is given; any it leaves unsettled are rejected with its error.
 */
export class GroupCommit<T, R> {
  private readonly queue: Waiting<T, R>[] = [];
  private running = 0;

  constructor(
    private readonly run: (batch: readonly Waiting<T, R>[]) => Promise<void>,
    private readonly maxBatch: number,
    private readonly maxConcurrent: number,
  ) {
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) throw new RangeError('maxBatch must be a positive integer');
    if (!Number.isSafeInteger(maxConcurrent) || maxConcurrent < 1) throw new RangeError('maxConcurrent must be a positive integer');
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.maxConcurrent && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.running++;
      void this.execute(batch);
    }
  }

  private async execute(batch: Waiting<T, R>[]): Promise<void> {
    let settled = false;
    const guarded = batch.map((w) => {
      let done = false;
      return {
        item: w.item,
        done: () => done,
        resolve: (v: R | PromiseLike<R>) => {
          done = true;
          w.resolve(v);
        },
        reject: (e: unknown) => {
          done = true;
          w.reject(e);
        },
      };
    });
    try {
      await this.run(guarded);
      settled = true;
    } catch (error) {
      for (const g of guarded) if (!g.done()) g.reject(error);
    } finally {
      if (settled) for (const g of guarded) if (!g.done()) g.reject(new Error('internal: a group-commit batch left an item unanswered'));
      this.running--;
      this.pump();
    }
  }
}
