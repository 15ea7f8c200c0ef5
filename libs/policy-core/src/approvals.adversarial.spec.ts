import {
  checkAdminQuorum,
  compilePolicy,
  defaultDevelopmentBootstrap,
  evaluate,
  policyHash,
  PolicyValidationError,
  proposalSubject,
  signApproval,
  validateBootstrap,
  type Approver,
  type PolicyRule,
  type Proposal,
  type SubmittedApproval,
} from './index';
import { approval, context, doc, rule, testOnlyPublicKey, testOnlyPublicKeyHex, testOnlySecretKey, withdrawal } from '../test/builders';

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

describe('the admin quorum is counted once per key, and a bootstrap cannot register one key twice', () => {
  const DEV = ['dev-approver-1', 'dev-approver-2'];
  const BOOT = defaultDevelopmentBootstrap(DEV.map((id) => ({ id, publicKey: testOnlyPublicKeyHex(id) })));
  const ACTIVE = { version: 1, hash: policyHash(BOOT.policy) };
  const proposal: Proposal = { id: 'proposal-1', kind: 'policy', base: ACTIVE, contentHash: 'ab'.repeat(32) };
  const adminApproval = (id: string, signer = id): SubmittedApproval => ({
    approverId: id,
    decision: 'approve',
    policyVersion: ACTIVE.version,
    policyHash: ACTIVE.hash,
    signature: signApproval(proposalSubject(proposal, 'approve'), testOnlySecretKey(signer)),
    receivedAt: 10,
  });

  it('validateBootstrap refuses a key registered under two ids', () => {
    const twice = { ...BOOT, keys: { ...BOOT.keys, 'dev-approver-2': BOOT.keys['dev-approver-1'] } };
    let issues: readonly { path: string; message: string }[] = [];
    try {
      validateBootstrap(twice);
    } catch (e) {
      if (!(e instanceof PolicyValidationError)) throw e;
      issues = e.issues;
    }
    expect(issues).toEqual([{ path: '/keys/dev-approver-2', message: 'is the key of "dev-approver-1" too (one key, one person)' }]);
  });

  it('validateBootstrap refuses a small-order key and a non-canonical encoding', () => {
    const identity = '01' + '00'.repeat(31);
    // y = p + 1 encodes the identity non-canonically (y ≥ p).
    const nonCanonical = 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f';
    for (const bad of [identity, nonCanonical]) {
      expect(() => validateBootstrap({ ...BOOT, keys: { ...BOOT.keys, 'dev-approver-2': bad } })).toThrow(PolicyValidationError);
    }
    expect(validateBootstrap(BOOT).keys).toEqual(BOOT.keys); // control
  });

  it('checkAdminQuorum, given such a bootstrap anyway, counts the one key once', () => {
    const twice = { ...BOOT, keys: { ...BOOT.keys, 'dev-approver-2': BOOT.keys['dev-approver-1']! } };
    const r = checkAdminQuorum({ bootstrap: twice, proposal, active: ACTIVE, approvals: [adminApproval('dev-approver-1'), adminApproval('dev-approver-2', 'dev-approver-1')] });
    expect(r.reason).toBe('pending');
    expect(r.approvedBy).toEqual(['dev-approver-1']);
    expect(r.ignored).toEqual([{ approverId: 'dev-approver-2', reason: 'duplicate' }]);
    const both = checkAdminQuorum({ bootstrap: BOOT, proposal, active: ACTIVE, approvals: [adminApproval('dev-approver-1'), adminApproval('dev-approver-2')] });
    expect(both.reason).toBe('approved'); // control
  });
});
