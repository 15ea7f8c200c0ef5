import {
  compilePolicy,
  evaluate,
  type Approver,
  type PolicyRule,
  type SubmittedApproval,
} from './index';
import { approval, context, doc, rule, testOnlyPublicKey, withdrawal } from '../test/builders';

/** One person registered under two ids (the same public key) must not make a quorum of two. */

const TWO_OF_TREASURY: PolicyRule = rule('two-of-treasury', {
  action: { type: 'require-approvals', combinator: 'all-of', groups: [{ group: 'treasury', quorum: 2 }], expiry: '1h', allowSelfApproval: false },
});

describe('approvals are counted once per public key, not per registry id', () => {
  const compiled = compilePolicy(doc([TWO_OF_TREASURY], { treasury: { members: ['alice', 'alice-2', 'bob'] } }), 1);
  const request = withdrawal();
  // alice-2 is registered with alice's key.
  const approvers = new Map<string, Approver>([
    ['alice', { publicKey: testOnlyPublicKey('alice') }],
    ['alice-2', { publicKey: testOnlyPublicKey('alice') }],
    ['bob', { publicKey: testOnlyPublicKey('bob') }],
  ]);
  const run = (approvals: SubmittedApproval[]) => evaluate(compiled, request, context({ approvals, approvers }));

  it('alice twice under two ids is one approval: still pending', () => {
    const d = run([approval(compiled, request, 'alice'), approval(compiled, request, 'alice-2', { signer: 'alice' })]);
    expect(d.outcome).toBe('needs-approval');
    expect(d.approvals?.groups[0]?.approvedBy).toEqual(['alice']);
    expect(d.approvals?.ignored).toEqual([{ approverId: 'alice-2', reason: 'duplicate' }]);
  });

  it('alice and bob (two keys) complete it (control)', () => {
    expect(run([approval(compiled, request, 'alice-2', { signer: 'alice' }), approval(compiled, request, 'bob')]).outcome).toBe('allow');
  });
});
