import { compilePolicy, decisionJson, evaluate, velocityScopesFor, type Decision } from './index';
import { approval, approversFor, context, doc, rule, show, withdrawal } from '../test/builders';

/** decisionJson must be byte-identical to the generic bigint-replacer serialization, for every kind of decision. */
describe('decisionJson', () => {
  const hook = { url: 'https://hook.example/decide', publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', timeoutMs: 2000, fallback: 'deny' as const };
  const policy = compilePolicy(
    doc(
      [
        rule('deny-dai', { match: { operation: ['withdrawal'], asset: ['DAI'] }, action: { type: 'deny', reason: 'no DAI' } }),
        rule('hooked', { match: { operation: ['withdrawal'], asset: ['USDC'] }, hook }),
        rule('cel-error', { match: { operation: ['withdrawal'], asset: ['WBTC'] }, condition: 'request.attributes["missing"] == "x"' }),
        rule('limited', {
          match: { operation: ['withdrawal'], source: { wallets: ['wallet-hot'] } },
          condition: 'request.amount <= 2 * asset.unit',
          velocity: [
            { window: '24h', scope: 'wallet', limit: '3000000000000000000', asset: 'ETH' },
            { window: '1h', scope: 'destination', limit: '5000000000000000000', asset: 'ETH' },
          ],
        }),
        rule('two-of-ops', { match: { operation: ['withdrawal'] }, action: { type: 'require-approvals', combinator: 'all-of', groups: [{ group: 'ops', quorum: 2 }], expiry: '1h', allowSelfApproval: false } }),
      ],
      { ops: { members: ['a1', 'a2', 'a3'] } },
    ),
    1,
  );
  const usage = (r: ReturnType<typeof withdrawal>, used: bigint) => new Map(velocityScopesFor(policy, r, context().addressBook).map((s) => [s.key, used]));

  const decisions: Array<[string, () => Decision]> = [
    ['allow within the windows', () => evaluate(policy, withdrawal(), context({ velocityUsage: usage(withdrawal(), 10n ** 18n) }))],
    ['over a window, falls to approvals', () => evaluate(policy, withdrawal(), context({ velocityUsage: usage(withdrawal(), 29n * 10n ** 17n), approvers: approversFor(['a1', 'a2', 'a3']) }))],
    [
      'approvals counted, one ignored',
      () => {
        const r = withdrawal({ source: { walletId: 'wallet-cold', tags: [] } });
        return evaluate(policy, r, context({ velocityUsage: usage(r, 0n), approvers: approversFor(['a1', 'a2', 'a3']), approvals: [approval(policy, r, 'a1'), approval(policy, r, 'a1'), approval(policy, r, 'zz')] }));
      },
    ],
    ['deny rule', () => evaluate(policy, withdrawal({ asset: { id: 'DAI', decimals: 18 } }), context())],
    ['needs a hook', () => evaluate(policy, withdrawal({ asset: { id: 'USDC', decimals: 6 } }), context())],
    ['condition error', () => evaluate(policy, withdrawal({ asset: { id: 'WBTC', decimals: 8 } }), context())],
    ['default deny', () => evaluate(compilePolicy(doc([rule('other', { match: { operation: ['message-signing'] } })]), 2), withdrawal(), context())],
  ];

  it.each(decisions)('%s: identical to JSON.stringify with a bigint replacer', (_name, make) => {
    const d = make();
    expect(decisionJson(d)).toBe(show(d));
  });

  it('covers decisions that carry bigints in reservations and velocity windows (non-vacuous)', () => {
    const d = decisions[0]![1]();
    expect(d.reservations.length).toBe(2);
    expect(d.trace.rules.some((t) => t.velocity.length === 2)).toBe(true);
    expect((JSON.parse(decisionJson(d)) as { reservations: Array<{ amount: string }> }).reservations[0]!.amount).toBe('1000000000000000000');
  });
});
