import type { Address, Hex } from 'viem';
import { parseAddress } from './address';
import { fail, preview } from './errors';
import { parseHexData, toHex } from './validate';

/**
 * Shape checks of what an Ethereum JSON-RPC node returns (`eth_getBlockByNumber`, `eth_getLogs`,
 * `eth_getTransactionReceipt`). The node is not trusted: every field the indexer uses is checked
 * for type, grammar and range, and its cross-references (a transaction's block hash and number, a
 * log's) against the block it came with. Anything wrong throws {@link ChainInputError} naming the
 * field; the caller retries or stops, and never stores it.
 */

/** A 32-byte hash as 0x and 64 lower-case hex digits (hex is case-free; lower case is the one stored form). */
export type Hash = Hex;

/** The most transactions one block may list (a 36M-gas block holds at most ~1,700 transfers; generous). */
export const MAX_BLOCK_TRANSACTIONS = 100_000;
/** The most logs one response may carry. */
export const MAX_LOGS = 1_000_000;

const QUANTITY = /^0x(?:0|[1-9a-fA-F][0-9a-fA-F]*)$/;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A JSON-RPC QUANTITY: 0x and hex digits without leading zeros ("0x0" for zero), at most 256 bits. */
export function parseQuantity(value: unknown, argument: string): bigint {
  if (typeof value !== 'string' || value.length > 66 || !QUANTITY.test(value)) fail(argument, `must be a hex quantity (0x…, no leading zeros), got ${preview(value)}`);
  return BigInt(value);
}

/** A QUANTITY that must be a safe integer (block numbers, indices, nonces, timestamps). */
export function parseSafeQuantity(value: unknown, argument: string): number {
  const q = parseQuantity(value, argument);
  if (q > BigInt(Number.MAX_SAFE_INTEGER)) fail(argument, 'must be at most 2^53-1');
  return Number(q);
}

export function parseHash(value: unknown, argument: string): Hash {
  const bytes = parseHexData(value, argument, 32);
  if (bytes.length !== 32) fail(argument, 'must be a 32-byte hash');
  return toHex(bytes);
}

export interface BlockHeader {
  readonly number: number;
  readonly hash: Hash;
  readonly parentHash: Hash;
  /** Seconds since the epoch (the block's own claim). */
  readonly timestamp: number;
}

export interface BlockTransaction {
  readonly hash: Hash;
  readonly from: Address;
  /** null for a contract creation. */
  readonly to: Address | null;
  readonly value: bigint;
  readonly nonce: number;
  readonly transactionIndex: number;
  /** The calldata's length in bytes (a native deposit has none; a contract call is a limit documented by the indexer). */
  readonly inputLength: number;
}

export interface Block extends BlockHeader {
  readonly transactions: readonly BlockTransaction[];
}

function parseHeader(raw: Record<string, unknown>, argument: string): BlockHeader {
  return {
    number: parseSafeQuantity(raw.number, `${argument}.number`),
    hash: parseHash(raw.hash, `${argument}.hash`),
    parentHash: parseHash(raw.parentHash, `${argument}.parentHash`),
    timestamp: parseSafeQuantity(raw.timestamp, `${argument}.timestamp`),
  };
}

function parseTransaction(raw: unknown, block: BlockHeader, index: number, argument: string): BlockTransaction {
  if (!isRecord(raw)) fail(argument, 'must be a transaction object (ask for full transactions)');
  if (parseHash(raw.blockHash, `${argument}.blockHash`) !== block.hash) fail(`${argument}.blockHash`, 'is not the hash of the block that lists it');
  if (parseSafeQuantity(raw.blockNumber, `${argument}.blockNumber`) !== block.number) fail(`${argument}.blockNumber`, 'is not the number of the block that lists it');
  const transactionIndex = parseSafeQuantity(raw.transactionIndex, `${argument}.transactionIndex`);
  if (transactionIndex !== index) fail(`${argument}.transactionIndex`, `must be ${index} (its position in the block)`);
  const input = parseHexData(raw.input, `${argument}.input`, 4 * 1024 * 1024);
  return {
    hash: parseHash(raw.hash, `${argument}.hash`),
    from: parseAddress(raw.from, `${argument}.from`),
    to: raw.to === null || raw.to === undefined ? null : parseAddress(raw.to, `${argument}.to`),
    value: parseQuantity(raw.value, `${argument}.value`),
    nonce: parseSafeQuantity(raw.nonce, `${argument}.nonce`),
    transactionIndex,
    inputLength: input.length,
  };
}

