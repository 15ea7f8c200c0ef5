import { assetKey, customerAccount, LedgerInputError, NORMAL_SIDE, parseAccountKey, parseAssetKey, systemAccount, systemAccounts, validateAsset } from './index';

function field(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof LedgerInputError) return e.field;
    throw e;
  }
  throw new Error('not refused');
}

describe('assets', () => {
  it('validates a native coin and a token', () => {
    expect(validateAsset({ code: 'ETH', chain: 'eth-mainnet', decimals: 18, contract: null })).toEqual({ code: 'ETH', chain: 'eth-mainnet', decimals: 18, contract: null });
    expect(validateAsset({ code: 'USDC', chain: 'eip155:1', decimals: 6, contract: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48' }).contract).toBe('0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48');
    expect(validateAsset({ code: 'BTC', chain: 'btc', decimals: 8 }).contract).toBeNull();
    expect(assetKey({ chain: 'eth', code: 'ETH' })).toBe('eth/ETH');
    expect(parseAssetKey('eip155:1/USDC')).toEqual({ chain: 'eip155:1', code: 'USDC' });
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'ETH', 'asset'],
    ['an empty code', { code: '', chain: 'eth', decimals: 18, contract: null }, 'asset.code'],
    ['a code with a slash', { code: 'E/TH', chain: 'eth', decimals: 18, contract: null }, 'asset.code'],
    ['a code of 129 characters', { code: 'A'.repeat(129), chain: 'eth', decimals: 18, contract: null }, 'asset.code'],
    ['a chain with a space', { code: 'ETH', chain: 'eth main', decimals: 18, contract: null }, 'asset.chain'],
    ['37 decimals', { code: 'ETH', chain: 'eth', decimals: 37, contract: null }, 'asset.decimals'],
    ['negative decimals', { code: 'ETH', chain: 'eth', decimals: -1, contract: null }, 'asset.decimals'],
    ['fractional decimals', { code: 'ETH', chain: 'eth', decimals: 1.5, contract: null }, 'asset.decimals'],
    ['decimals as a string', { code: 'ETH', chain: 'eth', decimals: '18', contract: null }, 'asset.decimals'],
    ['a bad contract', { code: 'USDC', chain: 'eth', decimals: 6, contract: '0x 12' }, 'asset.contract'],
    ['an unknown field', { code: 'ETH', chain: 'eth', decimals: 18, contract: null, price: 1 }, 'asset.price'],
  ])('refuses %s', (_n, value, want) => {
    expect(field(() => validateAsset(value))).toBe(want);
  });

  it('refuses malformed asset keys', () => {
    for (const k of ['eth', 'eth/ETH/x', '/ETH', 'eth/', 7]) expect(() => parseAssetKey(k)).toThrow(LedgerInputError);
  });
});

describe('accounts', () => {
  const eth = { chain: 'eth', code: 'ETH' };

  it('customer accounts are liabilities flagged debitsMustNotExceedCredits', () => {
    const a = customerAccount('w-1', eth);
    expect(a).toEqual({ key: 'customer/w-1/eth/ETH', kind: 'customer', wallet: 'w-1', asset: 'eth/ETH', normalSide: 'credit', flags: { debitsMustNotExceedCredits: true } });
  });

  it('system accounts per asset: onchain, pending-deposits, fees, suspense, all debit-normal and unflagged', () => {
    const s = systemAccounts(eth);
    expect(Object.values(s).map((a) => a.key)).toEqual(['system/onchain/eth/ETH', 'system/pending-deposits/eth/ETH', 'system/fees/eth/ETH', 'system/suspense/eth/ETH']);
    for (const a of Object.values(s)) {
      expect(a.flags.debitsMustNotExceedCredits).toBe(false);
      expect(a.normalSide).toBe(NORMAL_SIDE[a.kind]);
      expect(a.normalSide).toBe('debit');
    }
    expect(() => systemAccount('treasury' as 'fees', eth)).toThrow(LedgerInputError);
  });

  it('keys are stable and parse back to the same account', () => {
    const all = [customerAccount('w1', eth), customerAccount('x.y:z-1', { chain: 'eip155:1', code: 'USDC' }), ...Object.values(systemAccounts(eth))];
    for (const a of all) expect(parseAccountKey(a.key)).toEqual(a);
  });

  it.each([
    ['nope', 'account'],
    ['bank/w1/eth/ETH', 'account'],
    ['customer/w 1/eth/ETH', 'account.wallet'],
    ['customer//eth/ETH', 'account.wallet'],
    ['system/treasury/eth/ETH', 'account.kind'],
    ['customer/w1/eth/ETH/x', 'account'],
    ['customer/w1/e th/ETH', 'account.chain'],
  ])('refuses the key %j', (key, want) => {
    expect(field(() => parseAccountKey(key))).toBe(want);
  });

  it('refuses a bad wallet', () => {
    expect(field(() => customerAccount('', eth))).toBe('wallet');
    expect(field(() => customerAccount('a/b', eth))).toBe('wallet');
  });
});
