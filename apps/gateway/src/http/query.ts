import { ApiError, preview } from '../errors/api-error';

/**
 * A REST list's query parameters: only `allowed` names (else 400 `unknown-field`), each given at most
 * once, as strings. `page_size` and `page_token` are always allowed.
 */
export function queryParams(query: Record<string, unknown>, allowed: readonly string[]): Record<string, string | undefined> {
  const names = new Set(['page_size', 'page_token', ...allowed]);
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!names.has(name)) throw new ApiError('unknown-field', `unknown query parameter ${preview(name)}`);
    if (typeof value !== 'string') throw new ApiError('invalid-argument', `${name} must be given once`);
    out[name] = value;
  }
  return out;
}

/** `page_size` as a number 0..max (0: the default). */
export function pageSizeOf(value: string | number | undefined | null, max = 100): number {
  if (value === undefined || value === null || value === '') return 0;
  const n = typeof value === 'number' ? value : /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new ApiError('invalid-argument', `page_size must be an integer 0..${max}`);
  return n;
}

/** An RFC 3339 time (field named in the error) as ms since the epoch; empty: undefined. */
export function timeOf(value: string | undefined | null, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(value)) throw new ApiError('invalid-argument', `${field} ${preview(value)} must be an RFC 3339 time (2026-12-02T17:00:00Z)`);
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new ApiError('invalid-argument', `${field} ${preview(value)} is not a valid time`);
  return ms;
}

/** Lower-case hex of exactly `bytes` bytes (field named in the error). */
export function hexBytes(value: unknown, field: string, bytes: number): Buffer {
  if (typeof value !== 'string' || value.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(value)) throw new ApiError('invalid-argument', `${field} must be ${bytes} bytes as ${bytes * 2} hex characters`);
  return Buffer.from(value, 'hex');
}
