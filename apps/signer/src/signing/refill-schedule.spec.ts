import { RefillSchedule } from './refill-schedule';

describe('RefillSchedule', () => {
  const policy = { baseDelayMs: 5000, maxDelayMs: 30_000, maxFailures: 6 };

  it('is due at once, and again at once after a success', () => {
    const s = new RefillSchedule(policy);
    expect(s.due(0)).toBe(true);
    s.succeeded();
    expect(s.due(0)).toBe(true);
  });

  it('waits 5, 10, 20, 30 (capped), 30 s after consecutive failures, then gives up', () => {
    const s = new RefillSchedule(policy);
    let now = 1_000_000;
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      s.failed(now);
      const next = s.nextAttemptAt!;
      expect(s.due(next - 1)).toBe(false);
      expect(s.due(next)).toBe(true);
      waits.push(next - now);
      now = next;
    }
    expect(waits).toEqual([5000, 10_000, 20_000, 30_000, 30_000]);
    s.failed(now);
    expect(s.givenUp).toBe(true);
    expect(s.nextAttemptAt).toBeUndefined();
    expect(s.due(Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it('starts the back-off over after a success, and revive() undoes giving up', () => {
    const s = new RefillSchedule(policy);
    s.failed(0);
    s.failed(5000);
    s.succeeded();
    s.failed(100_000);
    expect(s.nextAttemptAt).toBe(105_000);
    for (let i = 0; i < 6; i++) s.failed(200_000);
    expect(s.givenUp).toBe(true);
    s.revive();
    expect(s.givenUp).toBe(false);
    expect(s.consecutiveFailures).toBe(0);
    expect(s.due(0)).toBe(true);
  });

  it('refuses a policy that could spin or never back off', () => {
    expect(() => new RefillSchedule({ baseDelayMs: 0, maxDelayMs: 10, maxFailures: 3 })).toThrow(/baseDelayMs/);
    expect(() => new RefillSchedule({ baseDelayMs: 10, maxDelayMs: 5, maxFailures: 3 })).toThrow(/maxDelayMs/);
    expect(() => new RefillSchedule({ baseDelayMs: 10, maxDelayMs: 10, maxFailures: 0 })).toThrow(/maxFailures/);
  });
});
