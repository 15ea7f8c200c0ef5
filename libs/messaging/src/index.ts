/**
 * @custody/messaging: the one place where BullMQ queue and job names live, with the typed data of
 * each job. Postgres is the truth and a job only carries intent: every job names a row and the
 * version of that row it was enqueued for, and its id is derived from both, so enqueuing the same
 * intent twice (a retry, the re-drive after a restart) adds it once, and a job that finds the row
 * at another version does nothing.
 */

/** The withdrawal pipeline's queue (a key prefix is added per deployment by the caller). */
export const WITHDRAWAL_QUEUE = 'custody-withdrawals';

/**
 * The steps of the withdrawal pipeline, in order, each one job name. A step runs for a withdrawal in
 * the state of the same name (see the gateway's `pipeline/` folder and README, "Withdrawals").
 */
export const WITHDRAWAL_STEPS = [
  /** requested → held: the ledger holds amount + fee estimate (RequestWithdrawal). */
  'hold',
  /** held → built: a nonce of the sending address is taken in Postgres, the EIP-1559 transaction built. */
  'build',
  /** built → approved | pending-approval | denied: the policy engine evaluates the exact transaction. */
  'evaluate',
  /** pending-approval → approved | rejected | expired: the engine's request state, polled with backoff. */
  'await-approval',
  /** approved → signed: the signers sign under the engine's grant. */
  'sign',
  /** signed → broadcast: eth_sendRawTransaction (already known is success). */
  'broadcast',
  /** broadcast → confirmed (or replaced by a higher fee when stuck): receipts, then the ledger settles. */
  'confirm',
  /** Any final state that is not confirmed: the hold voided, the policy reservation and the nonce released. */
  'release',
] as const;

export type WithdrawalStep = (typeof WITHDRAWAL_STEPS)[number];

/** The data of every withdrawal job: which row, at which version. */
export interface WithdrawalJob {
  readonly withdrawalId: string;
  readonly version: number;
}

/** The deterministic job id of `step` for `withdrawalId` at `version` (BullMQ refuses a second job with the same id). */
export function withdrawalJobId(step: WithdrawalStep, withdrawalId: string, version: number): string {
  if (!Number.isSafeInteger(version) || version < 0) throw new RangeError('version must be a non-negative integer');
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(withdrawalId)) throw new RangeError('withdrawalId must be 1..128 of [A-Za-z0-9._-]');
  return `${withdrawalId}.v${version}.${step}`;
}

export function isWithdrawalStep(name: string): name is WithdrawalStep {
  return (WITHDRAWAL_STEPS as readonly string[]).includes(name);
}

/**
 * The gateway's queue of raw message signing that waits for approvals: its name, its
 * deterministic job ids, its job data and its retry schedule.
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
