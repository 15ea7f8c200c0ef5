import { toHex } from 'viem';
import {
  ChainInputError,
  ERC20_TRANSFER_TOPIC,
  NATIVE_TRANSFER_LOG_INDEX,
  depositsOfBlock,
  linkSegment,
  parseAddress,
  reconcileHoldings,
  reportedConfirmations,
  type Block,
  type ChainLog,
  type Hash,
  type WatchSet,
} from '../src';

const hash = (tag: string): Hash => `0x${Buffer.from(tag.padEnd(32, '.')).toString('hex')}` as Hash;
const custody = parseAddress(`0x${'11'.repeat(20)}`);
const stranger = parseAddress(`0x${'22'.repeat(20)}`);
const token = parseAddress(`0x${'33'.repeat(20)}`);
const other = parseAddress(`0x${'44'.repeat(20)}`);
const watch: WatchSet = { addresses: new Map([[custody, 'wallet-1']]), tokens: new Map([[token, 'TST']]), nativeAsset: 'ETH' };
const word = (n: bigint) => `0x${n.toString(16).padStart(64, '0')}`;
const topicOf = (a: string) => `0x${'0'.repeat(24)}${a.slice(2).toLowerCase()}` as Hash;

function block(n: number, txs: Array<{ to: typeof custody | null; value: bigint; tag: string }>): Block {
  return {
    number: n,
    hash: hash(`b${n}`),
    parentHash: hash(`b${n - 1}`),
    timestamp: 1000 + n,
    transactions: txs.map((t, i) => ({ hash: hash(t.tag), from: stranger, to: t.to, value: t.value, nonce: i, transactionIndex: i, inputLength: 0 })),
  };
}

function transferLog(b: Block, logIndex: number, contract: typeof token, to: string, amount: bigint): ChainLog {
  return { address: contract, topics: [ERC20_TRANSFER_TOPIC as Hash, topicOf(stranger), topicOf(to)], data: toHex(Buffer.from(word(amount).slice(2), 'hex')), blockNumber: b.number, blockHash: b.hash, transactionHash: hash(`log${logIndex}`), transactionIndex: 0, logIndex, removed: false };
}

describe('depositsOfBlock: the deposits a canonical block shows', () => {
  it('native transfers to custody addresses (non-zero), keyed at the native log index', () => {
    const b = block(7, [
      { to: custody, value: 5n, tag: 'a' },
      { to: stranger, value: 9n, tag: 'b' },
      { to: custody, value: 0n, tag: 'c' },
      { to: null, value: 3n, tag: 'd' },
    ]);
    expect(depositsOfBlock(b, [], watch)).toEqual([{ txHash: hash('a'), logIndex: NATIVE_TRANSFER_LOG_INDEX, blockNumber: 7, blockHash: b.hash, asset: 'ETH', wallet: 'wallet-1', address: custody, amount: 5n }]);
  });

  it('Transfer logs of registered tokens only, to custody addresses, non-zero', () => {
    const b = block(8, []);
    const logs = [transferLog(b, 0, token, custody, 42n), transferLog(b, 1, other, custody, 1n), transferLog(b, 2, token, stranger, 1n), transferLog(b, 3, token, custody, 0n)];
    expect(depositsOfBlock(b, logs, watch)).toEqual([{ txHash: hash('log0'), logIndex: 0, blockNumber: 8, blockHash: b.hash, asset: 'TST', wallet: 'wallet-1', address: custody, amount: 42n }]);
  });

  it('refuses a log of another block, a removed log, and a malformed Transfer of a registered token', () => {
    const b = block(9, []);
    const foreign = { ...transferLog(b, 0, token, custody, 1n), blockHash: hash('elsewhere') };
    expect(() => depositsOfBlock(b, [foreign], watch)).toThrow(/invalid logs\[0\]: is not a log of block 9/);
    expect(() => depositsOfBlock(b, [{ ...transferLog(b, 0, token, custody, 1n), removed: true }], watch)).toThrow(ChainInputError);
    const dirty = { ...transferLog(b, 0, token, custody, 1n), data: '0x01' as Hash };
    expect(() => depositsOfBlock(b, [dirty], watch)).toThrow(/logs\[0\]\.data/);
    // The same malformed log from an unregistered contract is not ours to judge: ignored.
    expect(depositsOfBlock(b, [{ ...dirty, address: other }], watch)).toEqual([]);
  });
});

