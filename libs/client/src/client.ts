import { randomUUID } from 'node:crypto';
import { errorFromResponse, CustodyApiError } from './errors';
import { signatureHeaders, type ClientCredentials } from './signing';

export interface CustodyClientOptions {
  /** e.g. `http://127.0.0.1:8080` */
  readonly baseUrl: string;
  readonly credentials: ClientCredentials;
  /** Attempts per request, the first included (default 3). */
  readonly attempts?: number;
  /** Unix seconds now (default the system clock). */
  readonly now?: () => number;
  /** Per-attempt timeout in ms (default 10 s). */
  readonly timeoutMs?: number;
}

export interface ApiClientResource {
  name: string;
  clientId: string;
  publicKey: string;
  roles: string[];
  disabled: boolean;
  createTime: string;
  disableTime: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextPageToken: string;
}

export interface Principal {
  clientId: string;
  roles: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A client of the public REST API: signs every request (RFC 9421 + content-digest), sends every
 * POST with an Idempotency-Key and retries it with the same key (network errors, 409 in flight,
 * 429, 503), pages through lists, and throws typed errors from problem+json answers.
 */
export class CustodyClient {
  private readonly attempts: number;
  private readonly now: () => number;
  private readonly timeoutMs: number;

  constructor(private readonly options: CustodyClientOptions) {
    this.attempts = options.attempts ?? 3;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** One signed request; POSTs carry `idempotencyKey` (a fresh UUID unless given). */
  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
    return (await this.exchange(method, path, body, idempotencyKey)).parsed as T;
  }

  /** A signed GET whose answer is a file (text), e.g. the audit export. */
  async requestText(path: string): Promise<string> {
    return (await this.exchange('GET', path)).text;
  }

  private async exchange(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, idempotencyKey?: string): Promise<{ text: string; parsed: unknown }> {
    const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body), 'utf8');
    const key = method === 'POST' ? (idempotencyKey ?? randomUUID()) : undefined;
    const url = new URL(path, this.options.baseUrl).toString();
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (attempt > 1) await sleep(Math.min(2000, 100 * 2 ** (attempt - 2)));
      const headers: Record<string, string> = await signatureHeaders(method, url, bytes, this.options.credentials, this.now());
      if (bytes.length > 0) headers['content-type'] = 'application/json';
      if (key !== undefined) headers['idempotency-key'] = `"${key}"`;
      let response: Response;
      try {
        response = await fetch(url, { method, headers, body: bytes.length > 0 ? bytes : undefined, signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (error) {
        lastError = error;
        continue;
      }
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (response.ok) return { text, parsed };
      const error = errorFromResponse(response.status, parsed);
      if (!error.retryable) throw error;
      lastError = error;
    }
    if (lastError instanceof CustodyApiError) throw lastError;
    throw new CustodyApiError(0, 'network-error', 'Network error', lastError instanceof Error ? lastError.message : String(lastError), '');
  }

  whoami(): Promise<Principal> {
    return this.request('GET', '/v1/whoami');
  }

  createClient(input: { clientId: string; publicKey: string; roles: string[] }, idempotencyKey?: string): Promise<ApiClientResource> {
    return this.request('POST', '/v1/clients', input, idempotencyKey);
  }

  getClient(clientId: string): Promise<ApiClientResource> {
    return this.request('GET', `/v1/clients/${encodeURIComponent(clientId)}`);
  }

  disableClient(clientId: string, idempotencyKey?: string): Promise<ApiClientResource> {
    return this.request('POST', `/v1/clients/${encodeURIComponent(clientId)}/disable`, undefined, idempotencyKey);
  }

  async listClients(pageSize = 0, pageToken = ''): Promise<Page<ApiClientResource>> {
    const query = new URLSearchParams();
    if (pageSize) query.set('page_size', String(pageSize));
    if (pageToken) query.set('page_token', pageToken);
    const page = await this.request<{ clients: ApiClientResource[]; nextPageToken: string }>('GET', `/v1/clients${query.size ? `?${query.toString()}` : ''}`);
    return { items: page.clients, nextPageToken: page.nextPageToken };
  }

  /** Every API client, page after page. */
  async *allClients(pageSize = 0): AsyncGenerator<ApiClientResource> {
    let token = '';
    do {
      const page = await this.listClients(pageSize, token);
      yield* page.items;
      token = page.nextPageToken;
    } while (token !== '');
  }
}
