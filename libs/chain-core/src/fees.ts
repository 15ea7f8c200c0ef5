import { fail } from './errors';
import { assertUint256, parseHexData, toHex } from './validate';

/**
 * EIP-1559 fees from a node's `eth_feeHistory` answer, and the fees of a replacement transaction.
 * Pure: the caller fetches the history and passes the chain's cap.
 */

/** What `eth_feeHistory(blockCount, "latest", [percentile])` answers that the fees depend on. */
export interface FeeHistory {
  /** baseFeePerGas of each block asked for, and of the next block (the last entry), in wei. */
  readonly baseFeePerGas: readonly bigint[];
  /** Per block, the priority fee at the asked percentile, in wei. */
  readonly reward: readonly (readonly bigint[])[];
}

export interface Eip1559Fees {
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

export interface FeePolicy {
  /** The most the chain's transactions may offer per gas (maxFeePerGas), in wei. */
  readonly maxFeePerGasCap: bigint;
  /** The priority fee used when the history has no rewards (an empty chain), in wei. */
  readonly minPriorityFeePerGas: bigint;
}

/** The first 256 entries are read at most (a node answers at most 1024 blocks). */
const MAX_BLOCKS = 1024;

function quantity(value: unknown, argument: string): bigint {
  const bytes = parseHexData(typeof value === 'string' && value.length % 2 === 1 ? `0x0${value.slice(2)}` : value, argument, 32);
  return bytes.length === 0 ? 0n : BigInt(toHex(bytes));
}

/** Parses the untrusted JSON of an `eth_feeHistory` answer (quantities as 0x hex). */
export function parseFeeHistory(json: unknown, argument = 'feeHistory'): FeeHistory {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(argument, 'must be an object');
  const o = json as Record<string, unknown>;
  const base = o.baseFeePerGas;
  if (!Array.isArray(base) || base.length === 0 || base.length > MAX_BLOCKS + 1) fail(`${argument}.baseFeePerGas`, `must be an array of 1..${MAX_BLOCKS + 1} quantities`);
  const reward = o.reward ?? [];
  if (!Array.isArray(reward) || reward.length > MAX_BLOCKS) fail(`${argument}.reward`, `must be an array of at most ${MAX_BLOCKS} arrays`);
  return {
    baseFeePerGas: base.map((v, i) => quantity(v, `${argument}.baseFeePerGas[${i}]`)),
    reward: reward.map((r, i) => {
      if (!Array.isArray(r) || r.length > 100) fail(`${argument}.reward[${i}]`, 'must be an array of at most 100 quantities');
      return r.map((v, j) => quantity(v, `${argument}.reward[${i}][${j}]`));
    }),
  };
}

function assertPolicy(policy: FeePolicy): void {
  assertUint256(policy.maxFeePerGasCap, 'policy.maxFeePerGasCap');
  assertUint256(policy.minPriorityFeePerGas, 'policy.minPriorityFeePerGas');
  if (policy.maxFeePerGasCap === 0n) fail('policy.maxFeePerGasCap', 'must be > 0');
}

/**
 * Fees for a new transaction: the priority fee is the median of the history's rewards (at least
 * `minPriorityFeePerGas`); maxFeePerGas = 2 × the next block's base fee + the priority fee, so
 * the transaction stays includable through six full blocks of base-fee rises (each ≤ 12.5 %).
 * Both are capped at the chain's `maxFeePerGasCap`; when the next base fee alone exceeds the cap
 * the transaction could not be mined and this throws (naming `feeHistory.baseFeePerGas`).
 */
export function feesFromHistory(history: FeeHistory, policy: FeePolicy): Eip1559Fees {
  assertPolicy(policy);
  const nextBase = history.baseFeePerGas[history.baseFeePerGas.length - 1];
  if (nextBase === undefined) fail('feeHistory.baseFeePerGas', 'must not be empty');
  if (nextBase > policy.maxFeePerGasCap) fail('feeHistory.baseFeePerGas', `the next base fee ${nextBase} exceeds the chain's cap ${policy.maxFeePerGasCap}`);
  const rewards = history.reward.flat().filter((r) => r > 0n).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const median = rewards.length === 0 ? 0n : rewards[Math.floor(rewards.length / 2)]!;
  let priority = median > policy.minPriorityFeePerGas ? median : policy.minPriorityFeePerGas;
  let maxFee = 2n * nextBase + priority;
  if (maxFee > policy.maxFeePerGasCap) maxFee = policy.maxFeePerGasCap;
  if (priority > maxFee - nextBase) priority = maxFee - nextBase;
  return { maxFeePerGas: maxFee, maxPriorityFeePerGas: priority };
}

/** The smallest increase nodes accept for a replacement of the same nonce (geth's and anvil's 10 %), plus margin. */
export const REPLACEMENT_BUMP_PERCENT = 25n;

/**
 * Fees for a replacement of a stuck transaction (same nonce): both fees raised by
 * {@link REPLACEMENT_BUMP_PERCENT} % (at least +1 wei), and at least what the current history asks.
 * `null` when the raise would pass the chain's cap: the stuck transaction is then left to be mined
 * (or dropped) as it is, never replaced by one the policy does not allow.
 */
export function replacementFees(previous: Eip1559Fees, current: Eip1559Fees, policy: FeePolicy): Eip1559Fees | null {
  assertPolicy(policy);
  assertUint256(previous.maxFeePerGas, 'previous.maxFeePerGas');
  assertUint256(previous.maxPriorityFeePerGas, 'previous.maxPriorityFeePerGas');
  const bump = (x: bigint): bigint => {
    const raised = (x * (100n + REPLACEMENT_BUMP_PERCENT) + 99n) / 100n;
    return raised > x ? raised : x + 1n;
  };
  const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);
  const priority = maxBig(bump(previous.maxPriorityFeePerGas), current.maxPriorityFeePerGas);
  const maxFee = maxBig(maxBig(bump(previous.maxFeePerGas), current.maxFeePerGas), priority);
  if (maxFee > policy.maxFeePerGasCap) return null;
  return { maxFeePerGas: maxFee, maxPriorityFeePerGas: priority };
}
