import {
  ChainInputError,
  ERC20_TRANSFER_TOPIC,
  depositsOfBlock,
  depositsOfTraces,
  parseBlockTraces,
  findForkPoint,
  linkSegment,
  parseHash,
  parseRpcBlock,
  parseRpcLogs,
  parseRpcReceipt,
  parseSafeQuantity,
  withdrawalsInBlocks,
  type WithdrawalSighting,
  type Block,
  type ChainLog,
  type InternalTransfer,
  type Hash,
  type ObservedDeposit,
  type TrackedWithdrawal,
  type TransactionReceipt,
} from '@custody/chain-core';
import type { LedgerDelivery } from '../ledger/ledger-delivery';
import { RpcError, type JsonRpcClient } from '../rpc/json-rpc.client';
import { CheckpointMovedError, type AssetTerms, type IndexerRepository, type StoredBlock } from '../store/indexer.repository';
import type { WithdrawalObservation } from '../store/withdrawal-store';

/** A reorg deeper than the stored window: the indexer cannot know what it orphaned, and stops. It never guesses. */
export class ReorgBeyondWindowError extends Error {
  override readonly name = 'ReorgBeyondWindowError';
}

/**
 * The ledger has no asset of this chain that a step needs (its native coin, or a deposit's token):
 * nothing is stored, and the loop waits and tries again until the asset is created there.
 */
export class AssetNotInLedgerError extends Error {
  override readonly name = 'AssetNotInLedgerError';
  readonly retryable = true;
  constructor(chain: string, codes: readonly string[]) {
    super(`the ledger has no asset ${codes.map((c) => `${chain}/${c}`).join(', ')} yet (the ledger's CreateAsset makes it); waiting for it`);
  }
}

/** The node is not the chain configured (another chain id): fatal. */
export class WrongChainError extends Error {
  override readonly name = 'WrongChainError';
}

export interface ChainIndexerSettings {
  /** The ledger's chain name (e.g. `anvil`). */
  readonly chain: string;
  /** The EIP-155 chain id the node must report. */
  readonly chainId: number;
  /** The ledger asset code of the native coin. */
  readonly nativeAsset: string;
  /** The first height to read when nothing is stored. */
  readonly startBlock: number;
  /** Blocks per JSON-RPC batch. */
  readonly batchBlocks: number;
  /** Blocks per step (one checkpoint transaction) when behind: several batches (default batchBlocks). */
  readonly catchUpBlocks?: number;
  /** Hashes kept below the tip; a reorg deeper than this stops the indexer. */
  readonly window: number;
  /** Credit no earlier than the node's `safe` / `finalized` block (undefined: depth alone). */
  readonly creditTag?: 'safe' | 'finalized';
  /** Read internal-call deposits from `debug_traceBlockByNumber` callTracer traces (default false). */
  readonly traces?: boolean;
}

/** What one range fetch gives: the checked blocks, the Transfer logs of registered tokens, the internal transfers (with traces). */
export interface FetchedRange {
  readonly blocks: Block[];
  readonly logs: ChainLog[];
  /** Per block (same order), when traces are read. */
  readonly internal?: InternalTransfer[][];
}

export interface IndexerLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type StepOutcome =
  | { readonly kind: 'advanced'; readonly from: number; readonly to: number; readonly deposits: number }
  | { readonly kind: 'reorg'; readonly ancestor: number; readonly removed: number; readonly reversed: number; readonly reopened: number; readonly stuck: readonly string[] }
  | { readonly kind: 'idle'; readonly reason: 'at-head' | 'syncing' | 'lagging' | 'before-start' }
  | { readonly kind: 'retry'; readonly reason: string };

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Withdrawal `id` mined, as its receipt shows (the caller checked it is of the transaction and block it read). */
function minedFrom(id: string, r: TransactionReceipt): WithdrawalObservation {
  return { kind: 'mined', id, txHash: r.transactionHash, blockNumber: r.blockNumber, blockHash: r.blockHash, success: r.success, gasUsed: r.gasUsed, effectiveGasPrice: r.effectiveGasPrice };
}

