/** A withdrawal's states, in pipeline order, then the final ones (README, "Withdrawals"). */
export const WITHDRAWAL_STATES = [
  'requested',
  'held',
  'built',
  'pending-approval',
  'approved',
  'signing',
  'signed',
  'broadcast',
  'confirmed',
  'failed',
  'denied',
  'rejected',
  'expired',
  'cancelled',
] as const;
export type WithdrawalState = (typeof WITHDRAWAL_STATES)[number];

export const FINAL_STATES: readonly WithdrawalState[] = ['confirmed', 'failed', 'denied', 'rejected', 'expired', 'cancelled'];
/** States a withdrawal can be cancelled in: nothing has been signed for it yet. */
export const CANCELLABLE_STATES: readonly WithdrawalState[] = ['requested', 'held', 'built', 'pending-approval', 'approved'];

export function isFinal(state: WithdrawalState): boolean {
  return FINAL_STATES.includes(state);
}

/** A withdrawal to a destination, or a sweep of a deposit address to its wallet's sending address. */
export type WithdrawalKind = 'withdrawal' | 'sweep';

/** One withdrawal as Postgres holds it (amounts in the asset's smallest unit). */
export interface Withdrawal {
  readonly id: string;
  readonly kind: WithdrawalKind;
  /** The wallet's child the transaction is sent from: 0 (the sending address), or a swept deposit address's index. */
  readonly sourceIndex: number;
  readonly position: string;
  readonly createdBy: string;
  readonly walletId: string;
  readonly chain: string;
  readonly asset: string;
  readonly amount: bigint;
  readonly destination: string;
  readonly sourceAddress: string | null;
  readonly state: WithdrawalState;
  readonly reason: string;
  readonly version: number;
  readonly attempt: number;
  readonly nonce: number | null;
  readonly feeEstimate: bigint | null;
  readonly feeActual: bigint | null;
  readonly txHash: string | null;
  readonly released: boolean;
  readonly replaceable: boolean;
  readonly expiresAt: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** One signed transaction (or one being prepared) of a withdrawal. */
export interface WithdrawalAttempt {
  readonly withdrawalId: string;
  readonly attempt: number;
  readonly requestId: string;
  readonly nonce: number;
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly gas: bigint;
  readonly signRequestJson: string;
  readonly grantJson: string | null;
  readonly rawTx: Uint8Array | null;
  readonly txHash: string | null;
  readonly broadcastAt: Date | null;
}

/** What a step may change besides the state (and the version, always +1). */
export interface WithdrawalPatch {
  readonly state: WithdrawalState;
  readonly reason?: string;
  readonly sourceAddress?: string;
  readonly feeEstimate?: bigint;
  readonly feeActual?: bigint;
  readonly txHash?: string;
  readonly attempt?: number;
  readonly released?: boolean;
  readonly replaceable?: boolean;
}
