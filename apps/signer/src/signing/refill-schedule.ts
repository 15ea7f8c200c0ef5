/** How a pool retries a signer set whose refill fails. */
export interface RefillPolicy {
  /** Wait after the first failure, ms; it doubles with each further one. */
  readonly baseDelayMs: number;
  /** The longest wait between two attempts, ms. */
  readonly maxDelayMs: number;
  /** Consecutive failures after which the set is given up (until a signature with it succeeds). */
  readonly maxFailures: number;
}

export const DEFAULT_REFILL_POLICY: RefillPolicy = { baseDelayMs: 5000, maxDelayMs: 5 * 60_000, maxFailures: 6 };

/**
 * When one signer set's pool may be refilled next: at once while refills succeed; after a failure,
 * after an exponentially growing delay; after `maxFailures` in a row, never again until `revive`.
 * Pure: the caller passes the time.
 */
export class RefillSchedule {
  private failures = 0;
  private nextAt = 0;
  private abandoned = false;

  constructor(private readonly policy: RefillPolicy = DEFAULT_REFILL_POLICY) {
    if (!(policy.baseDelayMs > 0 && policy.maxDelayMs >= policy.baseDelayMs)) throw new RangeError('policy: need 0 < baseDelayMs <= maxDelayMs');
    if (!Number.isInteger(policy.maxFailures) || policy.maxFailures < 1) throw new RangeError('policy.maxFailures must be a positive integer');
  }

  /** Consecutive failures so far. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Given up after too many failures in a row. */
  get givenUp(): boolean {
    return this.abandoned;
  }

  /** The earliest time (ms) of the next attempt; undefined once given up. */
  get nextAttemptAt(): number | undefined {
    return this.abandoned ? undefined : this.nextAt;
  }

  due(now: number): boolean {
    return !this.abandoned && now >= this.nextAt;
  }

  succeeded(): void {
    this.failures = 0;
    this.nextAt = 0;
  }

  failed(now: number): void {
    this.failures += 1;
    if (this.failures >= this.policy.maxFailures) {
      this.abandoned = true;
      return;
    }
    this.nextAt = now + Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (this.failures - 1));
  }

  /** The set was shown to work again (a signature with it succeeded): try at once. */
  revive(): void {
    this.abandoned = false;
    this.succeeded();
  }
}
