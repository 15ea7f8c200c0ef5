import { compilePolicy, evaluate, policyRequestDigest, PolicyInputError, type PolicyRequest } from './index';
import { context, doc, rule, withdrawal } from '../test/builders';

/** Fields the core does not read are refused by name, never ignored (nor left out of the request digest). */

const policy = compilePolicy(doc([rule('any-withdrawal')]), 1);
const argumentOf = (request: unknown): string => {
  try {
    evaluate(policy, request as PolicyRequest, context());
  } catch (e) {
    if (e instanceof PolicyInputError) return e.argument;
    throw e;
  }
  return 'accepted';
};

describe('unknown request fields', () => {
  const w = withdrawal();
  it.each([
    ['a misspelt top-level field', { ...w, destinaton: w.destination }, 'request.destinaton'],
    ['a field of the initiator', { ...w, initiator: { ...w.initiator, role: 'admin' } }, 'request.initiator.role'],
    ['a field of the source', { ...w, source: { ...w.source!, wallet: 'other' } }, 'request.source.wallet'],
    ['a field of the destination', { ...w, destination: { ...w.destination!, memo: '1' } }, 'request.destination.memo'],
    ['a field of the asset', { ...w, asset: { ...w.asset!, symbol: 'ETH' } }, 'request.asset.symbol'],
  ])('%s', (_name, request, argument) => {
    expect(argumentOf(request)).toBe(argument);
  });

  it('__proto__ as an own key (as JSON.parse makes it)', () => {
    const request = JSON.parse(JSON.stringify({ ...w, amount: undefined }).replace('{', '{"__proto__":{"role":"admin"},')) as Record<string, unknown>;
    request.amount = w.amount;
    expect(Object.keys(request)).toContain('__proto__');
    expect(argumentOf(request)).toBe('request.__proto__');
  });

  it('a long unknown key is named by its first 40 characters only', () => {
    expect(argumentOf({ ...w, ['k'.repeat(10_000)]: 1 })).toBe(`request.${'k'.repeat(40)}`);
  });

  it('the known fields pass, and the digest of a request is unchanged (control)', () => {
    expect(argumentOf(w)).toBe('accepted');
    expect(() => policyRequestDigest(w)).not.toThrow();
  });
});
