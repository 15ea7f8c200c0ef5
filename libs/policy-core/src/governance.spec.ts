import {
  bootstrapHash,
  checkAdminQuorum,
  compilePolicy,
  defaultDevelopmentBootstrap,
  defaultDevelopmentPolicy,
  evaluate,
  lintPolicy,
  policyHash,
  PolicyValidationError,
  proposalSubject,
  signApproval,
  validateBootstrap,
  velocityScopesFor,
  type Proposal,
  type SubmittedApproval,
} from './index';
import { ADDRESS_BOOK, approval, approversFor, testOnlyPublicKeyHex, testOnlySecretKey, withdrawal } from '../test/builders';

const DEV = ['dev-approver-1', 'dev-approver-2'];
const BOOT = defaultDevelopmentBootstrap(DEV.map((id) => ({ id, publicKey: testOnlyPublicKeyHex(id) })));
const ACTIVE = { version: 1, hash: policyHash(BOOT.policy) };

function adminApproval(p: Proposal, id: string, opts: { decision?: 'approve' | 'reject'; signer?: string; receivedAt?: number; base?: { version: number; hash: string } } = {}): SubmittedApproval {
  const decision = opts.decision ?? 'approve';
  const base = opts.base ?? p.base;
  return {
    approverId: id,
    decision,
    policyVersion: base.version,
    policyHash: base.hash,
    signature: signApproval(proposalSubject({ ...p, base }, decision), testOnlySecretKey(opts.signer ?? id)),
    receivedAt: opts.receivedAt ?? 10,
  };
}

describe('admin quorum over a proposal', () => {
  const proposal: Proposal = { id: 'proposal-1', kind: 'policy', base: ACTIVE, contentHash: 'ab'.repeat(32) };
  const check = (approvals: SubmittedApproval[], extra: Partial<Parameters<typeof checkAdminQuorum>[0]> = {}) =>
    checkAdminQuorum({ bootstrap: BOOT, proposal, active: ACTIVE, approvals, ...extra });

  it.each([
    ['no approvals', () => [], 'pending', false],
    ['one of two', () => [adminApproval(proposal, 'dev-approver-1')], 'pending', false],
    ['both admins', () => [adminApproval(proposal, 'dev-approver-1'), adminApproval(proposal, 'dev-approver-2')], 'approved', true],
    ['the same admin twice', () => [adminApproval(proposal, 'dev-approver-1'), adminApproval(proposal, 'dev-approver-1')], 'pending', false],
    ['a forged second signature', () => [adminApproval(proposal, 'dev-approver-1'), adminApproval(proposal, 'dev-approver-2', { signer: 'dev-approver-1' })], 'pending', false],
    ['a non-admin', () => [adminApproval(proposal, 'dev-approver-1'), adminApproval(proposal, 'mallory')], 'pending', false],
    ['an approval for another base version', () => [adminApproval(proposal, 'dev-approver-1'), adminApproval(proposal, 'dev-approver-2', { base: { version: 2, hash: ACTIVE.hash } })], 'pending', false],
    ['a rejection', () => [adminApproval(proposal, 'dev-approver-1'), adminApproval(proposal, 'dev-approver-2'), adminApproval(proposal, 'dev-approver-2', { decision: 'reject' })], 'rejected', false],
  ] as [string, () => SubmittedApproval[], string, boolean][])('%s', (_name, approvals, reason, approved) => {
    const r = check(approvals());
    expect({ reason: r.reason, approved: r.approved }).toEqual({ reason, approved });
  });

  it('approvals for another proposal (other content) do not count', () => {
    const other: Proposal = { ...proposal, contentHash: 'cd'.repeat(32) };
    expect(check([adminApproval(other, 'dev-approver-1'), adminApproval(other, 'dev-approver-2')]).approved).toBe(false);
  });

  it('a proposal against a base that is no longer active never takes effect', () => {
    const r = check([adminApproval(proposal, 'dev-approver-1'), adminApproval(proposal, 'dev-approver-2')], { active: { version: 2, hash: 'ef'.repeat(32) } });
    expect(r).toMatchObject({ approved: false, reason: 'stale-base' });
  });

  it('approvals after the deadline do not count', () => {
    const r = check([adminApproval(proposal, 'dev-approver-1'), adminApproval(proposal, 'dev-approver-2', { receivedAt: 101 })], { notAfter: 100 });
    expect(r.approved).toBe(false);
    expect(r.ignored).toEqual([{ approverId: 'dev-approver-2', reason: 'expired' }]);
  });

  it('the bootstrap itself changes only with the current admins\' quorum', () => {
    // A new bootstrap that adds an admin and lowers the quorum to 1.
    const next = validateBootstrap({ ...BOOT, admins: { members: [...DEV, 'dev-approver-3'], quorum: 1 }, keys: { ...BOOT.keys, 'dev-approver-3': testOnlyPublicKeyHex('dev-approver-3') } });
    const change: Proposal = { id: 'bootstrap-2', kind: 'bootstrap', base: ACTIVE, contentHash: bootstrapHash(next) };
    // The new admin cannot approve it, and one current admin is not enough under the CURRENT quorum of 2.
    expect(checkAdminQuorum({ bootstrap: BOOT, proposal: change, active: ACTIVE, approvals: [adminApproval(change, 'dev-approver-3')] }).reason).toBe('pending');
    expect(checkAdminQuorum({ bootstrap: BOOT, proposal: change, active: ACTIVE, approvals: [adminApproval(change, 'dev-approver-1')] }).reason).toBe('pending');
    expect(checkAdminQuorum({ bootstrap: BOOT, proposal: change, active: ACTIVE, approvals: [adminApproval(change, 'dev-approver-1'), adminApproval(change, 'dev-approver-2')] }).approved).toBe(true);
  });
});