/**
 * Follows one chain: reads blocks in batches above the stored tip, checks each (chain-core parsers),
 * stores them with their deposits and ledger commands in one transaction, walks back to the common
 * ancestor on a parent-hash mismatch and reverses what the orphaned blocks did, then delivers the
 * ledger commands. Every step is computed against the stored tip and written all or nothing, so a
 * crash or a misbehaving node never leaves a half-applied checkpoint.
 */
export class ChainIndexer {
  private assets: Map<string, AssetTerms> | undefined;
  /** The node's safe / finalized height last read (when crediting waits for it). */
  private lastTaggedHead: number | null | undefined;
  /** The next batch, asked for while the current one is stored and delivered (catching up). */
  private prefetched: { readonly from: number; readonly to: number; readonly tokens: string; readonly result: Promise<FetchedRange> } | undefined;

  constructor(
    private readonly settings: ChainIndexerSettings,
    private readonly rpc: Pick<JsonRpcClient, 'call' | 'batch'>,
    private readonly repository: IndexerRepository,
    private readonly delivery: LedgerDelivery,
    private readonly loadAssets: () => Promise<Map<string, AssetTerms>>,
    private readonly log: IndexerLog,
  ) {}

  /** Checks the node's chain id and the ledger's assets once; fatal on a wrong chain. */
  async start(): Promise<void> {
    const id = parseSafeQuantity(await this.rpc.call('eth_chainId'), 'eth_chainId');
    if (id !== this.settings.chainId) throw new WrongChainError(`the node at CHAIN_RPC_URL is chain ${id}, not the configured ${this.settings.chainId}`);
    this.assets = await this.loadAssets();
    const deepest = Math.max(0, ...[...this.assets.values()].map((a) => a.confirmations));
    if (deepest >= this.settings.window) throw new ReorgBeyondWindowError(`the reorg window (${this.settings.window}) must exceed the deepest confirmation depth (${deepest})`);
  }

  /** One step: deliver what is pending, then advance, follow a reorg, or wait. */
  async step(): Promise<StepOutcome> {
    if (!this.assets) await this.start();
    await this.delivery.deliverAll();
    const outcome = await this.advance();
    if (outcome.kind === 'idle' && outcome.reason === 'at-head') await this.checkOpenWithdrawals();
    await this.delivery.deliverAll();
    return outcome;
  }

