import { bytesToHex } from '@noble/hashes/utils.js';
import { policyRequestDigest } from '@custody/policy-core';
import { requestDigest, signRequestToJson, type SignRequest } from '@custody/sign-grant';
import { InvalidArgument } from '../errors';
import { decodeRequestInput, inputHash, normalizeAddress, requestFromJson, requestToJson, SIGN_REQUEST_ATTRIBUTE, type PolicyRequestInputMessage } from './request-input';

const base: PolicyRequestInputMessage = {
  requestId: 'req-1',
  operation: 'withdrawal',
  initiatorId: 'client-1',
  initiatorGroups: ['ops'],
  sourceWalletId: 'w-1',
  sourceTags: ['hot'],
  destinationAddress: '0x' + 'AB'.repeat(20),
  destinationChainId: 1,
  assetId: 'ETH',
  assetDecimals: 18,
  amount: '1000',
};

function refused(m: PolicyRequestInputMessage, field: string, reason?: RegExp): void {
  let error: unknown;
  try {
    decodeRequestInput(m);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InvalidArgument);
  expect((error as InvalidArgument).field).toBe(field);
  if (reason) expect((error as Error).message).toMatch(reason);
  expect((error as Error).message.length).toBeLessThan(300);
}

function evm(over: Record<string, unknown> = {}): string {
  const r = {
    requestId: 'req-1',
    keyId: 'key-1',
    scheme: 'ecdsa',
    derivationPath: [],
    payload: { kind: 'evm-transaction', chainId: 1, nonce: 0, maxFeePerGas: 10n, maxPriorityFeePerGas: 1n, gas: 21000n, to: '0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB', value: 1000n, data: new Uint8Array(0), erc20: null, ...over },
  } as unknown as SignRequest;
  return JSON.stringify(signRequestToJson(r));
}

