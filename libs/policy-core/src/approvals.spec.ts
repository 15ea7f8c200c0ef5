import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { approvalMessage, compilePolicy, evaluate, policyRequestDigest, signApproval, verifyApproval, type RequireApprovalsAction, type SubmittedApproval } from './index';
import { approval, approversFor, context, doc, rule, testOnlyPublicKey, testOnlySecretKey, withdrawal } from '../test/builders';

const GROUPS = {
  treasury: { members: ['t-1', 't-2', 't-3'] },
  compliance: { members: ['c-1', 'c-2'] },
  both: { members: ['t-1', 'c-1'] },
};
const APPROVERS = approversFor(['t-1', 't-2', 't-3', 'c-1', 'c-2', 'outsider'], { 't-3': { clientIds: ['client-a'] } });

function policy(action: Omit<RequireApprovalsAction, 'type'>) {
  return compilePolicy(doc([rule('needs-approvals', { action: { type: 'require-approvals', ...action } })], GROUPS), 4);
}

const TWO_TREASURY_AND_ONE_COMPLIANCE = policy({ combinator: 'all-of', groups: [{ group: 'treasury', quorum: 2 }, { group: 'compliance', quorum: 1 }], expiry: '1h', allowSelfApproval: false });
const EITHER = policy({ combinator: 'any-of', groups: [{ group: 'treasury', quorum: 2 }, { group: 'compliance', quorum: 1 }], expiry: '1h', allowSelfApproval: false });

const REQ = withdrawal();
const CREATED = REQ.createdAt;
const run = (p: ReturnType<typeof policy>, approvals: SubmittedApproval[], now = CREATED + 100) => evaluate(p, REQ, context({ now, approvals, approvers: APPROVERS }));