/**
 * Checks a block as `eth_getBlockByNumber(n, true)` returns it. `expectedNumber`: the height asked
 * for (a node that answers another is refused). `null` (the node does not have the block yet)
 * throws with argument `block` and reason `missing`.
 */
export function parseRpcBlock(raw: unknown, expectedNumber?: number, argument = 'block'): Block {
  if (raw === null || raw === undefined) fail(argument, 'missing (the node has no such block)');
  if (!isRecord(raw)) fail(argument, 'must be an object');
  const header = parseHeader(raw, argument);
  if (expectedNumber !== undefined && header.number !== expectedNumber) fail(`${argument}.number`, `is ${header.number}, not the ${expectedNumber} asked for`);
  if (header.number > 0 && header.parentHash === header.hash) fail(`${argument}.parentHash`, 'equals the block hash');
  const txs: unknown = raw.transactions;
  if (!Array.isArray(txs)) fail(`${argument}.transactions`, 'must be an array');
  if (txs.length > MAX_BLOCK_TRANSACTIONS) fail(`${argument}.transactions`, `must have at most ${MAX_BLOCK_TRANSACTIONS} entries`);
  const transactions = (txs as unknown[]).map((t, i) => parseTransaction(t, header, i, `${argument}.transactions[${i}]`));
  const seen = new Set<string>();
  for (const t of transactions) {
    if (seen.has(t.hash)) fail(`${argument}.transactions`, `lists ${t.hash} twice`);
    seen.add(t.hash);
  }
  return { ...header, transactions };
}

export interface ChainLog {
  readonly address: Address;
  readonly topics: readonly Hash[];
  readonly data: Hex;
  readonly blockNumber: number;
  readonly blockHash: Hash;
  readonly transactionHash: Hash;
  readonly transactionIndex: number;
  readonly logIndex: number;
  /** true when the node reports it removed by a reorg (eth_getFilterChanges); eth_getLogs sends false. */
  readonly removed: boolean;
}

/** Checks one log of `eth_getLogs` (or of a receipt). */
export function parseRpcLog(raw: unknown, argument = 'log'): ChainLog {
  if (!isRecord(raw)) fail(argument, 'must be an object');
  const topics: unknown = raw.topics;
  if (!Array.isArray(topics) || topics.length > 4) fail(`${argument}.topics`, 'must be an array of at most 4 topics');
  const data = parseHexData(raw.data, `${argument}.data`, 4 * 1024 * 1024);
  if (raw.removed !== undefined && typeof raw.removed !== 'boolean') fail(`${argument}.removed`, 'must be a boolean');
  return {
    address: parseAddress(raw.address, `${argument}.address`),
    topics: (topics as unknown[]).map((t, i) => parseHash(t, `${argument}.topics[${i}]`)),
    data: toHex(data),
    blockNumber: parseSafeQuantity(raw.blockNumber, `${argument}.blockNumber`),
    blockHash: parseHash(raw.blockHash, `${argument}.blockHash`),
    transactionHash: parseHash(raw.transactionHash, `${argument}.transactionHash`),
    transactionIndex: parseSafeQuantity(raw.transactionIndex, `${argument}.transactionIndex`),
    logIndex: parseSafeQuantity(raw.logIndex, `${argument}.logIndex`),
    removed: raw.removed === true,
  };
}

