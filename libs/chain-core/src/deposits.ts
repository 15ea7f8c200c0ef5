import type { Address } from 'viem';
import { decodeErc20TransferLog } from './erc20';
import { fail } from './errors';
import { confirmationsOf } from './reorg';
import type { Block, BlockHeader, ChainLog, Hash } from './rpc-data';
import { assertSafeInteger } from './validate';

/**
 * The deposit model of the chain indexer, pure: which transfers of a canonical block are deposits to
 * custody addresses, how a fetched run of blocks links to the stored tip, and what confirmation
 * count to report. The indexer does the I/O; these decide.
 */

/**
 * The log index that keys a native (top-level, value-carrying) transfer: it has no log, and
 * 2^31-1 is above any real log index (and fits a signed 32-bit column), so (chain, tx hash, log
 * index) stays one key for both kinds.
 */
export const NATIVE_TRANSFER_LOG_INDEX = 0x7fff_ffff;

export interface WatchSet {
  /** Custody addresses (EIP-55) and the wallet each belongs to. */
  readonly addresses: ReadonlyMap<Address, string>;
  /** Registered ERC-20 contracts (EIP-55) and the ledger asset code of each. */
  readonly tokens: ReadonlyMap<Address, string>;
  /** The ledger asset code of the chain's native coin. */
  readonly nativeAsset: string;
}

/** One deposit as a canonical block shows it; amounts in the asset's smallest unit. */
export interface ObservedDeposit {
  readonly txHash: Hash;
  /** The log's index in its block, or {@link NATIVE_TRANSFER_LOG_INDEX} for a native transfer. */
  readonly logIndex: number;
  readonly blockNumber: number;
  readonly blockHash: Hash;
  readonly asset: string;
  readonly wallet: string;
  readonly address: Address;
  readonly amount: bigint;
}

/**
 * The deposits of one block: top-level transactions carrying value to a custody address (native;
 * value moved by contract-internal calls is read from traces: `depositsOfTraces`), and
 * `Transfer` logs of registered tokens to a custody address. `logs` are the block's logs as
 * `eth_getLogs` returned them (already shape-checked); a log of another block is refused. Zero
 * amounts are not deposits. A `Transfer` of a registered token that does not decode throws: the
 * token is not what it was registered as.
 */
export function depositsOfBlock(block: Block, logs: readonly ChainLog[], watch: WatchSet): ObservedDeposit[] {
  const deposits: ObservedDeposit[] = [];
  for (const tx of block.transactions) {
    if (tx.to === null || tx.value === 0n) continue;
    const wallet = watch.addresses.get(tx.to);
    if (wallet === undefined) continue;
    deposits.push({ txHash: tx.hash, logIndex: NATIVE_TRANSFER_LOG_INDEX, blockNumber: block.number, blockHash: block.hash, asset: watch.nativeAsset, wallet, address: tx.to, amount: tx.value });
  }
  logs.forEach((log, i) => {
    if (log.blockNumber !== block.number || log.blockHash !== block.hash) fail(`logs[${i}]`, `is not a log of block ${block.number} ${block.hash}`);
    if (log.removed) fail(`logs[${i}].removed`, 'a log of a canonical block cannot be removed');
    if (log.logIndex >= NATIVE_TRANSFER_LOG_INDEX) fail(`logs[${i}].logIndex`, 'must be below 2^31-1');
    const asset = watch.tokens.get(log.address);
    if (asset === undefined) return;
    const transfer = decodeErc20TransferLog(log, `logs[${i}]`);
    if (transfer === undefined || transfer.amount === 0n) return;
    const wallet = watch.addresses.get(transfer.to);
    if (wallet === undefined) return;
    deposits.push({ txHash: log.transactionHash, logIndex: log.logIndex, blockNumber: block.number, blockHash: block.hash, asset, wallet, address: transfer.to, amount: transfer.amount });
  });
  return deposits;
}

export type SegmentLink =
  /** Every block's parent is the block before it, and the first one's is the stored tip. */
  | { readonly kind: 'linked' }
  /** The first block does not extend the stored tip: a reorg under the tip; walk back to the fork point. */
  | { readonly kind: 'reorg' }
  /** Two fetched blocks do not link: the node changed branch while answering. Fetch again; store nothing. */
  | { readonly kind: 'inconsistent'; readonly at: number };

/**
 * Checks a run of fetched blocks against the stored tip (`tip` null: nothing stored yet, the first
 * block is taken as the anchor) before anything is stored: consecutive numbers from tip + 1, each
 * parent hash the hash before it.
 */
export function linkSegment(tip: Pick<BlockHeader, 'number' | 'hash'> | null, blocks: readonly BlockHeader[]): SegmentLink {
  if (!Array.isArray(blocks as unknown) || blocks.length === 0) fail('blocks', 'must be a non-empty array');
  const first = blocks[0]!;
  if (tip !== null && first.number !== tip.number + 1) fail('blocks[0].number', `must be ${tip.number + 1} (the stored tip's successor)`);
  for (let i = 1; i < blocks.length; i++) {
    const b = blocks[i]!;
    const previous = blocks[i - 1]!;
    if (b.number !== previous.number + 1) fail(`blocks[${i}].number`, `must be ${previous.number + 1}`);
    if (b.parentHash !== previous.hash) return { kind: 'inconsistent', at: b.number };
  }
  if (tip !== null && first.parentHash !== tip.hash) return { kind: 'reorg' };
  return { kind: 'linked' };
}

/**
 * The confirmation count to report to the ledger for a deposit in block `blockNumber` when the
 * indexed tip is `tip`: blocks on top of it, the including one counted, at most `depth` (more says
 * nothing new). With a required tag (`taggedHead`: the node's `safe` / `finalized` number, null
 * when it reports none) a block above the tag is held at depth − 1, so the ledger credits it no
 * earlier than the tag passes it.
 */
export function reportedConfirmations(blockNumber: number, tip: number, depth: number, taggedHead?: number | null): number {
  assertSafeInteger(depth, 'depth', 1, 10_000);
  let c = Math.min(confirmationsOf(blockNumber, tip), depth);
  if (taggedHead !== undefined) {
    if (taggedHead !== null) assertSafeInteger(taggedHead, 'taggedHead', 0);
    if (taggedHead === null || blockNumber > taggedHead) c = Math.min(c, depth - 1);
  }
  return c;
}
