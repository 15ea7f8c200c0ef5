import { ApiError, preview } from '../errors/api-error';

/** Ids the gateway issues and accepts in resource names: 1..128 of [A-Za-z0-9._:-]. */
export const RESOURCE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** Checks one id, naming the field. */
export function checkId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !RESOURCE_ID.test(value)) throw new ApiError('invalid-argument', `${field} ${preview(value)} must be 1..128 characters of [A-Za-z0-9._:-]`);
  return value;
}

const SINGULAR: Record<string, string> = { wallets: 'wallet', addresses: 'address', messages: 'message', deposits: 'deposit', withdrawals: 'withdrawal' };

/**
 * The ids of a resource name against its pattern (AIP-122): `parseName('wallets/w-1/addresses/a-2',
 * ['wallets', 'addresses'], 'name')` → `['w-1', 'a-2']`; anything else is 400 naming the field.
 */
export function parseName(name: unknown, collections: readonly string[], field: string): string[] {
  const pattern = collections.map((c) => `${c}/{${SINGULAR[c] ?? c}_id}`).join('/');
  if (typeof name !== 'string') throw new ApiError('invalid-argument', `${field} must be ${pattern}`);
  const parts = name.split('/');
  if (parts.length !== collections.length * 2 || collections.some((c, i) => parts[2 * i] !== c)) throw new ApiError('invalid-argument', `${field} ${preview(name)} must be ${pattern}`);
  return collections.map((_, i) => checkId(parts[2 * i + 1], field));
}

/** page_size: 0 → the default; 1..100. */
export function checkPageSize(pageSize: number): number {
  if (!Number.isSafeInteger(pageSize) || pageSize < 0 || pageSize > MAX_PAGE_SIZE) throw new ApiError('invalid-argument', `page_size must be an integer 0..${MAX_PAGE_SIZE}`);
  return pageSize === 0 ? DEFAULT_PAGE_SIZE : pageSize;
}

/** An opaque page token over a list ordered by a positive integer position: `p.<position>`, base64url. */
export function encodePageToken(position: number | string): string {
  return Buffer.from(`p.${position}`, 'utf8').toString('base64url');
}

/** The position after which the page starts; `undefined` for the first page. */
export function decodePageToken(token: string): string | undefined {
  if (token === '') return undefined;
  const text = /^[A-Za-z0-9_-]{1,64}$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const match = /^p\.([1-9]\d{0,17})$/.exec(text);
  if (!match) throw new ApiError('invalid-argument', 'page_token is not a token this API issued');
  return match[1]!;
}

/** One page of rows fetched with `limit = size + 1`: the page and the token of the next one. */
export function pageOf<R extends { position: string | number }>(rows: readonly R[], size: number): { page: R[]; nextPageToken: string } {
  const page = rows.slice(0, size);
  return { page, nextPageToken: rows.length > size ? encodePageToken(page[page.length - 1]!.position) : '' };
}
