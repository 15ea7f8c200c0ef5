import { ChainInputError, sweepAmount } from '../src';

const base = { booked: 10n ** 18n, onChain: 10n ** 18n, gas: 21_000n, maxFeePerGasCap: 100n * 10n ** 9n, minimum: 10n ** 16n };
const fee = 21_000n * 100n * 10n ** 9n;

describe('sweepAmount', () => {
  it('moves what is both booked and on chain, less the most the fee can be', () => {
    expect(sweepAmount(base)).toBe(10n ** 18n - fee);
    expect(sweepAmount({ ...base, onChain: 5n * 10n ** 17n })).toBe(5n * 10n ** 17n - fee);
    expect(sweepAmount({ ...base, booked: 3n * 10n ** 17n })).toBe(3n * 10n ** 17n - fee);
  });

  it('sweeps nothing below the minimum, or when the fee would take it all', () => {
    expect(sweepAmount({ ...base, booked: 10n ** 16n + fee - 1n })).toBeNull();
    expect(sweepAmount({ ...base, booked: 10n ** 16n + fee })).toBe(10n ** 16n);
    expect(sweepAmount({ ...base, booked: fee, minimum: 0n })).toBeNull();
    expect(sweepAmount({ ...base, booked: 0n })).toBeNull();
    expect(sweepAmount({ ...base, onChain: 0n })).toBeNull();
  });

  it('refuses negative or non-bigint inputs and zero gas, naming the field', () => {
    expect(() => sweepAmount({ ...base, booked: -1n })).toThrow(ChainInputError);
    expect(() => sweepAmount({ ...base, booked: -1n })).toThrow(/sweep\.booked/);
    expect(() => sweepAmount({ ...base, gas: 0n })).toThrow(/sweep\.gas/);
    expect(() => sweepAmount({ ...base, minimum: 1 as unknown as bigint })).toThrow(/sweep\.minimum/);
  });
});
