import { bytesToHex, hexToBytes } from 'viem';
import { fail, preview } from './errors';

/** 2^256: every EVM word is below it. */
export const UINT256_LIMIT = 1n << 256n;

export function assertUint256(value: unknown, argument: string): asserts value is bigint {
  if (typeof value !== 'bigint') fail(argument, `must be a bigint, got ${preview(value)}`);
  if (value < 0n) fail(argument, 'must be ≥ 0');
  if (value >= UINT256_LIMIT) fail(argument, 'must be below 2^256');
}

export function assertSafeInteger(value: unknown, argument: string, min: number, max: number = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(argument, `must be an integer, got ${preview(value)}`);
  if (value < min || value > max) fail(argument, `must be in ${min}..${max}`);
}

export function assertBytes(value: unknown, argument: string, length?: number, maxLength?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) fail(argument, `must be a Uint8Array, got ${preview(value)}`);
  if (length !== undefined && value.length !== length) fail(argument, `must be ${length} bytes, got ${value.length}`);
  if (maxLength !== undefined && value.length > maxLength) fail(argument, `must be at most ${maxLength} bytes, got ${value.length}`);
}

/** A 0x-prefixed, even-length hex string (either case) of at most `maxBytes` bytes, as JSON-RPC sends. */
export function parseHexData(value: unknown, argument: string, maxBytes: number): Uint8Array {
  if (typeof value !== 'string') fail(argument, `must be a 0x-prefixed hex string, got ${preview(value)}`);
  if (value.length > 2 + 2 * maxBytes) fail(argument, `must be at most ${maxBytes} bytes`);
  if (!/^0x(?:[0-9a-fA-F]{2})*$/.test(value)) fail(argument, `must be 0x-prefixed hex of whole bytes, got ${preview(value)}`);
  return hexToBytes(value as `0x${string}`);
}

export function toHex(bytes: Uint8Array): `0x${string}` {
  return bytesToHex(bytes);
}

/** Refuses fields a builder would otherwise ignore (a `data` given to a native transfer is an error, not dropped). */
export function assertOnlyKeys(value: unknown, keys: readonly string[], argument: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(argument, 'must be an object');
  for (const k of Object.keys(value)) if (!keys.includes(k)) fail(`${argument}.${k.slice(0, 40)}`, 'unknown field');
}
