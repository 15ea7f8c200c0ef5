import { fail } from './errors';

/** What a deposit address's sweep is decided on (all in wei of the chain's native coin). */
export interface SweepInput {
  /** What the ledger books as held at the address (credited deposits less what was sent from it). */
  readonly booked: bigint;
  /** The address's balance at the node's latest block. */
  readonly onChain: bigint;
  /** Gas of the sweep transaction (21 000 for a native transfer). */
  readonly gas: bigint;
  /** The chain's cap per gas: the most the sweep's fee can be is gas × cap. */
  readonly maxFeePerGasCap: bigint;
  /** Below this amount (after the fee) nothing is swept. */
  readonly minimum: bigint;
}

/**
 * The amount a sweep of a deposit address moves, or null when it is not worth one. It moves the
 * smaller of what the ledger books and what the chain shows (a deposit not yet credited is not the
 * wallet's yet; coins the books do not know are not swept), less the most the fee can be, so the
 * transaction can always pay for itself: the fee comes from the address, the rest reaches the
 * wallet's sending address, and what the fee did not use stays behind, booked.
 */
export function sweepAmount(input: SweepInput): bigint | null {
  for (const [name, value] of Object.entries(input)) {
    if (typeof value !== 'bigint') fail(`sweep.${name}`, 'must be a bigint');
    if (value < 0n) fail(`sweep.${name}`, 'must not be negative');
  }
  if (input.gas === 0n) fail('sweep.gas', 'must be positive');
  const have = input.booked < input.onChain ? input.booked : input.onChain;
  const amount = have - input.gas * input.maxFeePerGasCap;
  if (amount <= 0n || amount < input.minimum) return null;
  return amount;
}
