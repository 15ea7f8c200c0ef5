import { ChainInputError } from './errors';
import { feesFromHistory, parseFeeHistory, replacementFees } from './fees';

const GWEI = 1_000_000_000n;
const policy = { maxFeePerGasCap: 500n * GWEI, minPriorityFeePerGas: 1n * GWEI };

describe('chain-core fees: eth_feeHistory → EIP-1559 fees, with a cap per chain', () => {
  it('takes 2 × the next base fee + the median reward', () => {
    const history = parseFeeHistory({ baseFeePerGas: ['0x3b9aca00', '0x77359400'], reward: [['0x77359400'], ['0xb2d05e00'], ['0x3b9aca00']] });
    expect(history.baseFeePerGas).toEqual([1n * GWEI, 2n * GWEI]);
    expect(feesFromHistory(history, policy)).toEqual({ maxFeePerGas: 4n * GWEI + 2n * GWEI, maxPriorityFeePerGas: 2n * GWEI });
  });

  it('uses the minimum priority fee on an empty chain (no rewards)', () => {
    expect(feesFromHistory(parseFeeHistory({ baseFeePerGas: ['0x0'], reward: [] }), policy)).toEqual({ maxFeePerGas: 1n * GWEI, maxPriorityFeePerGas: 1n * GWEI });
  });

  it('caps maxFeePerGas at the chain cap, keeping priority ≤ maxFee − base', () => {
    const fees = feesFromHistory({ baseFeePerGas: [400n * GWEI], reward: [[300n * GWEI]] }, policy);
    expect(fees).toEqual({ maxFeePerGas: 500n * GWEI, maxPriorityFeePerGas: 100n * GWEI });
  });

  it('refuses when the next base fee alone exceeds the cap', () => {
    expect(() => feesFromHistory({ baseFeePerGas: [501n * GWEI], reward: [] }, policy)).toThrow(/baseFeePerGas.*exceeds the chain's cap/);
  });

  it('refuses malformed node answers naming the field', () => {
    for (const bad of [null, [], { baseFeePerGas: [] }, { baseFeePerGas: ['12'] }, { baseFeePerGas: ['0x1'], reward: 'x' }, { baseFeePerGas: ['0x1'], reward: [['zz']] }]) {
      expect(() => parseFeeHistory(bad)).toThrow(ChainInputError);
    }
    expect(() => parseFeeHistory({ baseFeePerGas: ['0x1'], reward: [['zz']] })).toThrow(/feeHistory\.reward\[0\]\[0\]/);
  });

  it('a replacement raises both fees by at least 25 % and at least to the current ones; null past the cap', () => {
    const previous = { maxFeePerGas: 100n * GWEI, maxPriorityFeePerGas: 2n * GWEI };
    expect(replacementFees(previous, { maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: 1n * GWEI }, policy)).toEqual({ maxFeePerGas: 125n * GWEI, maxPriorityFeePerGas: 25n * GWEI / 10n });
    expect(replacementFees(previous, { maxFeePerGas: 200n * GWEI, maxPriorityFeePerGas: 3n * GWEI }, policy)).toEqual({ maxFeePerGas: 200n * GWEI, maxPriorityFeePerGas: 3n * GWEI });
    expect(replacementFees({ maxFeePerGas: 0n, maxPriorityFeePerGas: 0n }, { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n }, policy)).toEqual({ maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
    expect(replacementFees({ maxFeePerGas: 450n * GWEI, maxPriorityFeePerGas: GWEI }, previous, policy)).toBeNull();
  });
});
