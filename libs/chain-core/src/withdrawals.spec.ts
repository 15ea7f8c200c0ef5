import { ChainInputError, parseAddress, withdrawalFee, withdrawalLedgerEvent, withdrawalReorgEvent, withdrawalsInBlocks, type Block, type Hash, type TrackedWithdrawal } from '../src';

const hash = (tag: string): Hash => `0x${Buffer.from(tag.padEnd(32, '.')).toString('hex')}` as Hash;
const sender = parseAddress(`0x${'11'.repeat(20)}`);
const stranger = parseAddress(`0x${'22'.repeat(20)}`);

function block(n: number, txs: Array<{ tag: string; from: typeof sender; nonce: number }>): Block {
  return {
    number: n,
    hash: hash(`b${n}`),
    parentHash: hash(`b${n - 1}`),
    timestamp: 1000 + n,
    transactions: txs.map((t, i) => ({ hash: hash(t.tag), from: t.from, to: stranger, value: 1n, nonce: t.nonce, transactionIndex: i, inputLength: 0 })),
  };
}

const tracked: TrackedWithdrawal[] = [
  { id: 'w-1', sender, nonce: 7, txHashes: [hash('ours-7'), hash('ours-7-bumped')] },
  { id: 'w-2', sender, nonce: 8, txHashes: [hash('ours-8')] },
];

describe('withdrawalsInBlocks: what the blocks read say about tracked withdrawals', () => {
  it('a tracked hash in a block is mined there, whichever of its broadcasts it is', () => {
    const found = withdrawalsInBlocks([block(10, [{ tag: 'x', from: stranger, nonce: 7 }]), block(11, [{ tag: 'ours-7-bumped', from: sender, nonce: 7 }])], tracked);
    expect(found).toEqual([{ kind: 'mined', id: 'w-1', txHash: hash('ours-7-bumped'), blockNumber: 11, blockHash: hash('b11') }]);
  });

  it("another transaction of the sender with the withdrawal's nonce replaces it", () => {
    const found = withdrawalsInBlocks([block(12, [{ tag: 'someone-else', from: sender, nonce: 8 }])], tracked);
    expect(found).toEqual([{ kind: 'replaced', id: 'w-2', by: hash('someone-else'), blockNumber: 12, blockHash: hash('b12') }]);
  });

  it("the nonce of another sender, or another nonce of the sender, is not a replacement", () => {
    expect(withdrawalsInBlocks([block(13, [{ tag: 'a', from: stranger, nonce: 8 }, { tag: 'b', from: sender, nonce: 9 }])], tracked)).toEqual([]);
  });

  it('one sighting per withdrawal, the first', () => {
    const found = withdrawalsInBlocks([block(14, [{ tag: 'ours-8', from: sender, nonce: 8 }]), block(15, [{ tag: 'dup', from: sender, nonce: 8 }])], tracked);
    expect(found.map((f) => [f.kind, f.id, f.blockNumber])).toEqual([['mined', 'w-2', 14]]);
  });

  it('nothing tracked, nothing found', () => {
    expect(withdrawalsInBlocks([block(16, [{ tag: 'ours-7', from: sender, nonce: 7 }])], [])).toEqual([]);
  });
});

describe('withdrawalFee', () => {
  it('is gas used × effective gas price', () => {
    expect(withdrawalFee({ gasUsed: 21_000n, effectiveGasPrice: 1_000_000_007n })).toBe(21_000_000_147_000n);
  });
  it('refuses negative inputs naming them', () => {
    expect(() => withdrawalFee({ gasUsed: -1n, effectiveGasPrice: 1n })).toThrow(ChainInputError);
    expect(() => withdrawalFee({ gasUsed: 1n, effectiveGasPrice: -1n })).toThrow(/effectiveGasPrice/);
  });
});

describe('the ledger events of a settled withdrawal', () => {
  it('executed: confirm; reverted or replaced: fail; once told, nothing more', () => {
    expect(withdrawalLedgerEvent({ status: 'mined', success: true, ledgerOutcome: '' })).toBe('confirm');
    expect(withdrawalLedgerEvent({ status: 'mined', success: false, ledgerOutcome: '' })).toBe('fail');
    expect(withdrawalLedgerEvent({ status: 'replaced', success: null, ledgerOutcome: '' })).toBe('fail');
    expect(withdrawalLedgerEvent({ status: 'mined', success: true, ledgerOutcome: 'confirm' })).toBeNull();
    expect(withdrawalLedgerEvent({ status: 'mined', success: false, ledgerOutcome: 'fail' })).toBeNull();
  });
  it('after a reorg unconfirmed it, it may be confirmed again (or failed)', () => {
    expect(withdrawalLedgerEvent({ status: 'mined', success: true, ledgerOutcome: 'unconfirm' })).toBe('confirm');
    expect(withdrawalLedgerEvent({ status: 'replaced', success: null, ledgerOutcome: 'unconfirm' })).toBe('fail');
  });
  it('a reorg unconfirms a confirmed one, does nothing before the ledger was told, and cannot undo a failure', () => {
    expect(withdrawalReorgEvent('confirm')).toBe('unconfirm');
    expect(withdrawalReorgEvent('')).toBeNull();
    expect(withdrawalReorgEvent('unconfirm')).toBeNull();
    expect(withdrawalReorgEvent('fail')).toBe('stuck');
  });
});
