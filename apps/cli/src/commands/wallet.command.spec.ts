import { balanceRows, messageRows, renderTable, walletRows } from './wallet.command';

describe('custody wallet / address / balance / sign-message tables', () => {
  it('aligns columns under their headers', () => {
    expect(renderTable(['A', 'LONGER'], [['xyz', '1'], ['', '22']])).toBe('A    LONGER\nxyz  1\n     22\n');
  });

  it('shows a wallet as name, scheme, custody, t-of-n and a shortened key', () => {
    const [row] = walletRows([
      { name: 'wallets/w-1', displayName: 'ops', scheme: 'ecdsa-secp256k1', publicKey: '02' + 'ab'.repeat(32), createTime: 't', keyId: 'k', chainCode: '', threshold: 2, participants: [1, 2, 3], createdBy: 'c', custody: 'hot' },
    ]);
    expect(row).toEqual(['wallets/w-1', 'ops', 'ecdsa-secp256k1', 'hot', '2-of-3', '02abababab…abababab', 't']);
  });

  it('shows balances in smallest units and a message’s signature, or its reason when there is none', () => {
    expect(balanceRows([{ asset: 'ETH', chain: 'anvil', available: '1', held: '2', total: '3', posted: '3', pending: '4' }])).toEqual([['anvil', 'ETH', '1', '2', '3', '4']]);
    const base = { name: 'messages/m-1', wallet: 'wallets/w-1', message: '00', hash: 'none', recoveryId: 0, publicKey: '', createTime: '', scheme: 'eddsa-ed25519' };
    expect(messageRows([{ ...base, state: 'rejected', signature: '', reason: 'denied: no' }])[0]![4]).toBe('denied: no');
    expect(messageRows([{ ...base, state: 'signed', signature: 'cd'.repeat(64), reason: '' }])[0]![4]).toBe('cdcdcdcdcd…cdcdcdcd');
  });
});
