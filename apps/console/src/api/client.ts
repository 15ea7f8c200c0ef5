import type { Identity } from '../keys/key-store';
import { signRequest } from './signing';

/** An RFC 9457 problem the gateway answered with. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly requestId: string | undefined,
  ) {
    super(`${title}: ${detail}`);
  }
}

export interface Page<T> {
  readonly items: T[];
  readonly nextPageToken: string;
}

/**
 * The public API as the console speaks it: every request signed in the page (RFC 9421), every POST
 * with a fresh Idempotency-Key, errors as {@link ApiProblem}. Same origin as the page: the gateway
 * serves both.
 */
export class ConsoleApi {
  constructor(
    private readonly identity: Identity,
    private readonly origin = window.location.origin,
  ) {}

  get clientId(): string {
    return this.identity.clientId;
  }

  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, options: { idempotencyKey?: string; accept?: string } = {}): Promise<T> {
    const response = await this.send(method, path, body, options);
    const text = await response.text();
    if (!response.ok) throw problemOf(response, text);
    if (options.accept && !options.accept.includes('json')) return text as unknown as T;
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** A signed request, answered as the raw Response (for downloads). */
  async send(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, options: { idempotencyKey?: string; accept?: string; signal?: AbortSignal } = {}): Promise<Response> {
    const bytes = body === undefined ? new Uint8Array(0) : new TextEncoder().encode(JSON.stringify(body));
    const url = `${this.origin}${path}`;
    const signed = await signRequest(method, url, bytes, this.identity.clientId, this.identity.privateKey);
    const headers: Record<string, string> = { ...signed, accept: options.accept ?? 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST') headers['idempotency-key'] = `"${options.idempotencyKey ?? crypto.randomUUID()}"`;
    return fetch(url, { method, headers, body: body === undefined ? null : bytes, credentials: 'omit', cache: 'no-store', ...(options.signal ? { signal: options.signal } : {}) });
  }

  /** Every item of a cursor-paginated list (`page_size` / `page_token`), up to `limit`. */
  async list<T>(path: string, field: string, limit = 1000): Promise<T[]> {
    const out: T[] = [];
    let token = '';
    do {
      const sep = path.includes('?') ? '&' : '?';
      const page = await this.request<Record<string, unknown>>('GET', `${path}${sep}page_size=100${token ? `&page_token=${encodeURIComponent(token)}` : ''}`);
      out.push(...((page[field] as T[] | undefined) ?? []));
      token = typeof page['nextPageToken'] === 'string' ? page['nextPageToken'] : '';
    } while (token && out.length < limit);
    return out;
  }
}

function problemOf(response: Response, text: string): ApiProblem {
  try {
    const p = JSON.parse(text) as Record<string, unknown>;
    const str = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);
    return new ApiProblem(response.status, str(p['code'], 'unknown'), str(p['title'], response.statusText), str(p['detail'], ''), typeof p['requestId'] === 'string' ? p['requestId'] : undefined);
  } catch {
    return new ApiProblem(response.status, 'unknown', response.statusText || 'Error', text.slice(0, 200), response.headers.get('x-request-id') ?? undefined);
  }
}
