import { EventsInputError } from './errors';

/**
 * When to try a webhook delivery again (Standard Webhooks, "Deliverability and reliability"):
 * exponential backoff with jitter, for at least `retryForMs` since the first attempt; then the
 * delivery has failed and the endpoint is disabled (sustained failure). `410 Gone` disables at once.
 */
export interface RetryPolicy {
  /** The delay after the first failed attempt. */
  readonly baseDelayMs: number;
  /** No delay is longer than this. */
  readonly maxDelayMs: number;
  /** Retries go on while the first attempt is younger than this (production: at least 24 h). */
  readonly retryForMs: number;
}

export type AfterFailure = { readonly kind: 'retry'; readonly delayMs: number } | { readonly kind: 'give-up'; readonly reason: string };

export interface FailedAttempt {
  /** Attempts made so far, this one included (1 after the first). */
  readonly attempts: number;
  /** Milliseconds since the epoch. */
  readonly firstAttemptAt: number;
  readonly now: number;
  /** The response's status, if a response came. */
  readonly status?: number;
  /** The response's Retry-After, in milliseconds, if it had a valid one. */
  readonly retryAfterMs?: number;
  /** A number in [0, 1) from a CSPRNG: up to +20 % of the delay. */
  readonly jitter: number;
}

export function checkRetryPolicy(policy: RetryPolicy): RetryPolicy {
  for (const field of ['baseDelayMs', 'maxDelayMs', 'retryForMs'] as const) {
    const v = policy[field];
    if (!Number.isSafeInteger(v) || v <= 0) throw new EventsInputError(field, 'must be a positive integer of milliseconds');
  }
  if (policy.maxDelayMs < policy.baseDelayMs) throw new EventsInputError('maxDelayMs', 'must be at least baseDelayMs');
  return policy;
}

/** The delay before attempt `attempts + 1`: base · 2^(attempts − 1), at most max, plus jitter. */
export function backoffDelay(policy: RetryPolicy, attempts: number, jitter: number): number {
  if (!Number.isSafeInteger(attempts) || attempts < 1) throw new EventsInputError('attempts', 'must be a positive integer');
  if (!(jitter >= 0 && jitter < 1)) throw new EventsInputError('jitter', 'must lie in [0, 1)');
  const exponent = Math.min(attempts - 1, 40);
  const raw = Math.min(policy.baseDelayMs * 2 ** exponent, policy.maxDelayMs);
  return Math.round(raw * (1 + 0.2 * jitter));
}

/** What to do after a failed attempt. */
export function afterFailure(policy: RetryPolicy, failed: FailedAttempt): AfterFailure {
  if (failed.status === 410) return { kind: 'give-up', reason: 'the endpoint answered 410 Gone' };
  const elapsed = failed.now - failed.firstAttemptAt;
  let delayMs = backoffDelay(policy, failed.attempts, failed.jitter);
  if (failed.retryAfterMs !== undefined && failed.retryAfterMs > delayMs) delayMs = Math.min(failed.retryAfterMs, policy.maxDelayMs);
  if (elapsed + delayMs > policy.retryForMs && elapsed >= policy.retryForMs) {
    return { kind: 'give-up', reason: `${failed.attempts} attempts failed over ${Math.round(elapsed / 1000)} s (retries last ${Math.round(policy.retryForMs / 1000)} s)` };
  }
  return { kind: 'retry', delayMs };
}

/** `Retry-After` (seconds, or an HTTP date relative to `now`) in milliseconds; undefined if absent or malformed. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
