import { ApiError } from '../errors/api-error';
import { checkPageSize, decodePageToken, encodePageToken, pageOf, parseName } from './resource-paging';
import { ledgerDepositId, publicDepositId } from '../balances/balances.service';
import { messageSigningBackoffMs, messageSigningJobId } from '@custody/messaging';

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (error) {
    if (error instanceof ApiError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('accepted');
};

describe('resource names and paging of the public API', () => {
  it('parses names against their pattern and names the field otherwise', () => {
    expect(parseName('wallets/w-1/addresses/a-2', ['wallets', 'addresses'], 'name')).toEqual(['w-1', 'a-2']);
    expect(parseName('messages/m-1', ['messages'], 'name')).toEqual(['m-1']);
    for (const bad of ['', 'wallets/', 'wallets/w-1/x', 'clients/w-1', 'wallets/w 1', 'wallets/w-1/addresses/', `wallets/${'x'.repeat(129)}`]) {
      expect(refusal(() => parseName(bad, ['wallets'], 'parent'))).toMatch(/^invalid-argument: parent /);
    }
    expect(refusal(() => parseName(7, ['wallets'], 'parent'))).toBe('invalid-argument: parent must be wallets/{wallet_id}');
  });

  it('round-trips page tokens and refuses any other token', () => {
    expect(decodePageToken(encodePageToken(42))).toBe('42');
    expect(decodePageToken('')).toBeUndefined();
    for (const bad of ['x', Buffer.from('p.0').toString('base64url'), Buffer.from('p.-1').toString('base64url'), Buffer.from('42').toString('base64url'), '!!!']) {
      expect(refusal(() => decodePageToken(bad))).toMatch(/^invalid-argument: page_token /);
    }
  });

  it('page sizes: 0 is the default, 1..100, nothing else', () => {
    expect(checkPageSize(0)).toBe(50);
    expect(checkPageSize(100)).toBe(100);
    for (const bad of [-1, 101, 1.5, Number.NaN]) expect(refusal(() => checkPageSize(bad))).toMatch(/^invalid-argument: page_size /);
  });

  it('a page of size+1 rows has a next token at its last row; a short one has none', () => {
    const rows = [1, 2, 3].map((position) => ({ position: String(position) }));
    expect(pageOf(rows, 2)).toEqual({ page: rows.slice(0, 2), nextPageToken: encodePageToken('2') });
    expect(pageOf(rows, 3)).toEqual({ page: rows, nextPageToken: '' });
  });

  it('deposit ids: the ledger id and the public one map both ways; chain names with colons survive', () => {
    const ledgerId = `deposit/anvil/0x${'ab'.repeat(32)}/7`;
    expect(publicDepositId(ledgerId)).toBe(`anvil:0x${'ab'.repeat(32)}:7`);
    expect(ledgerDepositId(publicDepositId(ledgerId), 'depositId')).toBe(ledgerId);
    expect(ledgerDepositId('eth:main:0xab:1', 'depositId')).toBe('deposit/eth:main/0xab/1');
    for (const bad of ['anvil', 'anvil:0xab', 'anvil:0x-ab:1', ':0xab:1']) expect(refusal(() => ledgerDepositId(bad, 'depositId'))).toMatch(/^invalid-argument: depositId /);
  });

  it('the message signing job: one deterministic id per message; backoff 1 s doubling to 30 s', () => {
    expect(messageSigningJobId('m-1')).toBe(messageSigningJobId('m-1'));
    expect([1, 2, 3, 4, 5, 6, 7, 100].map(messageSigningBackoffMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});