  private async advance(): Promise<StepOutcome> {
    const { chain } = this.settings;
    const tip = await this.repository.tip(chain);
    const calls = [
      { method: 'eth_blockNumber', params: [] },
      { method: 'eth_syncing', params: [] },
      ...(this.settings.creditTag ? [{ method: 'eth_getBlockByNumber', params: [this.settings.creditTag, false] }] : []),
    ];
    const [rawHead, syncing, rawTagged] = await this.rpc.batch(calls);
    const head = parseSafeQuantity(rawHead, 'eth_blockNumber');
    if (syncing !== false) {
      this.log.warn('the node is syncing; waiting', { chain, head });
      return { kind: 'idle', reason: 'syncing' };
    }
    let taggedHead: number | null | undefined;
    if (this.settings.creditTag) taggedHead = rawTagged === null ? null : parseRpcBlock({ ...(rawTagged as object), transactions: [] }, undefined, this.settings.creditTag).number;
    this.lastTaggedHead = taggedHead;

    const from = tip ? tip.number + 1 : this.settings.startBlock;
    if (head < from) {
      if (!tip) return { kind: 'idle', reason: 'before-start' };
      // Nothing new, or a node behind us: is what it has at its head still ours? (anvil_reorg keeps the height.)
      const probe = Math.min(head, tip.number);
      const theirs = await this.hashAt(probe);
      const stored = (await this.repository.storedHashes(chain)).get(probe);
      if (stored !== undefined && theirs === stored) {
        if (head < tip.number) {
          this.log.warn('the node is behind the stored tip; waiting for it', { chain, head, tip: tip.number });
          return { kind: 'idle', reason: 'lagging' };
        }
        return { kind: 'idle', reason: 'at-head' };
      }
      return this.reorg(tip);
    }
    const to = Math.min(head, from + Math.max(this.settings.batchBlocks, this.settings.catchUpBlocks ?? 0) - 1);
    let blocks: Block[];
    let logs: ChainLog[];
    let internal: InternalTransfer[][];
    try {
      ({ blocks, logs, internal } = await this.fetchSpan(from, to, head));
    } catch (error) {
      if (error instanceof ChainInputError) {
        this.log.warn('the node sent a block or logs that fail the checks; nothing stored, retrying', { chain, from, to, error: error.message });
        return { kind: 'retry', reason: error.message };
      }
      throw error;
    }
    const link = linkSegment(tip, blocks);
    if (link.kind === 'inconsistent') {
      this.log.warn('the node changed branch while answering; nothing stored, reading again', { chain, at: link.at });
      return { kind: 'retry', reason: `blocks do not link at ${link.at}` };
    }
    if (link.kind === 'reorg') return this.reorg(tip!);
    const watch = await this.repository.watchSet(chain, this.settings.nativeAsset);
    const byBlock = new Map<number, ChainLog[]>();
    for (const l of logs) {
      const list = byBlock.get(l.blockNumber);
      if (list) list.push(l);
      else byBlock.set(l.blockNumber, [l]);
    }
    // A token registered (through the API) after start may be of an asset the ledger got since: read its terms again.
    await this.knowAssets([...watch.tokens.values()]);
    const deposits: ObservedDeposit[] = [];
    try {
      blocks.forEach((b, i) => {
        deposits.push(...depositsOfBlock(b, byBlock.get(b.number) ?? [], watch));
        if (this.settings.traces) deposits.push(...depositsOfTraces(b, internal[i]!, watch));
      });
    } catch (error) {
      if (error instanceof ChainInputError) {
        this.log.warn('a registered token sent a Transfer log that does not decode; nothing stored, retrying', { chain, from, to, error: error.message });
        return { kind: 'retry', reason: error.message };
      }
      throw error;
    }
    let withdrawals: WithdrawalObservation[];
    try {
      withdrawals = await this.receiptsOf(withdrawalsInBlocks(blocks, await this.repository.withdrawals.open(chain)));
    } catch (error) {
      if (error instanceof ChainInputError) {
        this.log.warn('a tracked withdrawal has no receipt matching its block; nothing stored, retrying', { chain, from, to, error: error.message });
        return { kind: 'retry', reason: error.message };
      }
      throw error;
    }
    // The native coin's terms settle withdrawals in every step, deposits or not.
    await this.knowAssets([...deposits.map((d) => d.asset), this.settings.nativeAsset]);
    await this.repository.applyBlocks({ chain, expectedTip: tip, blocks, deposits, assets: this.assets!, taggedHead, window: this.settings.window, nativeAsset: this.settings.nativeAsset, withdrawals });
    for (const w of withdrawals) this.log.info(`withdrawal ${w.kind}`, { chain, withdrawal: w.id, block: w.blockNumber, ...(w.kind === 'mined' ? { txHash: w.txHash, success: w.success } : { by: w.by }) });
    return { kind: 'advanced', from, to, deposits: deposits.length };
  }

  /**
   * The ledger's terms are read at start; an asset the ledger got since (the native coin of a local
   * chain created once the cluster is up, a token registered later) is read again before a step needs
   * it. Still unknown, the step fails with an {@link AssetNotInLedgerError}, and the loop tries again.
   */
  private async knowAssets(codes: readonly string[]): Promise<void> {
    if (codes.every((code) => this.assets!.has(code))) return;
    const assets = await this.loadAssets();
    this.assets = assets;
    const missing = [...new Set(codes.filter((code) => !assets.has(code)))];
    if (missing.length > 0) throw new AssetNotInLedgerError(this.settings.chain, missing);
  }

