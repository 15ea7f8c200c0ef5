/**
 * The gateway's BullMQ queue of raw message signing that waits for approvals, in one place: its
 * name, its deterministic job ids, its job data and its retry schedule.
 */
export const MESSAGE_SIGNING_QUEUE = 'gateway-message-signing';

export interface MessageSigningJob {
  readonly messageId: string;
}

/** One job per message: enqueueing it twice (a retry, a restart re-driving from Postgres) adds nothing. */
export function messageSigningJobId(messageId: string): string {
  return `message-${messageId}`;
}

/** Polling the policy engine: 1 s, 2 s, 4 s … capped at 30 s; long enough for any approval expiry. */
export const MESSAGE_SIGNING_ATTEMPTS = 20_000;

export function messageSigningBackoffMs(attemptsMade: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, Math.min(attemptsMade - 1, 5)));
}

/** The BullMQ key prefix: under the gateway's own Redis prefix (GATEWAY_REDIS_PREFIX). */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}bull`;
}