describe('decodeRequestInput (the API boundary)', () => {
  it('builds the core request: addresses normalized, amount a bigint', () => {
    const { request, signRequest } = decodeRequestInput(base);
    expect(request).toEqual({
      id: 'req-1',
      operation: 'withdrawal',
      initiator: { id: 'client-1', groups: ['ops'] },
      source: { walletId: 'w-1', tags: ['hot'] },
      destination: { address: '0x' + 'ab'.repeat(20), chainId: 1 },
      asset: { id: 'ETH', decimals: 18 },
      amount: 1000n,
    });
    expect(signRequest).toBeNull();
  });

  it.each<[string, PolicyRequestInputMessage, string]>([
    ['no request id', { ...base, requestId: '' }, 'request.request_id'],
    ['a request id with a space', { ...base, requestId: 'a b' }, 'request.request_id'],
    ['a 129-character request id', { ...base, requestId: 'x'.repeat(129) }, 'request.request_id'],
    ['an unknown operation', { ...base, operation: 'steal' }, 'request.operation'],
    ['a bad initiator', { ...base, initiatorId: '-x' }, 'request.initiator_id'],
    ['a repeated group', { ...base, initiatorGroups: ['a', 'a'] }, 'request.initiator_groups[1]'],
    ['source tags without a wallet', { ...base, sourceWalletId: '', sourceTags: ['t'] }, 'request.source_tags'],
    ['a short EVM address', { ...base, destinationAddress: '0x1234' }, 'request.destination_address'],
    ['an address with a slash', { ...base, destinationAddress: 'a/b' }, 'request.destination_address'],
    ['chain id 0', { ...base, destinationChainId: 0 }, 'request.destination_chain_id'],
    ['a negative amount', { ...base, amount: '-1' }, 'request.amount'],
    ['a decimal amount', { ...base, amount: '1.5' }, 'request.amount'],
    ['a leading zero', { ...base, amount: '01' }, 'request.amount'],
    ['79 digits', { ...base, amount: '1'.repeat(79) }, 'request.amount'],
    ['an amount without an asset', { ...base, assetId: '' }, 'request.asset_id'],
    ['78 decimals', { ...base, assetDecimals: 78 }, 'request.asset_decimals'],
    ['a withdrawal without a destination', { ...base, destinationAddress: '', destinationChainId: 0 }, 'request.destination_address'],
    ['a withdrawal without an amount', { ...base, amount: '' }, 'request.amount'],
    ['a withdrawal without a source', { ...base, sourceWalletId: '', sourceTags: [] }, 'request.source_wallet_id'],
    ['the reserved attribute', { ...base, attributes: { [SIGN_REQUEST_ATTRIBUTE]: '00' } }, `request.attributes.${SIGN_REQUEST_ATTRIBUTE}`],
    ['a long attribute', { ...base, attributes: { note: 'x'.repeat(1025) } }, 'request.attributes.note'],
    ['65 attributes', { ...base, attributes: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) }, 'request.attributes'],
    ['sign request JSON that is not JSON', { ...base, signRequestJson: '{' }, 'request.sign_request_json'],
    ['a sign request for another id', { ...base, signRequestJson: evm().replace('"req-1"', '"req-2"') }, 'request.sign_request_json'],
    ['a sign request on an address-book change', { requestId: 'req-1', operation: 'address-book-change', initiatorId: 'c', signRequestJson: evm() }, 'request.sign_request_json'],
  ])('refuses %s, naming the field', (_name, m, field) => refused(m, field));

  it("binds the sign request into the policy request: its digest is an attribute, hence in the approvers' digest", () => {
    const a = decodeRequestInput({ ...base, signRequestJson: evm() });
    const b = decodeRequestInput({ ...base, signRequestJson: evm({ nonce: 1 }) });
    expect(a.request.attributes?.[SIGN_REQUEST_ATTRIBUTE]).toBe(bytesToHex(requestDigest(a.signRequest!)));
    const digest = (r: typeof a) => bytesToHex(policyRequestDigest({ ...r.request, createdAt: 5 }));
    expect(digest(a)).not.toBe(digest(b));
  });

  it("refuses a withdrawal whose EVM transaction is not the request's: recipient, amount, chain, kind", () => {
    refused({ ...base, signRequestJson: evm({ value: 999n }) }, 'request.sign_request_json', /moves 999/);
    refused({ ...base, signRequestJson: evm({ to: '0x' + '11'.repeat(20) }) }, 'request.sign_request_json', /not destination_address/);
    refused({ ...base, signRequestJson: evm({ chainId: 10 }) }, 'request.sign_request_json', /not destination_chain_id/);
    refused({ ...base, chainId: 5, signRequestJson: evm() }, 'request.sign_request_json', /not chain_id/);
    const message = JSON.stringify(signRequestToJson({ requestId: 'req-1', keyId: 'k', scheme: 'eddsa', derivationPath: [], payload: { kind: 'message', message: new Uint8Array(1), hash: 'none' } }));
    refused({ ...base, signRequestJson: message }, 'request.sign_request_json', /evm-transaction/);
    // An ERC-20 transfer: the recipient and amount are the call's.
    expect(() => decodeRequestInput({ ...base, signRequestJson: evm({ to: '0x' + '22'.repeat(20), value: 0n, erc20: { recipient: '0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB', amount: 1000n }, data: erc20Data('ab'.repeat(20), 1000n) }) })).not.toThrow();
  });

  it('stores and restores a request exactly; the input hash ignores createdAt but not content', () => {
    const { request } = decodeRequestInput(base);
    const full = { ...request, createdAt: 123 };
    const stored = JSON.parse(JSON.stringify(requestToJson(full))) as Record<string, unknown>;
    expect(requestFromJson({ ...stored, addressBookChange: { x: 1 } })).toEqual(full);
    const h = inputHash(decodeRequestInput(base));
    expect(inputHash(decodeRequestInput(base))).toBe(h);
    expect(inputHash(decodeRequestInput({ ...base, amount: '1001' }))).not.toBe(h);
  });

  it('normalizes EVM addresses to lower case and keeps other chains as given', () => {
    expect(normalizeAddress('0x' + 'AB'.repeat(20), 'f')).toBe('0x' + 'ab'.repeat(20));
    expect(normalizeAddress('So1anaBase58Addr', 'f')).toBe('So1anaBase58Addr');
    expect(() => normalizeAddress('0xZZ', 'f')).toThrow(InvalidArgument);
  });
});

function erc20Data(recipientHex: string, amount: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from('a9059cbb' + recipientHex.padStart(64, '0') + amount.toString(16).padStart(64, '0'), 'hex'));
}
