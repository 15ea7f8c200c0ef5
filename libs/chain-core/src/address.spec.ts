import { parseAddress, assertChecksummedAddress, addressToBytes, addressFromBytes, ChainInputError } from '../src';
import { EIP55_ADDRESSES } from '../test/vectors';

describe('EIP-55 addresses (vectors of EIP-55, test/vectors.ts)', () => {
  it.each(EIP55_ADDRESSES.map((a) => [a]))('%s is its own checksum form, and its lower-case form parses to it', (a) => {
    expect(parseAddress(a)).toBe(a);
    expect(parseAddress(a.toLowerCase())).toBe(a);
    expect(() => assertChecksummedAddress(a)).not.toThrow();
    expect(addressFromBytes(addressToBytes(a))).toBe(a);
  });

  it('refuses a mixed-case address with a wrong checksum (never fixed silently)', () => {
    const a = EIP55_ADDRESSES[4];
    const flipped = a.slice(0, 3) + (a[3] === a[3]!.toUpperCase() ? a[3]!.toLowerCase() : a[3]!.toUpperCase()) + a.slice(4);
    expect(() => parseAddress(flipped, 'to')).toThrow(/invalid to: has a wrong EIP-55 checksum/);
  });

  it('in canonical data only the checksum form passes', () => {
    expect(() => assertChecksummedAddress(EIP55_ADDRESSES[4].toLowerCase(), 'grant.to')).toThrow(/invalid grant.to: must be an address in its EIP-55/);
  });

  const bad: Array<[string, unknown]> = [
    ['no 0x', '5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'],
    ['39 digits', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe'],
    ['41 digits', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed0'],
    ['a non-hex digit', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg'],
    ['0X prefix', '0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'],
    ['a number', 42],
    ['null', null],
    ['an ENS name', 'vitalik.eth'],
  ];
  it.each(bad)('refuses %s, naming the argument', (_n, value) => {
    expect(() => parseAddress(value, 'recipient')).toThrow(ChainInputError);
    expect(() => parseAddress(value, 'recipient')).toThrow(/^invalid recipient: /);
  });

  it('never repeats a long input in full', () => {
    const long = '0x' + 'a'.repeat(5000);
    try {
      parseAddress(long);
      throw new Error('parsed');
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(200);
    }
  });
});
