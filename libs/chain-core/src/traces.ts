import { parseAddress, type Address } from './address';
import type { ObservedDeposit, WatchSet } from './deposits';
import { fail } from './errors';
import { parseQuantity, type Block, type Hash } from './rpc-data';

/**
 * Internal-call deposits, pure: value a contract moves to a custody address inside a transaction
 * (a `CALL` or `SELFDESTRUCT` frame below the top level), read from the node's `callTracer` traces
 * (`debug_traceBlockByNumber(n, { tracer: 'callTracer' })`, one trace per transaction of the block).
 * The node is not trusted: every frame is checked, and the traces must be the block's transactions,
 * in order.
 */

/**
 * Internal transfers are keyed by log index 2^30 + their ordinal in the transaction (depth first):
 * above any real log index, below the native transfer's 2^31−1, so (chain, tx hash, log index) stays
 * one key for every kind of deposit.
 */
export const INTERNAL_TRANSFER_LOG_INDEX_BASE = 0x4000_0000;

/** Frames read per block at most (a node answering more is refused). */
export const MAX_TRACE_FRAMES = 1_000_000;

/** One value transfer inside a transaction (not the top-level call). */
export interface InternalTransfer {
  readonly txHash: Hash;
  readonly to: Address;
  readonly value: bigint;
  /** Its position among the transaction's value-carrying internal frames, depth first. */
  readonly ordinal: number;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The internal value transfers of `block` from its callTracer traces. A frame that failed (`error`)
 * moved nothing, and neither did anything below it; a transaction whose top frame failed moved
 * nothing internally. Only `CALL` and `SELFDESTRUCT` frames move value to their `to`.
 */
export function parseBlockTraces(raw: unknown, block: Block, argument = 'traces'): InternalTransfer[] {
  if (!Array.isArray(raw)) fail(argument, 'must be an array');
  const traces = raw as unknown[];
  if (traces.length !== block.transactions.length) fail(argument, `has ${traces.length} traces for the block's ${block.transactions.length} transactions`);
  const out: InternalTransfer[] = [];
  let frames = 0;
  traces.forEach((entry, i) => {
    const at = `${argument}[${i}]`;
    if (!isRecord(entry)) fail(at, 'must be an object');
    const txHash = block.transactions[i]!.hash;
    if (entry.txHash !== undefined && (typeof entry.txHash !== 'string' || entry.txHash.toLowerCase() !== txHash)) fail(`${at}.txHash`, `must be the block's transaction ${i} (${txHash})`);
    const top = entry.result;
    if (!isRecord(top)) fail(`${at}.result`, 'must be a call frame');
    if (top.error !== undefined) return;
    let ordinal = 0;
    // Depth first, children in order; a failed frame's subtree is skipped.
    const stack: Array<{ frame: unknown; path: string }> = [];
    const pushChildren = (frame: Record<string, unknown>, path: string): void => {
      if (frame.calls === undefined || frame.calls === null) return;
      if (!Array.isArray(frame.calls)) fail(`${path}.calls`, 'must be an array');
      const calls = frame.calls as unknown[];
      for (let k = calls.length - 1; k >= 0; k--) stack.push({ frame: calls[k], path: `${path}.calls[${k}]` });
    };
    pushChildren(top, `${at}.result`);
    while (stack.length > 0) {
      const { frame, path } = stack.pop()!;
      if (++frames > MAX_TRACE_FRAMES) fail(argument, `has more than ${MAX_TRACE_FRAMES} call frames`);
      if (!isRecord(frame)) fail(path, 'must be a call frame');
      if (typeof frame.type !== 'string') fail(`${path}.type`, 'must be a string');
      if (frame.error !== undefined) continue;
      const type = frame.type.toUpperCase();
      if ((type === 'CALL' || type === 'SELFDESTRUCT') && frame.value !== undefined && frame.value !== null) {
        const value = parseQuantity(frame.value, `${path}.value`);
        if (value > 0n) out.push({ txHash, to: parseAddress(frame.to, `${path}.to`), value, ordinal: ordinal++ });
      }
      pushChildren(frame, path);
    }
  });
  return out;
}

/** The deposits among a block's internal transfers: value to a custody address, in the native asset. */
export function depositsOfTraces(block: Block, transfers: readonly InternalTransfer[], watch: WatchSet): ObservedDeposit[] {
  const deposits: ObservedDeposit[] = [];
  for (const t of transfers) {
    const wallet = watch.addresses.get(t.to);
    if (wallet === undefined) continue;
    if (t.ordinal >= INTERNAL_TRANSFER_LOG_INDEX_BASE - 1) fail('transfers.ordinal', 'is too large');
    deposits.push({ txHash: t.txHash, logIndex: INTERNAL_TRANSFER_LOG_INDEX_BASE + t.ordinal, blockNumber: block.number, blockHash: block.hash, asset: watch.nativeAsset, wallet, address: t.to, amount: t.value });
  }
  return deposits;
}