  /** The receipts (status, gas used, effective gas price) of the withdrawals mined in the blocks read; each must be of its block. */
  private async receiptsOf(sightings: readonly WithdrawalSighting[]): Promise<WithdrawalObservation[]> {
    const mined = sightings.filter((s) => s.kind === 'mined');
    const answers = mined.length > 0 ? await this.rpc.batch(mined.map((s) => ({ method: 'eth_getTransactionReceipt', params: [s.txHash] }))) : [];
    const receipts = new Map(mined.map((s, i) => [s.id, parseRpcReceipt(answers[i], `receipt of ${s.txHash}`)]));
    return sightings.map((s): WithdrawalObservation => {
      if (s.kind === 'replaced') return s;
      const r = receipts.get(s.id)!;
      if (r.transactionHash !== s.txHash || r.blockHash !== s.blockHash || r.blockNumber !== s.blockNumber) throw new ChainInputError(`receipt of ${s.txHash}`, `is of block ${r.blockNumber} ${r.blockHash}, not the block ${s.blockNumber} read`);
      return minedFrom(s.id, r);
    });
  }

  /**
   * At the head, the open withdrawals are asked of the node: one mined in a block already read
   * (tracked after it was read) is settled from its receipt; one whose nonce the sender used at the
   * stored tip with none of its hashes is replaced; one the node no longer knows at all is dropped
   * (and pending again if it comes back). Only a mined transaction or a used nonce reaches the ledger.
   */
  async checkOpenWithdrawals(): Promise<void> {
    const { chain } = this.settings;
    const open = await this.repository.withdrawals.open(chain);
    if (open.length === 0) return;
    const tip = await this.repository.tip(chain);
    if (!tip) return;
    const calls = open.flatMap((w) => [
      ...w.txHashes.flatMap((h) => [
        { method: 'eth_getTransactionReceipt', params: [h] },
        { method: 'eth_getTransactionByHash', params: [h] },
      ]),
      { method: 'eth_getTransactionCount', params: [w.sender, hex(tip.number)] },
    ]);
    const answers = await this.rpc.batch(calls);
    const stored = await this.repository.storedHashes(chain);
    const lowest = Math.min(...stored.keys());
    const observations: WithdrawalObservation[] = [];
    const dropped: string[] = [];
    const known: string[] = [];
    const unexplained: TrackedWithdrawal[] = [];
    let i = 0;
    for (const w of open) {
      let mined: WithdrawalObservation | undefined;
      let anyKnown = false;
      for (const h of w.txHashes) {
        const rawReceipt = answers[i++];
        const rawTx = answers[i++];
        if (rawTx !== null && rawTx !== undefined) anyKnown = true;
        if (rawReceipt === null || rawReceipt === undefined || mined) continue;
        const r = parseRpcReceipt(rawReceipt, `receipt of ${h}`);
        anyKnown = true;
        if (r.transactionHash !== h || r.blockNumber > tip.number) continue;
        // A receipt of a block we read must be of the block we stored (else the node is on another branch: the next step finds out).
        if (r.blockNumber >= lowest && stored.get(r.blockNumber) !== r.blockHash) continue;
        mined = minedFrom(w.id, r);
      }
      const used = parseSafeQuantity(answers[i++], `eth_getTransactionCount of ${w.sender}`);
      if (mined) observations.push(mined);
      else if (used > w.nonce) unexplained.push(w);
      else if (anyKnown) known.push(w.id);
      else dropped.push(w.id);
    }
    for (const w of unexplained) {
      const found = await this.whereNonceWasUsed(w, lowest, tip, stored);
      if (found) observations.push(found);
    }
    if (observations.length > 0) {
      await this.knowAssets([this.settings.nativeAsset]);
      await this.repository.applyWithdrawalObservations({ chain, expectedTip: tip, nativeAsset: this.settings.nativeAsset, assets: this.assets!, observations, taggedHead: this.lastTaggedHead });
      for (const w of observations) this.log.info(`withdrawal ${w.kind} (found at the head)`, { chain, withdrawal: w.id, block: w.blockNumber });
    }
    await this.repository.withdrawals.markDropped(chain, known, false);
    if (dropped.length > 0) {
      await this.repository.withdrawals.markDropped(chain, dropped, true);
      this.log.warn('withdrawals dropped: the node knows none of their transactions and their nonce is unused', { chain, withdrawals: dropped });
    }
  }

