import { fail } from './errors';
import { assertSafeInteger } from './validate';

/** The native asset of a chain (ether and its like): symbol and decimals of its smallest unit. */
export interface NativeAsset {
  readonly symbol: string;
  readonly decimals: number;
}

/**
 * An EVM chain as custody sees it: its EIP-155 chain id, how many blocks on top of a block make its
 * deposits final enough to credit, and its native asset.
 */
export interface Chain {
  readonly id: number;
  /** 1..64 characters of [a-z0-9-]. */
  readonly name: string;
  /** Blocks on top of the including block before a deposit is credited, 1..10000 (1: credited when included). */
  readonly confirmations: number;
  readonly nativeAsset: NativeAsset;
}

const NAME = /^[a-z0-9-]{1,64}$/;
const SYMBOL = /^[A-Za-z0-9]{1,16}$/;
/** The largest chain id we accept: a safe integer (EIP-2294 bounds it at 2^64-1; every chain in use is far below 2^53). */
export const MAX_CHAIN_ID = Number.MAX_SAFE_INTEGER;

/** A chain id: an integer in 1..2^53-1 (EIP-155). */
export function assertChainId(value: unknown, argument = 'chainId'): asserts value is number {
  assertSafeInteger(value, argument, 1, MAX_CHAIN_ID);
}

/** Validates and freezes a chain definition (for configuration: the confirmation depth is per deployment). */
export function defineChain(input: Chain): Chain {
  if (typeof input !== 'object' || input === null) fail('chain', 'must be an object');
  assertChainId(input.id, 'chain.id');
  if (typeof input.name !== 'string' || !NAME.test(input.name)) fail('chain.name', 'must be 1..64 characters of [a-z0-9-]');
  assertSafeInteger(input.confirmations, 'chain.confirmations', 1, 10_000);
  const asset = input.nativeAsset;
  if (typeof asset !== 'object' || asset === null) fail('chain.nativeAsset', 'must be an object');
  if (typeof asset.symbol !== 'string' || !SYMBOL.test(asset.symbol)) fail('chain.nativeAsset.symbol', 'must be 1..16 characters of [A-Za-z0-9]');
  assertSafeInteger(asset.decimals, 'chain.nativeAsset.decimals', 0, 36);
  return Object.freeze({ id: input.id, name: input.name, confirmations: input.confirmations, nativeAsset: Object.freeze({ symbol: asset.symbol, decimals: asset.decimals }) });
}

const ETHER: NativeAsset = { symbol: 'ETH', decimals: 18 };

/** Known chains with default confirmation depths; a deployment may define its own with {@link defineChain}. */
export const CHAINS = {
  ethereum: defineChain({ id: 1, name: 'ethereum', confirmations: 12, nativeAsset: ETHER }),
  sepolia: defineChain({ id: 11155111, name: 'sepolia', confirmations: 12, nativeAsset: ETHER }),
  /** anvil's default chain id (foundry). */
  anvil: defineChain({ id: 31337, name: 'anvil', confirmations: 2, nativeAsset: ETHER }),
} as const;
