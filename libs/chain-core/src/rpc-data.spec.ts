import { ChainInputError, parseQuantity, parseRpcBlock, parseRpcLogs, parseRpcReceipt } from '../src';

const H = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const A = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const tx = (i: number, over: Record<string, unknown> = {}) => ({
  hash: H(1000 + i), blockHash: H(7), blockNumber: '0x7', transactionIndex: `0x${i.toString(16)}`, from: A(1), to: A(2), value: '0xde0b6b3a7640000', nonce: '0x0', input: '0x', ...over,
});
const block = (over: Record<string, unknown> = {}) => ({ number: '0x7', hash: H(7), parentHash: H(6), timestamp: '0x6553f100', transactions: [tx(0), tx(1)], ...over });
const log = (i: number, over: Record<string, unknown> = {}) => ({
  address: A(9), topics: [H(1)], data: '0x', blockNumber: '0x7', blockHash: H(7), transactionHash: H(1000), transactionIndex: '0x0', logIndex: `0x${i.toString(16)}`, removed: false, ...over,
});

describe('JSON-RPC quantities', () => {
  it.each([['0x0', 0n], ['0x1', 1n], ['0xff', 255n], ['0xFF', 255n]] as const)('%s', (q, v) => expect(parseQuantity(q, 'q')).toBe(v));
  it.each(['0x', '0x00', '0x01', '12', '-0x1', '0x1g', `0x1${'0'.repeat(64)}`])('refuses %s', (q) => expect(() => parseQuantity(q, 'q')).toThrow(ChainInputError));
});

describe('untrusted blocks (a corpus of malformed node answers)', () => {
  it('accepts a well-formed block', () => {
    expect(parseRpcBlock(block(), 7)).toMatchObject({ number: 7, hash: H(7), parentHash: H(6), transactions: [{ transactionIndex: 0, value: 10n ** 18n }, { transactionIndex: 1 }] });
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['an array', [], /invalid block: must be an object/],
    ['no hash (a pending block)', block({ hash: null }), /block\.hash/],
    ['a short parent hash', block({ parentHash: '0x1234' }), /block\.parentHash: must be a 32-byte hash/],
    ['a number with a leading zero', block({ number: '0x07' }), /block\.number/],
    ['a parent hash equal to its hash', block({ parentHash: H(7) }), /block\.parentHash: equals the block hash/],
    ['transaction hashes only', block({ transactions: [H(1000)] }), /transactions\[0\]: must be a transaction object/],
    ['a transaction of another block', block({ transactions: [tx(0, { blockHash: H(8) })] }), /transactions\[0\]\.blockHash: is not the hash/],
    ['a transaction at the wrong index', block({ transactions: [tx(0), tx(1, { transactionIndex: '0x5' })] }), /transactions\[1\]\.transactionIndex: must be 1/],
    ['a transaction listed twice', block({ transactions: [tx(0), tx(1, { hash: H(1000) })] }), /lists 0x0+3e8 twice/],
    ['a bad from address', block({ transactions: [tx(0, { from: '0x12' })] }), /transactions\[0\]\.from/],
    ['a negative value', block({ transactions: [tx(0, { value: '-0x1' })] }), /transactions\[0\]\.value/],
    ['transactions not an array', block({ transactions: {} }), /block\.transactions: must be an array/],
  ];
  it.each(bad)('refuses %s, naming the field', (_n, raw, message) => {
    expect(() => parseRpcBlock(raw, 7)).toThrow(ChainInputError);
    expect(() => parseRpcBlock(raw, 7)).toThrow(message);
  });
});

describe('untrusted logs and receipts', () => {
  it('accepts ordered logs in range', () => {
    expect(parseRpcLogs([log(0), log(1), log(0, { blockNumber: '0x8', blockHash: H(8) })], 7, 8)).toHaveLength(3);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['a log outside the range', [log(0, { blockNumber: '0x9', blockHash: H(9) })], /logs\[0\]\.blockNumber: 9 is outside 7\.\.8/],
    ['logs out of order', [log(1), log(0)], /logs\[1\]\.logIndex: logs must be in block and log index order/],
    ['a duplicate log', [log(0), log(0)], /logs\[1\]\.logIndex/],
    ['two hashes for one height', [log(0), log(1, { blockHash: H(70) })], /logs\[1\]\.blockHash: two hashes for one block number/],
    ['five topics', [log(0, { topics: [H(1), H(2), H(3), H(4), H(5)] })], /logs\[0\]\.topics/],
    ['removed as a string', [log(0, { removed: 'false' })], /logs\[0\]\.removed/],
    ['not an array', { logs: [] }, /invalid logs: must be an array/],
  ];
  it.each(bad)('refuses %s', (_n, raw, message) => expect(() => parseRpcLogs(raw, 7, 8)).toThrow(message));

  const receipt = (over: Record<string, unknown> = {}) => ({
    transactionHash: H(1000), blockHash: H(7), blockNumber: '0x7', from: A(1), to: A(2), status: '0x1', gasUsed: '0x5208', effectiveGasPrice: '0x3b9aca00', logs: [log(0)], ...over,
  });
  it('a receipt: success or reverted, gas cost', () => {
    expect(parseRpcReceipt(receipt())).toMatchObject({ success: true, gasUsed: 21_000n, effectiveGasPrice: 1_000_000_000n });
    expect(parseRpcReceipt(receipt({ status: '0x0' })).success).toBe(false);
  });
  it.each([
    ['not mined', null, /receipt: missing/],
    ['status 2', receipt({ status: '0x2' }), /receipt\.status: must be 0x0 or 0x1/],
    ['a pre-Byzantium receipt without status', receipt({ status: undefined }), /receipt\.status/],
    ['a log of another transaction', receipt({ logs: [log(0, { transactionHash: H(5) })] }), /receipt\.logs\[0\]: belongs to another/],
  ] as const)('refuses %s', (_n, raw, message) => expect(() => parseRpcReceipt(raw)).toThrow(message));
});