  /**
   * The nonce of `w` is used at the stored tip, yet none of its hashes answered a receipt: which
   * transaction used it? No receipt is no evidence (a node's receipt index can lag the block it just
   * made: anvil's and geth's both do), so the block is found by bisecting the sender's transaction
   * count over the stored blocks, and read. One of ours there is mined (once the node gives its
   * receipt; until then nothing is concluded); another hash there is the replacement, named. Only a
   * nonce already used below the stored window is a replacement by a transaction not found ('').
   */
  private async whereNonceWasUsed(w: TrackedWithdrawal, lowest: number, tip: StoredBlock, stored: ReadonlyMap<number, Hash>): Promise<WithdrawalObservation | undefined> {
    const usedAfter = async (n: number): Promise<boolean> => parseSafeQuantity(await this.rpc.call('eth_getTransactionCount', [w.sender, hex(n)]), `eth_getTransactionCount of ${w.sender}`) > w.nonce;
    if (await usedAfter(lowest)) return { kind: 'replaced', id: w.id, by: '', blockNumber: tip.number, blockHash: tip.hash };
    let unused = lowest;
    let used = tip.number;
    while (used - unused > 1) {
      const mid = unused + Math.floor((used - unused) / 2);
      if (await usedAfter(mid)) used = mid;
      else unused = mid;
    }
    const block = parseRpcBlock(await this.rpc.call('eth_getBlockByNumber', [hex(used), true]), used);
    // Another branch than the one stored: the next step walks back first.
    if (block.hash !== stored.get(used)) return undefined;
    const sighting = withdrawalsInBlocks([block], [w])[0];
    if (!sighting) {
      this.log.warn('a withdrawal nonce is used, but no transaction of its sender with it is in the block where the count moved', { chain: this.settings.chain, withdrawal: w.id, block: used });
      return undefined;
    }
    if (sighting.kind === 'replaced') return sighting;
    const raw = await this.rpc.call('eth_getTransactionReceipt', [sighting.txHash]);
    if (raw === null || raw === undefined) {
      this.log.info('withdrawal mined, its receipt not given by the node yet', { chain: this.settings.chain, withdrawal: w.id, block: used });
      return undefined;
    }
    const r = parseRpcReceipt(raw, `receipt of ${sighting.txHash}`);
    if (r.transactionHash !== sighting.txHash || r.blockHash !== block.hash) return undefined;
    return minedFrom(w.id, r);
  }

  /**
   * Blocks [from, to] in batches of batchBlocks, one after the other, each next batch asked for while
   * the current one is parsed — and the first batch after `to` (up to the head) while this step is
   * stored and delivered. A prefetched batch is used only for the same range and the same tokens.
   */
  private async fetchSpan(from: number, to: number, head: number): Promise<{ blocks: Block[]; logs: ChainLog[]; internal: InternalTransfer[][] }> {
    const tokens = await this.tokenKey();
    const size = this.settings.batchBlocks;
    const blocks: Block[] = [];
    const logs: ChainLog[] = [];
    const internal: InternalTransfer[][] = [];
    for (let a = from; a <= to; a += size) {
      const b = Math.min(to, a + size - 1);
      const p = this.prefetched;
      this.prefetched = undefined;
      const current = p && p.from === a && p.to === b && p.tokens === tokens ? p.result : this.fetchRange(a, b);
      if (b < head) {
        const next = { from: b + 1, to: Math.min(head, b + size), tokens, result: this.fetchRange(b + 1, Math.min(head, b + size)) };
        next.result.catch(() => undefined);
        this.prefetched = next;
      }
      const r = await current;
      for (const x of r.blocks) blocks.push(x);
      for (const x of r.logs) logs.push(x);
      for (const x of r.internal ?? []) internal.push(x);
    }
    return { blocks, logs, internal };
  }

  private async tokenKey(): Promise<string> {
    return [...(await this.repository.watchSet(this.settings.chain, this.settings.nativeAsset)).tokens.keys()].sort().join(',');
  }

