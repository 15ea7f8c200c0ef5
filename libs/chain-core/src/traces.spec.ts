import { ChainInputError, INTERNAL_TRANSFER_LOG_INDEX_BASE, depositsOfTraces, parseAddress, parseBlockTraces, type Block, type Hash, type WatchSet } from '../src';

const hash = (tag: string): Hash => `0x${Buffer.from(tag.padEnd(32, '.')).toString('hex')}` as Hash;
const custody = parseAddress(`0x${'11'.repeat(20)}`);
const contract = parseAddress(`0x${'33'.repeat(20)}`);
const stranger = parseAddress(`0x${'22'.repeat(20)}`);
const watch: WatchSet = { addresses: new Map([[custody, 'wallet-1']]), tokens: new Map(), nativeAsset: 'ETH' };

function block(txs: number): Block {
  return {
    number: 9,
    hash: hash('b9'),
    parentHash: hash('b8'),
    timestamp: 1009,
    transactions: Array.from({ length: txs }, (_, i) => ({ hash: hash(`tx${i}`), from: stranger, to: contract, value: 0n, nonce: i, transactionIndex: i, inputLength: 36 })),
  };
}

const call = (to: string, value: bigint, extra: Record<string, unknown> = {}) => ({ type: 'CALL', from: contract.toLowerCase(), to: to.toLowerCase(), value: `0x${value.toString(16)}`, gas: '0x0', gasUsed: '0x0', input: '0x', ...extra });

describe('parseBlockTraces / depositsOfTraces: value moved to custody addresses by internal calls', () => {
  it('a contract forwarding value to a custody address is a deposit keyed 2^30 + ordinal; the top-level call is not counted here', () => {
    const b = block(1);
    const traces = [{ txHash: b.transactions[0]!.hash, result: call(contract, 5n, { calls: [call(stranger, 1n), call(custody, 7n, { calls: [call(custody, 2n)] })] }) }];
    const transfers = parseBlockTraces(traces, b);
    expect(transfers.map((t) => [t.to, t.value, t.ordinal])).toEqual([
      [stranger, 1n, 0],
      [custody, 7n, 1],
      [custody, 2n, 2],
    ]);
    expect(depositsOfTraces(b, transfers, watch)).toEqual([
      { txHash: b.transactions[0]!.hash, logIndex: INTERNAL_TRANSFER_LOG_INDEX_BASE + 1, blockNumber: 9, blockHash: b.hash, asset: 'ETH', wallet: 'wallet-1', address: custody, amount: 7n },
      { txHash: b.transactions[0]!.hash, logIndex: INTERNAL_TRANSFER_LOG_INDEX_BASE + 2, blockNumber: 9, blockHash: b.hash, asset: 'ETH', wallet: 'wallet-1', address: custody, amount: 2n },
    ]);
  });

  it('a failed frame moves nothing below it; a failed transaction moves nothing; delegate and static calls move nothing; zero is no deposit', () => {
    const b = block(2);
    const traces = [
      { result: call(contract, 0n, { calls: [call(contract, 3n, { error: 'execution reverted', calls: [call(custody, 3n)] }), { ...call(custody, 4n), type: 'DELEGATECALL' }, { ...call(custody, 0n) }, { ...call(custody, 8n), type: 'SELFDESTRUCT' }] }) },
      { result: call(contract, 0n, { error: 'out of gas', calls: [call(custody, 9n)] }) },
    ];
    const deposits = depositsOfTraces(b, parseBlockTraces(traces, b), watch);
    expect(deposits.map((d) => [d.txHash, d.amount])).toEqual([[b.transactions[0]!.hash, 8n]]);
  });

  it.each<[string, unknown, number, RegExp]>([
    ['not an array', { result: {} }, 1, /must be an array/],
    ['a trace missing for a transaction', [], 1, /0 traces for the block's 1 transactions/],
    ['another transaction', [{ txHash: hash('other'), result: call(contract, 0n) }], 1, /txHash/],
    ['a frame without a type', [{ result: call(contract, 0n, { calls: [{ to: custody, value: '0x1' }] }) }], 1, /calls\[0\]\.type/],
    ['a bad value', [{ result: call(contract, 0n, { calls: [call(custody, 1n, { value: 'lots' })] }) }], 1, /calls\[0\]\.value/],
    ['a bad address', [{ result: call(contract, 0n, { calls: [call(custody, 1n, { to: '0x12' })] }) }], 1, /calls\[0\]\.to/],
    ['calls not a list', [{ result: call(contract, 0n, { calls: 'x' }) }], 1, /calls/],
  ])('refuses %s, naming where', (_what, raw, txs, message) => {
    expect(() => parseBlockTraces(raw, block(txs))).toThrow(ChainInputError);
    expect(() => parseBlockTraces(raw, block(txs))).toThrow(message);
  });
});
