/**
 * Amount and duration grammar shared by the document validator and the evaluator.
 */

/** A non-negative integer in the smallest unit: `0` or digits without a leading zero, at most 78 digits (numeric(78,0)). */
export const AMOUNT_PATTERN = /^(0|[1-9][0-9]{0,77})$/;

/** Parses an amount string; undefined when it does not match {@link AMOUNT_PATTERN}. */
export function parseAmount(text: string): bigint | undefined {
  return AMOUNT_PATTERN.test(text) ? BigInt(text) : undefined;
}

/** A duration: digits and one unit (`s`, `m`, `h`, `d`). */
export const DURATION_PATTERN = /^([1-9][0-9]{0,5})(s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const MIN_DURATION_MS = 1_000;
export const MAX_DURATION_MS = 366 * 86_400_000;

/** Milliseconds of a duration string in 1 s .. 366 d; undefined otherwise. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_PATTERN.exec(text);
  if (m === null) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms >= MIN_DURATION_MS && ms <= MAX_DURATION_MS ? ms : undefined;
}

/** Ids of rules, groups, approvers, clients, wallets, entries, tags and assets. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
