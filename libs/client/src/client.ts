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

/** `custody.v1.Wallet`. */
export interface WalletResource {
  name: string;
  displayName: string;
  scheme: string;
  publicKey: string;
  createTime: string;
  keyId: string;
  chainCode: string;
  threshold: number;
  participants: number[];
  createdBy: string;
  custody: string;
}

/** `custody.v1.Address`. */
export interface AddressResource {
  name: string;
  chain: string;
  address: string;
  derivationPath: string;
  createTime: string;
  wallet: string;
  index: number;
  publicKey: string;
}

/** `custody.v1.Balance`: decimal strings in the asset's smallest unit. */
export interface BalanceResource {
  asset: string;
  chain: string;
  available: string;
  held: string;
  total: string;
  posted: string;
  pending: string;
}

/** `custody.v1.Deposit`. */
export interface DepositResource {
  name: string;
  wallet: string;
  asset: string;
  amount: string;
  txHash: string;
  state: string;
  confirmations: number;
  chain: string;
  address: string;
  logIndex: number;
}

/** `custody.v1.SignedMessage`. */
export interface MessageResource {
  name: string;
  wallet: string;
  message: string;
  state: string;
  signature: string;
  hash: string;
  recoveryId: number;
  reason: string;
  publicKey: string;
  createTime: string;
  scheme: string;
}

/** The id of `wallets/{id}`, or the id itself. */
function walletIdOf(wallet: string): string {
  return wallet.startsWith('wallets/') ? wallet.slice('wallets/'.length) : wallet;
}

function pageQueryString(pageSize: number, pageToken: string, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams(extra);
  if (pageSize) query.set('page_size', String(pageSize));
  if (pageToken) query.set('page_token', pageToken);
  return query.size ? `?${query.toString()}` : '';
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
  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, idempotencyKey?: string, timeoutMs = this.timeoutMs): Promise<T> {
    return (await this.exchange(method, path, body, idempotencyKey, timeoutMs)).parsed as T;
  }

  /** A signed GET whose answer is a file (text), e.g. the audit export. */
  async requestText(path: string): Promise<string> {
    return (await this.exchange('GET', path)).text;
  }

  private async exchange(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, idempotencyKey?: string, timeoutMs = this.timeoutMs): Promise<{ text: string; parsed: unknown }> {
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
        response = await fetch(url, { method, headers, body: bytes.length > 0 ? bytes : undefined, signal: AbortSignal.timeout(timeoutMs) });
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

  /** A keygen in the signers: allow it minutes (ECDSA keygen is the slowest call of the API). */
  createWallet(input: { displayName?: string; scheme?: string; custody?: string }, idempotencyKey?: string, timeoutMs = 180_000): Promise<WalletResource> {
    return this.request('POST', '/v1/wallets', input, idempotencyKey, timeoutMs);
  }

  getWallet(wallet: string): Promise<WalletResource> {
    return this.request('GET', `/v1/wallets/${encodeURIComponent(walletIdOf(wallet))}`);
  }

  async listWallets(pageSize = 0, pageToken = ''): Promise<Page<WalletResource>> {
    const page = await this.request<{ wallets: WalletResource[]; nextPageToken: string }>('GET', `/v1/wallets${pageQueryString(pageSize, pageToken)}`);
    return { items: page.wallets, nextPageToken: page.nextPageToken };
  }

  /** Every wallet, page after page. */
  async *allWallets(pageSize = 0): AsyncGenerator<WalletResource> {
    let token = '';
    do {
      const page = await this.listWallets(pageSize, token);
      yield* page.items;
      token = page.nextPageToken;
    } while (token !== '');
  }

  createAddress(wallet: string, chain: string, idempotencyKey?: string): Promise<AddressResource> {
    return this.request('POST', `/v1/wallets/${encodeURIComponent(walletIdOf(wallet))}/addresses`, { chain }, idempotencyKey);
  }

  /** `wallets/{w}/addresses/{a}`. */
  getAddress(name: string): Promise<AddressResource> {
    const [, walletId, , addressId] = name.split('/');
    return this.request('GET', `/v1/wallets/${encodeURIComponent(walletId ?? '')}/addresses/${encodeURIComponent(addressId ?? '')}`);
  }

  async listAddresses(wallet: string, pageSize = 0, pageToken = ''): Promise<Page<AddressResource>> {
    const page = await this.request<{ addresses: AddressResource[]; nextPageToken: string }>('GET', `/v1/wallets/${encodeURIComponent(walletIdOf(wallet))}/addresses${pageQueryString(pageSize, pageToken)}`);
    return { items: page.addresses, nextPageToken: page.nextPageToken };
  }

  async listBalances(wallet: string, pageSize = 0, pageToken = ''): Promise<Page<BalanceResource>> {
    const page = await this.request<{ balances: BalanceResource[]; nextPageToken: string }>('GET', `/v1/wallets/${encodeURIComponent(walletIdOf(wallet))}/balances${pageQueryString(pageSize, pageToken)}`);
    return { items: page.balances, nextPageToken: page.nextPageToken };
  }

  /** `deposits/{id}` or the id. */
  getDeposit(deposit: string): Promise<DepositResource> {
    return this.request('GET', `/v1/deposits/${encodeURIComponent(deposit.startsWith('deposits/') ? deposit.slice('deposits/'.length) : deposit)}`);
  }

  async listDeposits(wallet: string, pageSize = 0, pageToken = ''): Promise<Page<DepositResource>> {
    const page = await this.request<{ deposits: DepositResource[]; nextPageToken: string }>('GET', `/v1/deposits${pageQueryString(pageSize, pageToken, { wallet: `wallets/${walletIdOf(wallet)}` })}`);
    return { items: page.deposits, nextPageToken: page.nextPageToken };
  }

  /** Raw message signing under policy; `message` is hex. */
  createMessage(input: { wallet: string; message: string; hash?: string }, idempotencyKey?: string, timeoutMs = 60_000): Promise<MessageResource> {
    return this.request('POST', '/v1/messages', { ...input, wallet: `wallets/${walletIdOf(input.wallet)}` }, idempotencyKey, timeoutMs);
  }

  /** `messages/{id}` or the id. */
  getMessage(message: string): Promise<MessageResource> {
    return this.request('GET', `/v1/messages/${encodeURIComponent(message.startsWith('messages/') ? message.slice('messages/'.length) : message)}`);
  }
}