describe('quorum counting', () => {
  const P = TWO_TREASURY_AND_ONE_COMPLIANCE;
  const cases: { name: string; approvals: () => SubmittedApproval[]; outcome: string; reason: string; ignored?: [string, string][] }[] = [
    { name: 'no approvals yet', approvals: () => [], outcome: 'needs-approval', reason: 'approvals-pending' },
    { name: '2 treasury + 1 compliance', approvals: () => [approval(P, REQ, 't-1'), approval(P, REQ, 't-2'), approval(P, REQ, 'c-1')], outcome: 'allow', reason: 'approvals-complete' },
    { name: 'only treasury (all-of needs compliance too)', approvals: () => [approval(P, REQ, 't-1'), approval(P, REQ, 't-2')], outcome: 'needs-approval', reason: 'approvals-pending' },
    {
      name: 'duplicate approver counts once',
      approvals: () => [approval(P, REQ, 't-1'), approval(P, REQ, 't-1', { receivedAt: CREATED + 20 }), approval(P, REQ, 'c-1')],
      outcome: 'needs-approval',
      reason: 'approvals-pending',
      ignored: [['t-1', 'duplicate']],
    },
    {
      name: 'approver of the wrong group does not count',
      approvals: () => [approval(P, REQ, 't-1'), approval(P, REQ, 'outsider'), approval(P, REQ, 'c-1')],
      outcome: 'needs-approval',
      reason: 'approvals-pending',
      ignored: [['outsider', 'not-in-required-group']],
    },
    {
      name: 'unregistered approver does not count',
      approvals: () => [approval(P, REQ, 't-1'), approval(P, REQ, 'ghost'), approval(P, REQ, 'c-1')],
      outcome: 'needs-approval',
      reason: 'approvals-pending',
      ignored: [['ghost', 'unknown-approver']],
    },
    {
      name: 'a signature by another key does not count',
      approvals: () => [approval(P, REQ, 't-1'), approval(P, REQ, 't-2', { signer: 't-1' }), approval(P, REQ, 'c-1')],
      outcome: 'needs-approval',
      reason: 'approvals-pending',
      ignored: [['t-2', 'bad-signature']],
    },
    {
      name: 'self-approval off: the initiator\'s linked approver does not count',
      approvals: () => [approval(P, REQ, 't-1'), approval(P, REQ, 't-3'), approval(P, REQ, 'c-1')],
      outcome: 'needs-approval',
      reason: 'approvals-pending',
      ignored: [['t-3', 'self-approval']],
    },
    {
      name: 'expired approval (received after createdAt + expiry) does not count',
      approvals: () => [approval(P, REQ, 't-1'), approval(P, REQ, 't-2', { receivedAt: CREATED + 3_600_001 }), approval(P, REQ, 'c-1')],
      outcome: 'needs-approval',
      reason: 'approvals-pending',
      ignored: [['t-2', 'expired']],
    },
    {
      name: 'approval at exactly the expiry does not count (expiring at T: invalid at T)',
      approvals: () => [approval(P, REQ, 't-1'), approval(P, REQ, 't-2', { receivedAt: CREATED + 3_600_000 }), approval(P, REQ, 'c-1')],
      outcome: 'needs-approval',
      reason: 'approvals-pending',
      ignored: [['t-2', 'expired']],
    },
    {
      name: 'approval one millisecond before the expiry counts',
      approvals: () => [approval(P, REQ, 't-1'), approval(P, REQ, 't-2', { receivedAt: CREATED + 3_599_999 }), approval(P, REQ, 'c-1')],
      outcome: 'allow',
      reason: 'approvals-complete',
    },
    {
      name: 'approval for another policy version does not count',
      approvals: () => [approval(P, REQ, 't-1'), approval(P, REQ, 't-2', { version: 3 }), approval(P, REQ, 'c-1')],
      outcome: 'needs-approval',
      reason: 'approvals-pending',
      ignored: [['t-2', 'other-policy-version']],
    },
    {
      name: 'approval naming this version but signed for another hash does not count',
      approvals: () => [approval(P, REQ, 't-1'), approval(P, REQ, 't-2', { hash: 'ab'.repeat(32) }), approval(P, REQ, 'c-1')],
      outcome: 'needs-approval',
      reason: 'approvals-pending',
      ignored: [['t-2', 'other-policy-version']],
    },
    {
      name: 'a rejection by a required group member rejects, even after a full quorum',
      approvals: () => [approval(P, REQ, 't-1'), approval(P, REQ, 't-2'), approval(P, REQ, 'c-1'), approval(P, REQ, 'c-2', { decision: 'reject', receivedAt: CREATED + 50 })],
      outcome: 'deny',
      reason: 'rejected',
    },
    {
      name: 'a rejection by someone outside the required groups does not reject',
      approvals: () => [approval(P, REQ, 't-1'), approval(P, REQ, 't-2'), approval(P, REQ, 'c-1'), approval(P, REQ, 'outsider', { decision: 'reject' })],
      outcome: 'allow',
      reason: 'approvals-complete',
    },
    {
      name: 'a forged rejection does not reject',
      approvals: () => [approval(P, REQ, 't-1'), approval(P, REQ, 't-2'), approval(P, REQ, 'c-1'), approval(P, REQ, 'c-2', { decision: 'reject', signer: 'outsider' })],
      outcome: 'allow',
      reason: 'approvals-complete',
    },
    {
      name: 'an approval signature does not work as a rejection (the decision is signed)',
      approvals: () => {
        const a = approval(P, REQ, 'c-2');
        return [approval(P, REQ, 't-1'), approval(P, REQ, 't-2'), approval(P, REQ, 'c-1'), { ...a, decision: 'reject' }];
      },
      outcome: 'allow',
      reason: 'approvals-complete',
    },
  ];
  it.each(cases)('$name', ({ approvals, outcome, reason, ignored }) => {
    const d = run(P, approvals());
    expect({ outcome: d.outcome, reason: d.reason }).toEqual({ outcome, reason });
    for (const [id, why] of ignored ?? []) expect(d.approvals!.ignored).toContainEqual({ approverId: id, reason: why });
  });

  it('approvals for another request do not count', () => {
    const other = withdrawal({ id: 'req-2' });
    const d = run(P, [approval(P, other, 't-1'), approval(P, other, 't-2'), approval(P, other, 'c-1')]);
    expect(d.outcome).toBe('needs-approval');
    expect(d.approvals!.ignored.map((i) => i.reason)).toEqual(['bad-signature', 'bad-signature', 'bad-signature']);
  });

  it('approvals for the same id but other content (another amount) do not count', () => {
    const other = withdrawal({ amount: 2n });
    const d = run(P, [approval(P, other, 't-1'), approval(P, other, 't-2'), approval(P, other, 'c-1')]);
    expect(d.outcome).toBe('needs-approval');
  });

  it('approvals bound to another digest count only when the context names that digest', () => {
    const digest = new Uint8Array(32).fill(7);
    const sign = (id: string) => {
      const a = approval(P, REQ, id);
      const signature = signApproval({ requestId: REQ.id, requestDigest: digest, policyVersion: P.version, policyHash: P.hash, decision: 'approve' }, testOnlySecretKey(id));
      return { ...a, signature };
    };
    const approvals = [sign('t-1'), sign('t-2'), sign('c-1')];
    expect(evaluate(P, REQ, context({ now: CREATED + 100, approvals, approvers: APPROVERS, requestDigest: digest })).outcome).toBe('allow');
    expect(run(P, approvals).outcome).toBe('needs-approval');
    expect(() => evaluate(P, REQ, context({ requestDigest: new Uint8Array(31) }))).toThrow(/invalid context\.requestDigest/);
  });

  it('once the window closed without quorum: deny (approvals-expired)', () => {
    expect(run(P, [approval(P, REQ, 't-1')], CREATED + 3_600_001)).toMatchObject({ outcome: 'deny', reason: 'approvals-expired' });
  });

  it('a quorum reached within the window still allows after it', () => {
    expect(run(P, [approval(P, REQ, 't-1'), approval(P, REQ, 't-2'), approval(P, REQ, 'c-1')], CREATED + 10 * 3_600_000).outcome).toBe('allow');
  });

  it('the trace shows needed and have per group', () => {
    const d = run(P, [approval(P, REQ, 't-2'), approval(P, REQ, 't-1')]);
    expect(d.approvals!.groups).toEqual([
      { group: 'treasury', quorum: 2, approvedBy: ['t-1', 't-2'], satisfied: true },
      { group: 'compliance', quorum: 1, approvedBy: [], satisfied: false },
    ]);
  });
});