describe('bootstrap document', () => {
  it('refuses an admin without a key, a quorum above the admins, approvers without keys, bad keys', () => {
    const bad = {
      format: 'custody.bootstrap/v1',
      admins: { members: ['dev-approver-1', 'ghost'], quorum: 3 },
      keys: { 'dev-approver-1': testOnlyPublicKeyHex('dev-approver-1'), broken: 'zz' },
      policy: BOOT.policy,
    };
    try {
      validateBootstrap(bad);
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(PolicyValidationError);
      expect((err as PolicyValidationError).issues.map((i) => i.path)).toEqual(['/keys/broken', '/admins/members/1', '/admins/quorum', '/policy/approverGroups/dev-approvers/members/1']);
    }
  });

  it('an invalid policy inside is reported under /policy', () => {
    try {
      validateBootstrap({ ...BOOT, policy: { ...BOOT.policy, rules: [{ id: 'x' }] } });
      throw new Error('accepted');
    } catch (err) {
      expect((err as PolicyValidationError).issues[0]!.path).toMatch(/^\/policy\/rules\/0/);
    }
  });
});

describe('the development defaults', () => {
  const P = compilePolicy(defaultDevelopmentPolicy(), 1);
  const approvers = approversFor(DEV);
  const ctx = (request: ReturnType<typeof withdrawal>, approvals: SubmittedApproval[] = []) => ({
    now: request.createdAt + 100,
    addressBook: ADDRESS_BOOK,
    velocityUsage: new Map(velocityScopesFor(P, request, ADDRESS_BOOK).map((s) => [s.key, 0n])),
    approvals,
    approvers,
  });

  it('is valid, lint-clean of shadowing, admins are the two dev approvers with quorum 2', () => {
    expect(lintPolicy(defaultDevelopmentPolicy()).warnings.filter((w) => w.kind === 'shadowed')).toEqual([]);
    expect(BOOT.admins).toEqual({ members: DEV, quorum: 2 });
    expect(defaultDevelopmentPolicy().approverGroups['dev-approvers']!.members).toEqual(DEV);
  });

  it('a small withdrawal to a whitelisted address needs one approval', () => {
    const small = withdrawal({ amount: 10n ** 18n });
    expect(evaluate(P, small, ctx(small))).toMatchObject({ outcome: 'needs-approval', matchedRule: { id: 'small-whitelisted-withdrawal' } });
    expect(evaluate(P, small, ctx(small, [approval(P, small, 'dev-approver-1')])).outcome).toBe('allow');
  });

  it('a larger one, or one to an unknown address, or a message, needs two', () => {
    for (const request of [
      withdrawal({ amount: 10n ** 18n + 1n }),
      withdrawal({ destination: { address: '0x0000000000000000000000000000000000000999', chainId: 1 } }),
      { id: 'm-1', operation: 'message-signing' as const, createdAt: 5, initiator: { id: 'client-a', groups: [] } },
    ]) {
      expect(evaluate(P, request, ctx(request, [approval(P, request, 'dev-approver-1')]))).toMatchObject({ outcome: 'needs-approval', matchedRule: { id: 'everything-else' } });
      expect(evaluate(P, request, ctx(request, [approval(P, request, 'dev-approver-1'), approval(P, request, 'dev-approver-2')])).outcome).toBe('allow');
    }
  });

  it('other approver ids, and a refusal of fewer than two', () => {
    expect(defaultDevelopmentPolicy(['a', 'b', 'c']).approverGroups['dev-approvers']!.members).toEqual(['a', 'b', 'c']);
    expect(() => defaultDevelopmentPolicy(['a'])).toThrow(/approverIds/);
    expect(() => defaultDevelopmentPolicy(['a', 'a'])).toThrow(/approverIds/);
  });
});
