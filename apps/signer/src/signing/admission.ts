/** No slot came free before the caller's deadline. */
export class AdmissionTimeout extends Error {
  override readonly name = 'AdmissionTimeout';
}

interface Waiter {
  readonly admit: () => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * At most `limit` holders at a time, the others admitted first come, first served; a waiter whose
 * deadline passes leaves the queue with `AdmissionTimeout`. Bounds how many CPU-heavy sessions a
 * node runs at once, so that its event loop still answers its peers' invitations in time.
 */
export class Admission {
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  }

  /** Holders now, and callers waiting. */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.queue.length };
  }

  /** Waits for a slot until `deadline` (ms since the epoch); resolves with its release (idempotent). */
  enter(deadline: number): Promise<() => void> {
    if (this.active < this.limit && this.queue.length === 0) return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          resolve(this.take());
        },
        timer: setTimeout(() => {
          const at = this.queue.indexOf(waiter);
          if (at >= 0) this.queue.splice(at, 1);
          reject(new AdmissionTimeout(`no free slot before the deadline (${this.limit} at a time)`));
        }, Math.max(0, deadline - Date.now())),
      };
      this.queue.push(waiter);
    });
  }

  private take(): () => void {
    this.active += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      const next = this.queue.shift();
      if (next) next.admit();
    };
  }
}
