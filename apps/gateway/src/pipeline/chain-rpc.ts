/**
 * JSON-RPC to an EVM node. A node's error answer is a {@link ChainRpcError} (the request reached the
 * node and was refused: e.g. "nonce too low"); a network failure or timeout is thrown as it is and is
 * retried by the job.
 */
export class ChainRpcError extends Error {
  override readonly name = 'ChainRpcError';
  constructor(
    readonly method: string,
    readonly code: number,
    readonly nodeMessage: string,
  ) {
    super(`${method}: ${nodeMessage.slice(0, 256)} (${code})`);
  }
}

let nextId = 0;

export class ChainRpc {
  constructor(readonly url: string) {}

  async call<T>(method: string, params: readonly unknown[] = [], timeoutMs = 10_000): Promise<T> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++nextId, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`${method}: HTTP ${response.status}`);
    const body = (await response.json()) as { result?: T; error?: { code?: unknown; message?: unknown } };
    if (body.error) throw new ChainRpcError(method, Number(body.error.code ?? 0), typeof body.error.message === 'string' ? body.error.message : '');
    return body.result as T;
  }
}