/**
 * Checks an `eth_getLogs` answer for the block range [fromBlock, toBlock]: every log within the
 * range, in (block, log index) order without duplicates, and, where `blockHashes` knows a height,
 * from the block with that hash (a log of another branch means the node reorganized meanwhile).
 */
export function parseRpcLogs(raw: unknown, fromBlock: number, toBlock: number, blockHashes?: ReadonlyMap<number, Hash>, argument = 'logs'): ChainLog[] {
  if (!Array.isArray(raw)) fail(argument, 'must be an array');
  if (raw.length > MAX_LOGS) fail(argument, `must have at most ${MAX_LOGS} entries`);
  const logs = (raw as unknown[]).map((l, i) => parseRpcLog(l, `${argument}[${i}]`));
  let previous: ChainLog | undefined;
  logs.forEach((log, i) => {
    const at = `${argument}[${i}]`;
    if (log.blockNumber < fromBlock || log.blockNumber > toBlock) fail(`${at}.blockNumber`, `${log.blockNumber} is outside ${fromBlock}..${toBlock}`);
    const known = blockHashes?.get(log.blockNumber);
    if (known !== undefined && known !== log.blockHash) fail(`${at}.blockHash`, `is not the hash of block ${log.blockNumber} read before (the node changed branch)`);
    if (previous && (log.blockNumber < previous.blockNumber || (log.blockNumber === previous.blockNumber && log.logIndex <= previous.logIndex))) {
      fail(`${at}.logIndex`, 'logs must be in block and log index order, without duplicates');
    }
    if (previous && log.blockNumber === previous.blockNumber && log.blockHash !== previous.blockHash) fail(`${at}.blockHash`, 'two hashes for one block number');
    previous = log;
  });
  return logs;
}

export interface TransactionReceipt {
  readonly transactionHash: Hash;
  readonly blockHash: Hash;
  readonly blockNumber: number;
  readonly from: Address;
  readonly to: Address | null;
  /** true: executed; false: reverted (the fee is still paid). */
  readonly success: boolean;
  readonly gasUsed: bigint;
  readonly effectiveGasPrice: bigint;
  readonly logs: readonly ChainLog[];
}

/** Checks an `eth_getTransactionReceipt` answer; `null` (not mined, or dropped) throws `missing`. */
export function parseRpcReceipt(raw: unknown, argument = 'receipt'): TransactionReceipt {
  if (raw === null || raw === undefined) fail(argument, 'missing (not mined, or unknown to the node)');
  if (!isRecord(raw)) fail(argument, 'must be an object');
  const status = parseQuantity(raw.status, `${argument}.status`);
  if (status !== 0n && status !== 1n) fail(`${argument}.status`, 'must be 0x0 or 0x1');
  const transactionHash = parseHash(raw.transactionHash, `${argument}.transactionHash`);
  const blockHash = parseHash(raw.blockHash, `${argument}.blockHash`);
  const blockNumber = parseSafeQuantity(raw.blockNumber, `${argument}.blockNumber`);
  const rawLogs: unknown = raw.logs;
  if (!Array.isArray(rawLogs)) fail(`${argument}.logs`, 'must be an array');
  const logs = (rawLogs as unknown[]).map((l, i) => parseRpcLog(l, `${argument}.logs[${i}]`));
  logs.forEach((l, i) => {
    if (l.transactionHash !== transactionHash || l.blockHash !== blockHash || l.blockNumber !== blockNumber) {
      fail(`${argument}.logs[${i}]`, 'belongs to another transaction or block');
    }
  });
  return {
    transactionHash,
    blockHash,
    blockNumber,
    from: parseAddress(raw.from, `${argument}.from`),
    to: raw.to === null || raw.to === undefined ? null : parseAddress(raw.to, `${argument}.to`),
    success: status === 1n,
    gasUsed: parseQuantity(raw.gasUsed, `${argument}.gasUsed`),
    effectiveGasPrice: parseQuantity(raw.effectiveGasPrice, `${argument}.effectiveGasPrice`),
    logs,
  };
}