describe('self-approval on', () => {
  const P = policy({ combinator: 'all-of', groups: [{ group: 'treasury', quorum: 2 }], expiry: '1h', allowSelfApproval: true });
  it('the initiator\'s linked approver counts', () => {
    expect(run(P, [approval(P, REQ, 't-1'), approval(P, REQ, 't-3')]).outcome).toBe('allow');
  });
  it('an approver whose id is the initiator\'s client id is the initiator', () => {
    const Q = policy({ combinator: 'all-of', groups: [{ group: 'treasury', quorum: 2 }], expiry: '1h', allowSelfApproval: false });
    const req = withdrawal({ initiator: { id: 't-1', groups: [] } });
    const d = evaluate(Q, req, context({ approvals: [approval(Q, req, 't-1'), approval(Q, req, 't-2')], approvers: APPROVERS }));
    expect(d.outcome).toBe('needs-approval');
    expect(d.approvals!.ignored).toEqual([{ approverId: 't-1', reason: 'self-approval' }]);
  });
});

describe('combinators', () => {
  it('any-of: one group reaching its quorum suffices', () => {
    expect(run(EITHER, [approval(EITHER, REQ, 'c-2')]).outcome).toBe('allow');
    expect(run(EITHER, [approval(EITHER, REQ, 't-1')]).outcome).toBe('needs-approval');
    expect(run(EITHER, [approval(EITHER, REQ, 't-1'), approval(EITHER, REQ, 't-2')]).outcome).toBe('allow');
  });

  it('all-of: one person in two groups is not two people', () => {
    const P = policy({ combinator: 'all-of', groups: [{ group: 'both', quorum: 1 }, { group: 'compliance', quorum: 1 }], expiry: '1h', allowSelfApproval: false });
    // c-1 is in both groups: alone it fills one seat only.
    expect(run(P, [approval(P, REQ, 'c-1')]).outcome).toBe('needs-approval');
    // t-1 (both) + c-1 (compliance): the assignment t-1→both, c-1→compliance satisfies both.
    expect(run(P, [approval(P, REQ, 'c-1'), approval(P, REQ, 't-1')]).outcome).toBe('allow');
    // c-1 + c-2: c-1→both, c-2→compliance (the matching finds it whatever the order).
    expect(run(P, [approval(P, REQ, 'c-2'), approval(P, REQ, 'c-1')]).outcome).toBe('allow');
  });
});

