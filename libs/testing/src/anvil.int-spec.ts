import { anvilBinary, startAnvil, type Anvil } from './anvil';

describe('anvil (real, from the npm platform package)', () => {
  let anvil: Anvil | undefined;
  afterAll(async () => {
    await anvil?.stop();
  });

  it('resolves the binary of this platform', () => {
    expect(anvilBinary()).toMatch(/@foundry-rs\/anvil-[a-z0-9]+-[a-z0-9]+\/bin\/anvil/);
  });

  it('starts on a free loopback port with the chain id asked, mines on request, and stops', async () => {
    anvil = await startAnvil({ chainId: 31338 });
    expect(anvil.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(BigInt(await anvil.rpc<string>('eth_chainId'))).toBe(31338n);
    const before = BigInt(await anvil.rpc<string>('eth_blockNumber'));
    await anvil.rpc('anvil_mine', ['0x3']);
    expect(BigInt(await anvil.rpc<string>('eth_blockNumber'))).toBe(before + 3n);
    await expect(anvil.rpc('no_such_method')).rejects.toThrow(/anvil no_such_method: /);
    await anvil.stop();
    await expect(fetch(anvil.url, { method: 'POST', body: '{}' })).rejects.toThrow();
  });
});
