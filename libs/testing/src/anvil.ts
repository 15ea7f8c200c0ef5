import { spawn, type ChildProcess } from 'node:child_process';
import { anvilBinary, freePorts } from '@custody/local-cluster';

/**
 * Test support: a real anvil (foundry's local EVM node) on a free loopback port. The binary comes
 * from the npm platform package (`@foundry-rs/anvil-<os>-<arch>`, pinned in package.json), resolved
 * by libs/local-cluster's `anvilBinary`, which `custody up` uses too.
 */

export { anvilBinary };

export interface AnvilOptions {
  /** EIP-155 chain id, default 31337. */
  readonly chainId?: number;
  /** Seconds between blocks; unset: a block per transaction (automine). */
  readonly blockTime?: number;
  /** Extra command-line arguments. */
  readonly args?: readonly string[];
  /** How long to wait for the node to answer, default 20 s. */
  readonly readyTimeoutMs?: number;
}

export interface Anvil {
  readonly url: string;
  readonly port: number;
  readonly chainId: number;
  /** One JSON-RPC call; throws with the node's error message on an error response. */
  rpc<T = unknown>(method: string, params?: readonly unknown[]): Promise<T>;
  /**
   * The receipt of a sent transaction, polled until the node has mined it: with automine anvil may
   * answer `eth_sendTransaction` before the block is sealed, so a receipt read at once can be `null`.
   * Throws after `timeoutMs` (default 10 s) naming the hash.
   */
  receipt<T = Record<string, unknown>>(hash: string, timeoutMs?: number): Promise<T>;
  /** What the process printed (stdout and stderr), for a failing test. */
  output(): string;
  /** SIGTERM, then SIGKILL after 3 s; resolves when the process has exited. */
  stop(): Promise<void>;
}

let rpcId = 0;

async function call<T>(url: string, method: string, params: readonly unknown[], timeoutMs = 10_000): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as { result?: T; error?: { code: number; message: string } };
  if (body.error) throw new Error(`anvil ${method}: ${body.error.message} (${body.error.code})`);
  return body.result as T;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Starts anvil on 127.0.0.1 at a free port and waits until it answers `eth_chainId`. */
export async function startAnvil(options: AnvilOptions = {}): Promise<Anvil> {
  const chainId = options.chainId ?? 31337;
  const [port] = await freePorts(1);
  const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId), ...(options.blockTime ? ['--block-time', String(options.blockTime)] : []), ...(options.args ?? [])];
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  const keep = (b: Buffer) => {
    chunks.push(b.toString('utf8'));
    if (chunks.length > 500) chunks.splice(0, chunks.length - 500);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // A test process that ends without stop() does not leave the node running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = exited(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await done;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`anvil exited with ${child.exitCode} before it was ready: ${chunks.join('').slice(-2000)}`);
    try {
      const id = await call<string>(url, 'eth_chainId', [], 1000);
      if (Number(BigInt(id)) !== chainId) throw new Error(`anvil answers chain id ${id}, not ${chainId}`);
      break;
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('anvil answers')) {
        await stop();
        throw error;
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`anvil did not answer on ${url} within ${options.readyTimeoutMs ?? 20_000} ms: ${chunks.join('').slice(-2000)}`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    port,
    chainId,
    rpc: <T>(method: string, params: readonly unknown[] = []) => call<T>(url, method, params),
    receipt: async <T>(hash: string, timeoutMs = 10_000): Promise<T> => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const receipt = await call<T | null>(url, 'eth_getTransactionReceipt', [hash]);
        if (receipt !== null) return receipt;
        if (Date.now() > until) throw new Error(`anvil: no receipt for ${hash} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    output: () => chunks.join(''),
    stop,
  };
}
