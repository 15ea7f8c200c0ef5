import { compilePolicy, evaluate, PolicyInputError, prepareAddressBook, velocityScopesFor } from './index';
import { ADDRESS_BOOK, context, doc, rule, withdrawal } from '../test/builders';

/**
 * A hex address has one meaning whatever its case. Matching is exact, so the core refuses any
 * spelling but the normalized lower-case one: a deny rule on an address-book entry must not be
 * bypassed by the upper-case or EIP-55 checksum spelling of the same address.
 */

const EXCHANGE = ADDRESS_BOOK[1]!.address; // 0x…e1, tagged exchange
const policy = compilePolicy(
  doc([
    rule('block-exchanges', { match: { operation: ['withdrawal'], destination: { tags: ['exchange'] } }, action: { type: 'deny', reason: 'no exchanges' } }),
    rule('anything-else', { match: { operation: ['withdrawal'], destination: 'any' } }),
  ]),
  1,
);
const spellings = [EXCHANGE.replace(/e1$/, 'E1'), EXCHANGE.replace(/^0x/, '0X'), EXCHANGE.toUpperCase()];

const argumentOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof PolicyInputError) return e.argument;
    throw e;
  }
  return 'accepted';
};

describe('hex addresses in another case are refused, never matched as another address', () => {
  it('the lower-case address is denied by the rule on its entry (control)', () => {
    expect(evaluate(policy, withdrawal({ destination: { address: EXCHANGE, chainId: 1 } }), context()).reason).toBe('rule-deny');
  });

  it.each(spellings)('a request to %s is refused, not allowed by the next rule', (address) => {
    expect(argumentOf(() => evaluate(policy, withdrawal({ destination: { address, chainId: 1 } }), context()))).toBe('request.destination.address');
    expect(argumentOf(() => velocityScopesFor(policy, withdrawal({ destination: { address, chainId: 1 } }), ADDRESS_BOOK))).toBe('request.destination.address');
  });

  it('an address-book entry in upper case is refused too', () => {
    expect(argumentOf(() => prepareAddressBook([{ ...ADDRESS_BOOK[1]!, address: spellings[0]! }]))).toBe('addressBook[0].address');
  });

  it('addresses of other chains keep their case (base58 is case-sensitive)', () => {
    const base58 = '9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM';
    expect(evaluate(policy, withdrawal({ destination: { address: base58, chainId: 101 }, chainId: 101 }), context()).reason).toBe('rule-allow');
  });
});
