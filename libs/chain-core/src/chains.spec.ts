import { CHAINS, ChainInputError, defineChain } from '../src';

describe('chains', () => {
  it('knows ethereum, sepolia and anvil with their EIP-155 ids and ether as the native asset', () => {
    expect(CHAINS.ethereum).toEqual({ id: 1, name: 'ethereum', confirmations: 12, nativeAsset: { symbol: 'ETH', decimals: 18 } });
    expect(CHAINS.sepolia.id).toBe(11155111);
    expect(CHAINS.anvil.id).toBe(31337);
    expect(Object.isFrozen(CHAINS.anvil)).toBe(true);
  });

  it('a deployment defines its own confirmation depth', () => {
    expect(defineChain({ ...CHAINS.ethereum, confirmations: 64 }).confirmations).toBe(64);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['chain id 0', { ...CHAINS.anvil, id: 0 }, /chain\.id/],
    ['chain id beyond 2^53', { ...CHAINS.anvil, id: 2 ** 53 }, /chain\.id/],
    ['confirmations 0', { ...CHAINS.anvil, confirmations: 0 }, /chain\.confirmations/],
    ['a fractional depth', { ...CHAINS.anvil, confirmations: 1.5 }, /chain\.confirmations/],
    ['an upper-case name', { ...CHAINS.anvil, name: 'Anvil' }, /chain\.name/],
    ['no native asset', { ...CHAINS.anvil, nativeAsset: undefined }, /chain\.nativeAsset/],
    ['37 decimals', { ...CHAINS.anvil, nativeAsset: { symbol: 'ETH', decimals: 37 } }, /nativeAsset\.decimals/],
  ];
  it.each(bad)('refuses %s', (_n, input, message) => {
    expect(() => defineChain(input as never)).toThrow(ChainInputError);
    expect(() => defineChain(input as never)).toThrow(message);
  });
});