describe('linkSegment: a fetched run of blocks against the stored tip', () => {
  const run = [block(5, []), block(6, []), block(7, [])];
  it('linked on top of the tip, or from nothing', () => {
    expect(linkSegment({ number: 4, hash: hash('b4') }, run)).toEqual({ kind: 'linked' });
    expect(linkSegment(null, run)).toEqual({ kind: 'linked' });
  });
  it('a first parent that is not the tip is a reorg; a break inside the run is the node changing branch', () => {
    expect(linkSegment({ number: 4, hash: hash('other4') }, run)).toEqual({ kind: 'reorg' });
    const broken = [run[0]!, { ...run[1]!, parentHash: hash('x') }, run[2]!];
    expect(linkSegment({ number: 4, hash: hash('b4') }, broken)).toEqual({ kind: 'inconsistent', at: 6 });
  });
  it('refuses gaps, a wrong first height and an empty run', () => {
    expect(() => linkSegment({ number: 3, hash: hash('b3') }, run)).toThrow(/blocks\[0\]\.number: must be 4/);
    expect(() => linkSegment(null, [run[0]!, run[2]!])).toThrow(/blocks\[1\]\.number: must be 6/);
    expect(() => linkSegment(null, [])).toThrow(/non-empty/);
  });
});

describe('reportedConfirmations', () => {
  it('counts the including block, caps at the depth, is 0 above the tip', () => {
    expect(reportedConfirmations(10, 10, 3)).toBe(1);
    expect(reportedConfirmations(10, 12, 3)).toBe(3);
    expect(reportedConfirmations(10, 50, 3)).toBe(3);
    expect(reportedConfirmations(11, 10, 3)).toBe(0);
  });
  it('with a required tag, a block above it (or no tag yet) stays below the depth', () => {
    expect(reportedConfirmations(10, 20, 3, 9)).toBe(2);
    expect(reportedConfirmations(10, 20, 3, null)).toBe(2);
    expect(reportedConfirmations(10, 20, 3, 10)).toBe(3);
    expect(() => reportedConfirmations(10, 20, 0)).toThrow(/depth/);
  });
});

describe('reconcileHoldings', () => {
  it('reports each differing (asset, address), a missing side as zero; equal ones not at all', () => {
    const a = `0x${'aa'.repeat(20)}`;
    const b = `0x${'bb'.repeat(20)}`;
    expect(
      reconcileHoldings(
        [{ asset: 'ETH', address: a, amount: 5n }, { asset: 'ETH', address: b, amount: 1n }],
        [{ asset: 'ETH', address: a.toUpperCase().replace('0X', '0x'), amount: 5n }, { asset: 'TST', address: a, amount: 2n }],
      ),
    ).toEqual([
      { asset: 'ETH', address: b, ledger: 1n, node: 0n, difference: -1n },
      { asset: 'TST', address: a, ledger: 0n, node: 2n, difference: 2n },
    ]);
  });
  it('refuses a pair listed twice and a non-bigint amount', () => {
    const a = `0x${'aa'.repeat(20)}`;
    expect(() => reconcileHoldings([{ asset: 'ETH', address: a, amount: 1n }, { asset: 'ETH', address: a, amount: 1n }], [])).toThrow(/ledger\[1\]: lists ETH/);
    expect(() => reconcileHoldings([{ asset: 'ETH', address: a, amount: 1 as unknown as bigint }], [])).toThrow(/ledger\[0\]/);
  });
});
