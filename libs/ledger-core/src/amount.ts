import { LedgerInputError } from './errors';

/**
 * Amounts are `bigint` in the asset's smallest unit (wei, satoshi, micro-USDC), never floats. On the
 * wire they are decimal strings; in Postgres `numeric(78,0)`, so a value has at most 78 digits.
 */

/** The largest amount a `numeric(78,0)` column holds: 10^78 − 1. Every amount and balance stays below it. */
export const MAX_AMOUNT = 10n ** 78n - 1n;
/** Most digits in an amount (base units). */
export const MAX_AMOUNT_DIGITS = 78;
/** Most decimals an asset may have. */
export const MAX_DECIMALS = 36;

export interface AmountOptions {
  /** Refuse zero (a transfer, a hold, a deposit move something). Default false. */
  positive?: boolean;
}

const BASE_UNITS = /^(0|[1-9][0-9]*)$/;
const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

function checkDecimals(decimals: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS) {
    throw new LedgerInputError('decimals', `must be an integer in 0..${MAX_DECIMALS}`);
  }
}

function checkText(text: unknown, field: string, maxLength: number): asserts text is string {
  if (typeof text !== 'string') throw new LedgerInputError(field, 'must be a decimal string');
  if (text.length === 0) throw new LedgerInputError(field, 'must not be empty');
  if (text.length > maxLength) throw new LedgerInputError(field, `must be at most ${maxLength} characters`);
}

function checkRange(value: bigint, field: string, options: AmountOptions): bigint {
  if (value > MAX_AMOUNT) throw new LedgerInputError(field, `must have at most ${MAX_AMOUNT_DIGITS} digits in base units`);
  if (options.positive && value === 0n) throw new LedgerInputError(field, 'must be greater than zero');
  return value;
}

/**
 * Parse an amount in asset units ("1.5" with 18 decimals → 1500000000000000000n).
 *
 * Grammar: `0 | [1-9][0-9]*`, optionally `.` and 1..`decimals` digits. Refused with
 * `LedgerInputError(field, …)`: not a string, empty, signs (`-`, `+`), exponents, spaces, hex,
 * leading zeros (`01`), a bare dot (`1.`, `.5`), more fraction digits than `decimals`, more than 78
 * digits in base units, and zero when `positive` is set. Trailing zeros in the fraction (`1.50`) are
 * accepted: they are exact, and `formatAmount` gives the canonical form without them.
 */
export function parseAmount(text: unknown, decimals: number, field = 'amount', options: AmountOptions = {}): bigint {
  checkDecimals(decimals);
  checkText(text, field, MAX_AMOUNT_DIGITS + 2 + decimals);
  const m = DECIMAL.exec(text);
  if (!m) throw new LedgerInputError(field, 'must be a non-negative decimal number of digits and at most one dot (no sign, exponent, spaces or leading zeros)');
  const whole = m[1]!;
  const fraction = m[2] ?? '';
  if (fraction.length > decimals) {
    throw new LedgerInputError(field, decimals === 0 ? 'must be a whole number (the asset has no decimals)' : `must have at most ${decimals} fraction digits`);
  }
  const digits = (whole + fraction.padEnd(decimals, '0')).replace(/^0+(?=[0-9])/, '');
  if (digits.length > MAX_AMOUNT_DIGITS) throw new LedgerInputError(field, `must have at most ${MAX_AMOUNT_DIGITS} digits in base units`);
  return checkRange(BigInt(digits), field, options);
}

/** Parse an integer string of smallest units ("1500"): `0 | [1-9][0-9]*`, at most 78 digits. */
export function parseBaseUnits(text: unknown, field = 'amount', options: AmountOptions = {}): bigint {
  checkText(text, field, MAX_AMOUNT_DIGITS);
  if (!BASE_UNITS.test(text)) throw new LedgerInputError(field, 'must be a non-negative integer of digits (no sign, exponent, dot, spaces or leading zeros)');
  return checkRange(BigInt(text), field, options);
}

/** Check a bigint amount given by code (not parsed from text): a bigint in 0..MAX_AMOUNT (or 1.. with `positive`). */
export function assertAmount(value: unknown, field = 'amount', options: AmountOptions = {}): bigint {
  if (typeof value !== 'bigint') throw new LedgerInputError(field, 'must be a bigint');
  if (value < 0n) throw new LedgerInputError(field, 'must not be negative');
  return checkRange(value, field, options);
}

/** The canonical decimal string of `base` smallest units in asset units: no trailing fraction zeros, no dot for whole numbers. */
export function formatAmount(base: bigint, decimals: number): string {
  checkDecimals(decimals);
  assertAmount(base, 'base');
  if (decimals === 0) return base.toString();
  const s = base.toString().padStart(decimals + 1, '0');
  const whole = s.slice(0, s.length - decimals);
  const fraction = s.slice(s.length - decimals).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}

/** The canonical integer string of smallest units (what goes on the wire). */
export function formatBaseUnits(base: bigint): string {
  return assertAmount(base, 'base').toString();
}
