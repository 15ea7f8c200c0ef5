import { ChainIndexer, type IndexerLog } from './chain-indexer';

export interface RunnerOptions {
  /** Wait at the head between polls, ms. */
  readonly pollMs: number;
  /** First wait after a transient failure, doubled up to maxBackoffMs. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/**
 * The loop around {@link ChainIndexer.step}: straight on while behind, a poll interval at the head,
 * exponential backoff (logged) after a transient failure (node away, malformed answer, ledger
 * unavailable, Postgres restart). A fatal error (a reorg beyond the window, the wrong chain) ends
 * the loop by rejecting; nothing is guessed.
 */
export async function runIndexer(indexer: ChainIndexer, log: IndexerLog, options: RunnerOptions, signal: AbortSignal): Promise<void> {
  const sleep = options.sleep ?? abortableSleep;
  const base = options.backoffMs ?? 200;
  const max = options.maxBackoffMs ?? 10_000;
  let failures = 0;
  while (!signal.aborted) {
    try {
      const outcome = await indexer.step();
      failures = 0;
      if (outcome.kind === 'idle') await sleep(options.pollMs, signal);
      else if (outcome.kind === 'retry') await sleep(base, signal);
    } catch (error) {
      if (!ChainIndexer.isTransient(error)) throw error;
      const delay = Math.min(max, base * 2 ** Math.min(failures, 16));
      failures++;
      log.warn('indexer step failed; retrying', { error: error instanceof Error ? error.message : String(error), attempt: failures, delayMs: delay });
      await sleep(delay, signal);
    }
  }
}