describe('the approval message and its signature', () => {
  const subject = { requestId: 'req-1', requestDigest: policyRequestDigest(REQ), policyVersion: 4, policyHash: 'cd'.repeat(32), decision: 'approve' as const };

  it('is domain-separated and pinned', () => {
    const m = approvalMessage(subject);
    expect(new TextDecoder().decode(m.slice(4, 4 + 26))).toBe('custody/policy-approval/v1');
    expect(bytesToHex(m)).toMatchSnapshot();
  });

  it('changes with every field', () => {
    const base = bytesToHex(approvalMessage(subject));
    for (const change of [
      { requestId: 'req-2' },
      { requestDigest: new Uint8Array(32) },
      { policyVersion: 5 },
      { policyHash: 'ce'.repeat(32) },
      { decision: 'reject' as const },
    ]) {
      expect(bytesToHex(approvalMessage({ ...subject, ...change }))).not.toBe(base);
    }
  });

  it('verifies with the approver key only, and cross-checks with node:crypto', async () => {
    const sig = ed25519.sign(approvalMessage(subject), testOnlySecretKey('t-1'));
    expect(verifyApproval(subject, sig, testOnlyPublicKey('t-1'))).toBe(true);
    expect(verifyApproval(subject, sig, testOnlyPublicKey('t-2'))).toBe(false);
    const bad = Uint8Array.from(sig);
    bad[10]! ^= 1;
    expect(verifyApproval(subject, bad, testOnlyPublicKey('t-1'))).toBe(false);
    expect(verifyApproval(subject, sig.slice(0, 63), testOnlyPublicKey('t-1'))).toBe(false);
    const { createPublicKey, verify } = await import('node:crypto');
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(testOnlyPublicKey('t-1'))]);
    expect(verify(null, approvalMessage(subject), createPublicKey({ key: spki, format: 'der', type: 'spki' }), sig)).toBe(true);
  });

  it('refuses a malformed subject naming the field', () => {
    expect(() => approvalMessage({ ...subject, requestDigest: new Uint8Array(31) })).toThrow(/subject\.requestDigest/);
    expect(() => approvalMessage({ ...subject, policyHash: 'CD'.repeat(32) })).toThrow(/subject\.policyHash/);
    expect(() => approvalMessage({ ...subject, policyVersion: 0 })).toThrow(/subject\.policyVersion/);
    expect(() => approvalMessage({ ...subject, decision: 'maybe' as never })).toThrow(/subject\.decision/);
  });

  it('a malformed approver registry entry counts as unknown, never a crash', () => {
    const P = TWO_TREASURY_AND_ONE_COMPLIANCE;
    const approvers = new Map([['t-1', null as never], ['t-2', { publicKey: 'abc' } as never]]);
    const d = evaluate(P, REQ, context({ approvals: [approval(P, REQ, 't-1'), approval(P, REQ, 't-2')], approvers }));
    expect(d.approvals!.ignored.map((i) => i.reason)).toEqual(['unknown-approver', 'unknown-approver']);
  });

  it('malformed submitted approvals are ignored, never a crash', () => {
    const d = run(TWO_TREASURY_AND_ONE_COMPLIANCE, [{ approverId: 't-1', decision: 'approve', policyVersion: 4, policyHash: 'x', signature: 'nope', receivedAt: 1 } as never, null as never]);
    expect(d.approvals!.ignored.map((i) => i.reason)).toEqual(['malformed', 'malformed']);
  });
});