  /** Blocks [from, to] with full transactions and the Transfer logs of registered tokens, in one batch; all checked. */
  async fetchRange(from: number, to: number): Promise<FetchedRange> {
    const tokens = [...(await this.repository.watchSet(this.settings.chain, this.settings.nativeAsset)).tokens.keys()];
    const count = to - from + 1;
    const calls = [];
    for (let n = from; n <= to; n++) calls.push({ method: 'eth_getBlockByNumber', params: [hex(n), true] });
    if (this.settings.traces) for (let n = from; n <= to; n++) calls.push({ method: 'debug_traceBlockByNumber', params: [hex(n), { tracer: 'callTracer' }] });
    if (tokens.length > 0) calls.push({ method: 'eth_getLogs', params: [{ fromBlock: hex(from), toBlock: hex(to), address: tokens, topics: [ERC20_TRANSFER_TOPIC] }] });
    const answers = await this.rpc.batch(calls);
    const blocks = answers.slice(0, count).map((raw, i) => parseRpcBlock(raw, from + i, `block ${from + i}`));
    const hashes = new Map<number, Hash>(blocks.map((b) => [b.number, b.hash]));
    const traced = this.settings.traces ? count : 0;
    const internal = this.settings.traces ? blocks.map((b, i) => parseBlockTraces(answers[count + i], b, `traces of block ${b.number}`)) : undefined;
    const logs = tokens.length > 0 ? parseRpcLogs(answers[count + traced], from, to, hashes, 'eth_getLogs') : [];
    return internal ? { blocks, logs, internal } : { blocks, logs };
  }

  private async hashAt(height: number): Promise<Hash | null> {
    const raw = await this.rpc.call('eth_getBlockByNumber', [hex(height), false]);
    if (raw === null) return null;
    const header = raw as { number?: unknown; hash?: unknown };
    if (parseSafeQuantity(header.number, `block ${height}.number`) !== height) throw new ChainInputError(`block ${height}.number`, 'is not the height asked for');
    return parseHash(header.hash, `block ${height}.hash`);
  }

  /** Walks back to the common ancestor (as deep as it is, within the window) and undoes the orphaned blocks. */
  private async reorg(tip: StoredBlock): Promise<StepOutcome> {
    const { chain } = this.settings;
    const stored = await this.repository.storedHashes(chain);
    const node = new Map<number, Hash | null>();
    for (;;) {
      const step = findForkPoint({ stored, node, batch: 64 });
      if (step.kind === 'fetch') {
        const answers = await this.rpc.batch(step.heights.map((h) => ({ method: 'eth_getBlockByNumber', params: [hex(h), false] })));
        step.heights.forEach((h, i) => {
          const raw = answers[i] as { number?: unknown; hash?: unknown } | null;
          if (raw === null) node.set(h, null);
          else {
            if (parseSafeQuantity(raw.number, `block ${h}.number`) !== h) throw new ChainInputError(`block ${h}.number`, 'is not the height asked for');
            node.set(h, parseHash(raw.hash, `block ${h}.hash`));
          }
        });
        continue;
      }
      if (step.kind === 'beyond-window') {
        const message = `chain ${chain}: reorg deeper than the stored window: none of the stored blocks ${step.lowest}..${step.highest} is on the node's chain any more. The indexer stops; it will not guess what the orphaned blocks did. Investigate the node, then re-index from a trusted height.`;
        this.log.error(message, { chain, lowest: step.lowest, highest: step.highest });
        throw new ReorgBeyondWindowError(message);
      }
      const result = await this.repository.applyReorg(chain, tip, { number: step.number, hash: step.hash });
      this.log.warn('reorg: orphaned blocks removed and their deposits reversed', { chain, ancestor: step.number, removed: result.removed, reversed: result.reversed, withdrawalsReopened: result.reopened });
      if (result.stuck.length > 0) {
        this.log.error('reorg orphaned the block of withdrawals the ledger already failed; the ledger cannot undo a failure: reconcile them by hand', { chain, withdrawals: result.stuck });
      }
      return { kind: 'reorg', ancestor: step.number, ...result };
    }
  }

  /** Errors after which the loop waits and tries again; anything else is fatal. */
  static isTransient(error: unknown): boolean {
    if (error instanceof RpcError) return true;
    if (error instanceof ChainInputError) return true;
    if (error instanceof CheckpointMovedError) return true;
    const retryable = (error as { retryable?: unknown } | null)?.retryable;
    if (retryable === true) return true;
    // Postgres connection errors (a restart): wait and retry.
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === 'string' && (code.startsWith('08') || code === '57P01' || code === 'ECONNREFUSED' || code === 'ECONNRESET');
  }
}
