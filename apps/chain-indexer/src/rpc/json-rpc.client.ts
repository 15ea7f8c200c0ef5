/**
 * A JSON-RPC 2.0 client of an Ethereum node over plain HTTP (fetch): single and batch requests, a
 * timeout per request, retries with exponential backoff for what can pass (a timeout, a refused or
 * reset connection, an HTTP 5xx or 429, a malformed or incomplete answer). The node is not trusted:
 * an answer is only matched by id; its content is checked by the caller (libs/chain-core parsers).
 */

export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    message: string,
    /** true: worth another try (transport, timeout, overload, malformed answer). */
    readonly retryable: boolean,
    /** The node's JSON-RPC error code, when it sent one. */
    readonly code?: number,
  ) {
    super(message);
  }
}

export interface RpcCall {
  readonly method: string;
  readonly params: readonly unknown[];
}

export interface RpcClientOptions {
  readonly url: string;
  /** Per HTTP request, ms (default 10000). */
  readonly timeoutMs?: number;
  /** Further tries after the first (default 5). */
  readonly retries?: number;
  /** First backoff, ms, doubled each try up to maxBackoffMs (default 100 / 5000). */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Told of every failed try that will be retried. */
  readonly onRetry?: (error: RpcError, attempt: number, delayMs: number) => void;
  /** Injected for tests; default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The longest node error message repeated in an error of ours. */
const MAX_MESSAGE = 200;

function short(text: string): string {
  return text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE)}… (${text.length} characters)`;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Retryable JSON-RPC error codes: -32603 internal, -32005 limit exceeded, -32000 header not found (a lagging node behind a balancer). */
const RETRYABLE_CODES = new Set([-32603, -32005, -32000]);

export class JsonRpcClient {
  private nextId = 1;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: RpcClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 5;
    this.backoffMs = options.backoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** One call; its `result` (unchecked: the caller parses it). */
  async call(method: string, params: readonly unknown[] = []): Promise<unknown> {
    const [result] = await this.batch([{ method, params }]);
    return result;
  }

  /** Several calls in one HTTP request; results in the order of the calls. Any error fails the batch (retried as a whole when retryable). */
  async batch(calls: readonly RpcCall[]): Promise<unknown[]> {
    if (calls.length === 0) return [];
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(calls);
      } catch (error) {
        const e = error instanceof RpcError ? error : new RpcError(`node request failed: ${short(String(error))}`, true);
        if (!e.retryable || attempt >= this.retries) throw e;
        const delay = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** attempt);
        this.options.onRetry?.(e, attempt + 1, delay);
        await this.sleep(delay);
      }
    }
  }

  private async once(calls: readonly RpcCall[]): Promise<unknown[]> {
    const first = this.nextId;
    this.nextId += calls.length;
    const body = calls.map((c, i) => ({ jsonrpc: '2.0', id: first + i, method: c.method, params: c.params }));
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = error instanceof Error ? (error.name === 'TimeoutError' ? `timed out after ${this.timeoutMs} ms` : `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}`) : String(error);
      throw new RpcError(`node unreachable (${calls[0]!.method}${calls.length > 1 ? ` and ${calls.length - 1} more` : ''}): ${short(cause)}`, true);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new RpcError(`node answer broke off: ${short(String(error))}`, true);
    }
    if (!response.ok) throw new RpcError(`node answered HTTP ${response.status}: ${short(text)}`, response.status >= 500 || response.status === 429);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new RpcError(`node answered something that is not JSON: ${short(text)}`, true);
    }
    const answers = Array.isArray(parsed) ? parsed : [parsed];
    const byId = new Map<number, Record<string, unknown>>();
    for (const a of answers) {
      if (isRecord(a) && typeof a.id === 'number') byId.set(a.id, a);
    }
    return calls.map((c, i) => {
      const a = byId.get(first + i);
      if (!a) throw new RpcError(`node answer lacks the reply to ${c.method} (id ${first + i})`, true);
      if (a.error !== undefined) {
        const err = isRecord(a.error) ? a.error : {};
        const code = typeof err.code === 'number' ? err.code : undefined;
        const message = typeof err.message === 'string' ? err.message : 'no message';
        throw new RpcError(`node refused ${c.method}: ${short(message)}${code !== undefined ? ` (${code})` : ''}`, code !== undefined && RETRYABLE_CODES.has(code), code);
      }
      if (!('result' in a)) throw new RpcError(`node reply to ${c.method} has neither result nor error`, true);
      return a.result;
    });
  }
}
