import { afterFailure, backoffDelay, checkRetryPolicy, parseRetryAfter } from './retry';

describe('webhook retry schedule', () => {
  const day = 24 * 3600 * 1000;
  const policy = checkRetryPolicy({ baseDelayMs: 5000, maxDelayMs: 3600 * 1000, retryForMs: day });

  it('doubles from the base up to the cap, jitter adding at most 20 %', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(policy, n, 0))).toEqual([5000, 10000, 20000, 40000]);
    expect(backoffDelay(policy, 30, 0)).toBe(3600 * 1000);
    expect(backoffDelay(policy, 1, 0.999)).toBeLessThanOrEqual(6000);
    expect(backoffDelay(policy, 1, 0.5)).toBe(5500);
  });

  it('keeps retrying for the whole retry period (at least 24 h by default), then gives up', () => {
    let elapsed = 0;
    let attempts = 0;
    for (;;) {
      attempts++;
      const next = afterFailure(policy, { attempts, firstAttemptAt: 0, now: elapsed, jitter: 0 });
      if (next.kind === 'give-up') break;
      elapsed += next.delayMs;
    }
    expect(elapsed).toBeGreaterThanOrEqual(day);
    expect(attempts).toBeGreaterThan(20);
  });

  it('gives up at once on 410 Gone and honours Retry-After up to the cap', () => {
    expect(afterFailure(policy, { attempts: 1, firstAttemptAt: 0, now: 0, status: 410, jitter: 0 }).kind).toBe('give-up');
    expect(afterFailure(policy, { attempts: 1, firstAttemptAt: 0, now: 0, status: 503, retryAfterMs: 120_000, jitter: 0 })).toEqual({ kind: 'retry', delayMs: 120_000 });
    expect(afterFailure(policy, { attempts: 1, firstAttemptAt: 0, now: 0, status: 503, retryAfterMs: 10 * day, jitter: 0 })).toEqual({ kind: 'retry', delayMs: 3600 * 1000 });
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(new Date(60_000).toUTCString(), 0)).toBe(60_000);
  });

  it('refuses a malformed policy by field', () => {
    expect(() => checkRetryPolicy({ baseDelayMs: 0, maxDelayMs: 1, retryForMs: 1 })).toThrow(/baseDelayMs/);
    expect(() => checkRetryPolicy({ baseDelayMs: 10, maxDelayMs: 5, retryForMs: 1 })).toThrow(/maxDelayMs/);
  });
});
