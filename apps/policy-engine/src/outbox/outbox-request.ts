import { InvalidArgument } from '../errors';

/** `after_sequence` of ReadOutbox: a uint64 as a decimal string (proto-loader's longs: String). */
export function outboxAfter(value: unknown): bigint {
  const text = value === undefined || value === null || value === '' ? '0' : typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  if (!/^(0|[1-9]\d{0,19})$/.test(text) || BigInt(text) > 2n ** 64n - 1n) throw new InvalidArgument('after_sequence', 'must be an unsigned 64-bit integer');
  return BigInt(text);
}

/** `limit` of ReadOutbox: 1..1000, 0 or unset: 100. */
export function outboxLimit(value: unknown): number {
  const n = value === undefined || value === null ? 0 : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > 1000) throw new InvalidArgument('limit', 'must be an integer 0..1000');
  return n === 0 ? 100 : n;
}
