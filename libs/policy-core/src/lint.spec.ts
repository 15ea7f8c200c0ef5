import * as fs from 'node:fs';
import * as path from 'node:path';
import { alwaysMatchesWhen, lintPolicy, parsePolicyText, PolicyValidationError, type PolicyRule } from './index';
import { doc, rule } from '../test/builders';

const fixture = (name: string) => parsePolicyText(fs.readFileSync(path.join(__dirname, '..', 'test', 'fixtures', name), 'utf8'), 'yaml');

describe('lint', () => {
  it('finds the shadowed rule of the fixture policy, and the overlaps, with rule numbers', () => {
    const report = lintPolicy(fixture('lint/shadowed.yaml'));
    expect(report.warnings.map((w) => [w.kind, w.rule.index, w.by.index])).toEqual([
      ['overlap', 1, 0],
      ['shadowed', 2, 1],
      ['overlap', 3, 0],
      ['overlap', 4, 0],
      ['overlap', 4, 3],
    ]);
    const shadowed = report.warnings.find((w) => w.kind === 'shadowed')!;
    expect(shadowed).toMatchObject({ rule: { index: 2, id: 'usdc-to-exchange' }, by: { index: 1, id: 'any-usdc' } });
    expect(shadowed.message).toBe('rule 2 (usdc-to-exchange) is unreachable: rule 1 (any-usdc) matches every request it matches');
  });

  it('refuses an invalid draft', () => {
    expect(() => lintPolicy({ ...doc([]), rules: [{ id: 'x' }] })).toThrow(PolicyValidationError);
  });

  it('the treasury fixture has no shadowed rule', () => {
    const report = lintPolicy(fixture('ok/treasury.yaml'));
    expect(report.warnings.filter((w) => w.kind === 'shadowed')).toEqual([]);
  });

  it('rules with the same action do not overlap-warn', () => {
    const r = lintPolicy(doc([rule('a', { match: { operation: ['withdrawal'], asset: ['ETH'] } }), rule('b', { match: { operation: ['withdrawal'], amount: { max: '5' } } })]));
    expect(r.warnings).toEqual([]);
  });
});

describe('shadowing is exact for each structured matcher', () => {
  const w = (match: Partial<PolicyRule['match']>, extra: Partial<PolicyRule> = {}): PolicyRule => rule('x', { match: { operation: ['withdrawal'], ...match }, ...extra });
  it.each([
    ['no matchers shadows everything of its operations', w({}), w({ asset: ['ETH'] }), true],
    ['operation subset', rule('x', { match: { operation: ['withdrawal', 'message-signing'] } }), w({}), true],
    ['operation not a subset', w({}), rule('x', { match: { operation: ['withdrawal', 'message-signing'] } }), false],
    ['initiator clients subset', w({ initiator: { clients: ['a', 'b'] } }), w({ initiator: { clients: ['a'] } }), true],
    ['initiator groups are not clients', w({ initiator: { clients: ['a'] } }), w({ initiator: { groups: ['a'] } }), false],
    ['initiator absent later is wider', w({ initiator: { clients: ['a'] } }), w({}), false],
    ['source tags subset', w({ source: { tags: ['hot', 'warm'] } }), w({ source: { tags: ['hot'] } }), true],
    ['source wallets not a subset', w({ source: { wallets: ['w1'] } }), w({ source: { wallets: ['w1', 'w2'] } }), false],
    ['destination any covers withdrawals (which always have one)', w({ destination: 'any' }), w({}), true],
    ['destination any does not cover a rule that matches message signing', w({ destination: 'any' }), rule('x', { match: { operation: ['withdrawal', 'message-signing'] } }), false],
    ['whitelisted covers entry lists', w({ destination: 'whitelisted' }), w({ destination: { entries: ['e1'] } }), true],
    ['whitelisted does not cover any', w({ destination: 'whitelisted' }), w({ destination: 'any' }), false],
    ['entry tags subset', w({ destination: { tags: ['a', 'b'] } }), w({ destination: { tags: ['b'] } }), true],
    ['entry list does not cover whitelisted', w({ destination: { entries: ['e1'] } }), w({ destination: 'whitelisted' }), false],
    ['asset subset', w({ asset: ['ETH', 'USDC'] }), w({ asset: ['USDC'] }), true],
    ['asset not subset', w({ asset: ['ETH'] }), w({ asset: ['USDC'] }), false],
    ['amount range inside', w({ amount: { min: '10', max: '100' } }), w({ amount: { min: '10', max: '100' } }), true],
    ['amount range sticks out above', w({ amount: { max: '100' } }), w({ amount: { min: '50', max: '101' } }), false],
    ['amount range sticks out below', w({ amount: { min: '10' } }), w({ amount: { min: '9', max: '20' } }), false],
    ['amount open above is not inside a bounded one', w({ amount: { max: '100' } }), w({ amount: { min: '5' } }), false],
    ['a condition on the earlier rule: may not match', w({}, { condition: 'request.chainId == 1' }), w({ asset: ['ETH'] }), false],
    ['the identical condition on both', w({}, { condition: 'request.chainId == 1' }), w({ asset: ['ETH'] }, { condition: 'request.chainId == 1' }), true],
    ['a condition on the later rule only narrows it', w({}), w({}, { condition: 'request.chainId == 1' }), true],
    ['velocity on the earlier rule: may not match', w({}, { velocity: [{ window: '1d', scope: 'wallet', limit: '1', asset: 'ETH' }] }), w({}), false],
  ] as [string, PolicyRule, PolicyRule, boolean][])('%s', (_name, earlier, later, expected) => {
    expect(alwaysMatchesWhen(earlier, later)).toBe(expected);
  });
});
