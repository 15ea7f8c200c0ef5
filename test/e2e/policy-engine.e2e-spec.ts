import { status } from '@grpc/grpc-js';
import { Client } from 'pg';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { approvalMessage, BOOTSTRAP_FORMAT, POLICY_FORMAT, policyHash, proposalSubject, type PolicyDocument } from '@custody/policy-core';
import { signRequestToJson, type SignRequest } from '@custody/sign-grant';
import { parseAddress } from '@custody/chain-core';
import { startPolicyEngine, testPrincipal, type PolicyEngineProcess, type TestPrincipal } from '@custody/testing';

/**
 * The policy engine as a process on real Postgres, over custody.policy.v1: bootstrap, governance
 * (no quorum → no effect; quorum → the next evaluation names the new version; a request in flight
 * keeps its version), velocity under concurrency (50 parallel requests, a limit admitting 10),
 * approvals, the address book under policy, lint, replay and malformed input.
 */
jest.setTimeout(120_000);

const admins = ['adm-1', 'adm-2', 'adm-3'].map(testPrincipal);
const approvers = ['ap-1', 'ap-2', 'ap-3', 'ap-4'].map(testPrincipal);
const [ap1, ap2, ap3, ap4] = approvers as [TestPrincipal, TestPrincipal, TestPrincipal, TestPrincipal];
const [adm1, adm2, adm3] = admins as [TestPrincipal, TestPrincipal, TestPrincipal];

const needsTwo = { type: 'require-approvals', combinator: 'all-of', groups: [{ group: 'treasury', quorum: 2 }], expiry: '1h', allowSelfApproval: false } as const;

function policy(name: string, extraRules: unknown[] = []): PolicyDocument {
  return {
    format: POLICY_FORMAT,
    metadata: { name },
    approverGroups: { treasury: { members: ['ap-1', 'ap-2', 'ap-3'] }, compliance: { members: ['ap-4'] } },
    rules: [
      ...(extraRules as PolicyDocument['rules']),
      {
        id: 'velocity-wallet',
        match: { operation: ['withdrawal'], source: { wallets: ['w-velocity'] }, asset: ['ETH'] },
        velocity: [{ window: '24h', scope: 'wallet', limit: '10', asset: 'ETH' }],
        action: { type: 'allow' },
      },
      { id: 'velocity-exceeded', match: { operation: ['withdrawal'], source: { wallets: ['w-velocity'] } }, action: { type: 'deny', reason: 'over the daily limit' } },
      {
        id: 'expiring',
        match: { operation: ['withdrawal'], source: { wallets: ['w-expiry'] } },
        velocity: [{ window: '24h', scope: 'wallet', limit: '1', asset: 'ETH' }],
        action: { ...needsTwo, expiry: '1s' },
      },
      { id: 'expiring-over', match: { operation: ['withdrawal'], source: { wallets: ['w-expiry'] } }, action: { type: 'deny' } },
      { id: 'big-withdrawal', match: { operation: ['withdrawal'], amount: { min: '1000' } }, action: { type: 'deny' } },
      { id: 'two-of-treasury', match: { operation: ['withdrawal', 'message-signing', 'address-book-change'] }, action: needsTwo },
    ],
  } as PolicyDocument;
}

const bootstrap = {
  format: BOOTSTRAP_FORMAT,
  admins: { members: admins.map((a) => a.id), quorum: 2 },
  keys: Object.fromEntries([...admins, ...approvers].map((p) => [p.id, p.publicKeyHex])),
  policy: policy('test bootstrap'),
};

interface DecisionResponse {
  requestId: string;
  outcome: string;
  reason: string;
  status: string;
  policyVersion: number;
  policyHash: string;
  matchedRule: string;
  decisionJson: string;
  grantJson: string;
  requestDigestHex: string;
  approveMessageHex: string;
  rejectMessageHex: string;
}

interface ProposalResponse {
  proposalId: string;
  status: string;
  quorumState: string;
  approvedBy: string[];
  approveMessageHex: string;
  rejectMessageHex: string;
  baseVersion: number;
  baseHash: string;
  contentHash: string;
  activatedVersion: number;
  lintJson: string;
}

let engine: PolicyEngineProcess;
let n = 0;
const uid = (p: string) => `${p}-${Date.now().toString(36)}-${n++}`;

function withdrawal(over: Record<string, unknown> = {}) {
  return {
    requestId: uid('wd'),
    operation: 'withdrawal',
    initiatorId: 'client-1',
    sourceWalletId: 'w-main',
    destinationAddress: '0x' + '11'.repeat(20),
    destinationChainId: 1,
    assetId: 'ETH',
    assetDecimals: 18,
    amount: '5',
    ...over,
  };
}

async function expectCode(promise: Promise<unknown>, code: status, text?: RegExp): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: number; details?: string };
    expect(status[e.code ?? -1]).toBe(status[code]);
    if (text) expect(e.details).toMatch(text);
    return e.details ?? '';
  }
  throw new Error(`expected ${status[code]}, the call succeeded`);
}

/** The approver signs the engine's approval message, after checking it is policy-core's own for the subject. */
function sign(d: DecisionResponse, who: TestPrincipal, decision: 'approve' | 'reject'): Uint8Array {
  const message = approvalMessage({ requestId: d.requestId, requestDigest: hexToBytes(d.requestDigestHex), policyVersion: d.policyVersion, policyHash: d.policyHash, decision });
  expect(bytesToHex(message)).toBe(decision === 'approve' ? d.approveMessageHex : d.rejectMessageHex);
  return ed25519.sign(message, who.seed);
}

function adminSign(p: ProposalResponse, who: TestPrincipal, decision: 'approve' | 'reject' = 'approve'): Uint8Array {
  const message = approvalMessage(proposalSubject({ id: p.proposalId, kind: 'policy', base: { version: p.baseVersion, hash: p.baseHash }, contentHash: p.contentHash }, decision));
  expect(bytesToHex(message)).toBe(decision === 'approve' ? p.approveMessageHex : p.rejectMessageHex);
  return ed25519.sign(message, who.seed);
}

beforeAll(async () => {
  engine = await startPolicyEngine({ bootstrap });
});

afterAll(async () => {
  await engine?.stop();
});

describe('policy engine (e2e, real Postgres)', () => {
  it('bootstraps version 1 from the bootstrap file and serves the JSON Schema', async () => {
    const v = await engine.call<{ version: number; contentHash: string; active: boolean }>('GetVersion', { version: 0 });
    expect(v).toMatchObject({ version: 1, active: true, contentHash: policyHash(bootstrap.policy) });
    const schema = await engine.call<{ schemaJson: string }>('GetJsonSchema', {});
    expect((JSON.parse(schema.schemaJson) as { $schema: string }).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('velocity: 50 parallel requests against a limit admitting exactly 10 → exactly 10 allowed', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => engine.call<DecisionResponse>('Evaluate', { request: withdrawal({ sourceWalletId: 'w-velocity', amount: '1' }) })),
    );
    const allowed = results.filter((r) => r.outcome === 'allow');
    expect(allowed).toHaveLength(10);
    expect(allowed.every((r) => r.matchedRule === 'velocity-wallet')).toBe(true);
    expect(results.filter((r) => r.outcome === 'deny' && r.matchedRule === 'velocity-exceeded')).toHaveLength(40);
    // The trace shows the window: the next request sees 10 used, 0 left.
    const next = await engine.call<DecisionResponse>('Evaluate', { request: withdrawal({ sourceWalletId: 'w-velocity', amount: '1' }) });
    const trace = JSON.parse(next.decisionJson) as { trace: { rules: Array<{ id: string; velocity: Array<{ used: string; left: string }> }> } };
    expect(trace.trace.rules.find((r) => r.id === 'velocity-wallet')!.velocity[0]).toMatchObject({ used: '10', left: '0' });
    // Releasing one allowed request (it failed downstream) frees exactly its amount.
    await engine.call('ReleaseRequest', { requestId: allowed[0]!.requestId });
    const after = await engine.call<DecisionResponse>('Evaluate', { request: withdrawal({ sourceWalletId: 'w-velocity', amount: '1' }) });
    expect(after.outcome).toBe('allow');
  });

  it('a request awaiting approvals holds its velocity reservation only until its approvals expire', async () => {
    const pending = await engine.call<DecisionResponse>('Evaluate', { request: withdrawal({ sourceWalletId: 'w-expiry', amount: '1' }) });
    expect(pending).toMatchObject({ outcome: 'needs-approval', matchedRule: 'expiring' });
    const blocked = await engine.call<DecisionResponse>('Evaluate', { request: withdrawal({ sourceWalletId: 'w-expiry', amount: '1' }) });
    expect(blocked).toMatchObject({ outcome: 'deny', matchedRule: 'expiring-over' });
    // Wait until the first request's approvals have certainly expired (1 s after it was created).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = await engine.call<DecisionResponse>('Evaluate', { request: withdrawal({ sourceWalletId: 'w-expiry', amount: '1' }) });
    expect(after).toMatchObject({ outcome: 'needs-approval', matchedRule: 'expiring' });
    // A late approval of the expired request does not revive it (here the window is also full again).
    const late = await engine.call<DecisionResponse>('SubmitApproval', { requestId: pending.requestId, approverId: 'ap-1', decision: 'approve', signature: sign(pending, ap1, 'approve') });
    expect(late.outcome).toBe('deny');
    expect(['denied', 'rejected']).toContain(late.status);
  });

  it('an identical retry answers the first decision; other content under the same id is refused', async () => {
    const req = withdrawal({ amount: '2000' });
    const first = await engine.call<DecisionResponse>('Evaluate', { request: req });
    expect(first).toMatchObject({ outcome: 'deny', matchedRule: 'big-withdrawal', status: 'denied' });
    const again = await engine.call<DecisionResponse>('Evaluate', { request: req });
    expect(JSON.parse(again.decisionJson)).toEqual(JSON.parse(first.decisionJson));
    await expectCode(engine.call('Evaluate', { request: { ...req, amount: '1' } }), status.ALREADY_EXISTS, /different content/);
  });

  it('a decision is stored without its trace; GetRequest evaluates it again to the very decision answered, and refuses a stored record that does not recompute to its verdict', async () => {
    const first = await engine.call<DecisionResponse>('Evaluate', { request: withdrawal() });
    const answered = JSON.parse(first.decisionJson) as { trace: { rules: Array<{ id: string }> } };
    expect(answered.trace.rules.map((r) => r.id)).toEqual(bootstrap.policy.rules.map((r) => r.id));
    const db = new Client({ connectionString: engine.databaseUrl.toString() });
    await db.connect();
    try {
      const rows = await db.query<{ format: string; summary: Record<string, unknown>; size: number }>(
        `SELECT decision->>'format' AS format, decision->'decision' AS summary, length(decision::text) AS size FROM policy.evaluations WHERE request_id = $1`,
        [first.requestId],
      );
      expect(rows.rows).toEqual([expect.objectContaining({ format: 'custody.evaluation/compact-v1', summary: { ...(JSON.parse(first.decisionJson) as Record<string, unknown>), trace: { rules: [] } } })]);
      expect(rows.rows[0]!.size).toBeLessThan(first.decisionJson.length / 2);
      const read = await engine.call<DecisionResponse>('GetRequest', { requestId: first.requestId });
      expect(read.decisionJson).toBe(first.decisionJson);
      // The time it was evaluated at is part of what it stored: changed (its approvals would have expired), it no longer recomputes to the stored verdict.
      await db.query(`UPDATE policy.evaluations SET decision = jsonb_set(decision, '{inputs,now}', to_jsonb((decision->'inputs'->>'now')::bigint + 7200000)) WHERE request_id = $1`, [first.requestId]);
      await expectCode(engine.call('GetRequest', { requestId: first.requestId }), status.INTERNAL);
    } finally {
      await db.end();
    }
  });

  it('approvals: only valid signatures of distinct approvers of the required group count; a rejection rejects', async () => {
    const d = await engine.call<DecisionResponse>('Evaluate', { request: withdrawal() });
    expect(d).toMatchObject({ outcome: 'needs-approval', status: 'pending-approval', matchedRule: 'two-of-treasury' });
    // A signature over another request's message, or by another key, is refused at the boundary.
    await expectCode(engine.call('SubmitApproval', { requestId: d.requestId, approverId: 'ap-1', decision: 'approve', signature: sign(d, ap2, 'approve') }), status.PERMISSION_DENIED, /does not verify/);
    await expectCode(engine.call('SubmitApproval', { requestId: d.requestId, approverId: 'nobody', decision: 'approve', signature: sign(d, ap2, 'approve') }), status.PERMISSION_DENIED, /not a registered approver/);
    let r = await engine.call<DecisionResponse>('SubmitApproval', { requestId: d.requestId, approverId: 'ap-4', decision: 'approve', signature: sign(d, ap4, 'approve') });
    expect(r.status).toBe('pending-approval'); // ap-4 is not in treasury
    r = await engine.call<DecisionResponse>('SubmitApproval', { requestId: d.requestId, approverId: 'ap-1', decision: 'approve', signature: sign(d, ap1, 'approve') });
    expect(r.status).toBe('pending-approval');
    // The same approval again is idempotent; it does not count twice.
    r = await engine.call<DecisionResponse>('SubmitApproval', { requestId: d.requestId, approverId: 'ap-1', decision: 'approve', signature: sign(d, ap1, 'approve') });
    expect(r.status).toBe('pending-approval');
    r = await engine.call<DecisionResponse>('SubmitApproval', { requestId: d.requestId, approverId: 'ap-2', decision: 'approve', signature: sign(d, ap2, 'approve') });
    expect(r).toMatchObject({ outcome: 'allow', status: 'allowed', reason: 'approvals-complete' });
    const read = await engine.call<DecisionResponse>('GetRequest', { requestId: d.requestId });
    const approvals = (JSON.parse(read.decisionJson) as { approvals: { groups: Array<{ approvedBy: string[] }>; ignored: Array<{ approverId: string; reason: string }> } }).approvals;
    expect(approvals.groups[0]!.approvedBy.sort()).toEqual(['ap-1', 'ap-2']);
    expect(approvals.ignored).toEqual(expect.arrayContaining([{ approverId: 'ap-4', reason: 'not-in-required-group' }]));

    const rejected = await engine.call<DecisionResponse>('Evaluate', { request: withdrawal() });
    await engine.call('SubmitApproval', { requestId: rejected.requestId, approverId: 'ap-1', decision: 'approve', signature: sign(rejected, ap1, 'approve') });
    r = await engine.call<DecisionResponse>('SubmitApproval', { requestId: rejected.requestId, approverId: 'ap-3', decision: 'reject', signature: sign(rejected, ap3, 'reject') });
    expect(r).toMatchObject({ outcome: 'deny', status: 'rejected', reason: 'rejected' });
    await expectCode(
      engine.call('SubmitApproval', { requestId: rejected.requestId, approverId: 'ap-2', decision: 'approve', signature: sign(rejected, ap2, 'approve') }),
      status.FAILED_PRECONDITION,
      /rejected/,
    );
  });

  it('governance: a change without the admin quorum never takes effect; with it the next evaluation names the new version; a request in flight keeps its version', async () => {
    const inFlight = await engine.call<DecisionResponse>('Evaluate', { request: withdrawal() });
    expect(inFlight).toMatchObject({ outcome: 'needs-approval', policyVersion: 1 });

    // v2: withdrawals from w-fast are simply allowed.
    const v2 = policy('v2', [{ id: 'fast-wallet', match: { operation: ['withdrawal'], source: { wallets: ['w-fast'] } }, action: { type: 'allow' } }]);
    const id = uid('prop');
    await expectCode(engine.call('ProposeVersion', { proposalId: id, document: JSON.stringify(v2), proposedBy: 'ap-1' }), status.PERMISSION_DENIED, /not a current admin/);
    let p = await engine.call<ProposalResponse>('ProposeVersion', { proposalId: id, document: JSON.stringify(v2), proposedBy: 'adm-1' });
    expect(p).toMatchObject({ status: 'open', quorumState: 'pending', baseVersion: 1 });
    await expectCode(engine.call('ActivateProposal', { proposalId: id }), status.FAILED_PRECONDITION, /0 valid admin approval/);
    p = await engine.call<ProposalResponse>('ApproveProposal', { proposalId: id, adminId: 'adm-1', decision: 'approve', signature: adminSign(p, adm1) });
    expect(p.approvedBy).toEqual(['adm-1']);
    // A second "approval" signed by the same admin under another id, or a forged one, does not count.
    await expectCode(engine.call('ApproveProposal', { proposalId: id, adminId: 'adm-2', decision: 'approve', signature: adminSign(p, adm1) }), status.PERMISSION_DENIED);
    await expectCode(engine.call('ApproveProposal', { proposalId: id, adminId: 'ap-1', decision: 'approve', signature: adminSign(p, ap1) }), status.PERMISSION_DENIED, /not a current admin/);
    await expectCode(engine.call('ActivateProposal', { proposalId: id }), status.FAILED_PRECONDITION, /1 valid admin approval/);
    const stillV1 = await engine.call<DecisionResponse>('Evaluate', { request: withdrawal({ sourceWalletId: 'w-fast' }) });
    expect(stillV1).toMatchObject({ policyVersion: 1, outcome: 'needs-approval' });

    p = await engine.call<ProposalResponse>('ApproveProposal', { proposalId: id, adminId: 'adm-3', decision: 'approve', signature: adminSign(p, adm3) });
    expect(p.quorumState).toBe('approved');
    p = await engine.call<ProposalResponse>('ActivateProposal', { proposalId: id });
    expect(p).toMatchObject({ status: 'activated', activatedVersion: 2 });

    const next = await engine.call<DecisionResponse>('Evaluate', { request: withdrawal({ sourceWalletId: 'w-fast' }) });
    expect(next).toMatchObject({ policyVersion: 2, policyHash: policyHash(v2), outcome: 'allow', matchedRule: 'fast-wallet' });

    // The request evaluated under v1 completes under v1.
    await engine.call('SubmitApproval', { requestId: inFlight.requestId, approverId: 'ap-1', decision: 'approve', signature: sign(inFlight, ap1, 'approve') });
    const done = await engine.call<DecisionResponse>('SubmitApproval', { requestId: inFlight.requestId, approverId: 'ap-3', decision: 'approve', signature: sign(inFlight, ap3, 'approve') });
    expect(done).toMatchObject({ policyVersion: 1, policyHash: policyHash(bootstrap.policy), status: 'allowed' });

    // Versions are kept; a proposal made against v1 can no longer be activated.
    const versions = await engine.call<{ versions: Array<{ version: number; active: boolean }> }>('ListVersions', {});
    expect(versions.versions.map((v) => [v.version, v.active])).toEqual([
      [1, false],
      [2, true],
    ]);
    const stale = uid('prop');
    let s = await engine.call<ProposalResponse>('ProposeVersion', { proposalId: stale, document: JSON.stringify(policy('v3')), proposedBy: 'adm-2' });
    expect(s.baseVersion).toBe(2);
    s = await engine.call<ProposalResponse>('ApproveProposal', { proposalId: stale, adminId: 'adm-1', decision: 'approve', signature: adminSign(s, adm1) });
    await engine.call<ProposalResponse>('ApproveProposal', { proposalId: stale, adminId: 'adm-2', decision: 'approve', signature: adminSign(s, adm2) });
    const racing = uid('prop');
    let r = await engine.call<ProposalResponse>('ProposeVersion', { proposalId: racing, document: JSON.stringify(policy('v3b')), proposedBy: 'adm-2' });
    r = await engine.call<ProposalResponse>('ApproveProposal', { proposalId: racing, adminId: 'adm-1', decision: 'approve', signature: adminSign(r, adm1) });
    await engine.call<ProposalResponse>('ApproveProposal', { proposalId: racing, adminId: 'adm-3', decision: 'approve', signature: adminSign(r, adm3) });
    await engine.call('ActivateProposal', { proposalId: racing });
    await expectCode(engine.call('ActivateProposal', { proposalId: stale }), status.FAILED_PRECONDITION, /no longer active/);
    const diff = await engine.call<{ diffJson: string }>('DiffVersions', { fromVersion: 1, toVersion: 2 });
    expect(JSON.parse(diff.diffJson)).toMatchObject({ identical: false, rulesAdded: [{ id: 'fast-wallet', index: 0 }] });
  });

  it('malformed documents are refused with the JSON path and the reason; nothing is half applied', async () => {
    const bad = policy('bad') as unknown as { rules: Array<Record<string, unknown>> };
    bad.rules[0]!.condition = 'request.amount <';
    const id = uid('prop');
    const details = await expectCode(engine.call('ProposeVersion', { proposalId: id, document: JSON.stringify(bad), proposedBy: 'adm-1' }), status.INVALID_ARGUMENT);
    expect(details).toContain('/rules/0/condition');
    await expectCode(engine.call('GetProposal', { proposalId: id }), status.NOT_FOUND);
    const notBool = policy('bad') as unknown as { rules: Array<Record<string, unknown>> };
    notBool.rules[1]!.condition = 'request.amount + 1';
    const lint = await engine.call<{ valid: boolean; issuesJson: string }>('Lint', { document: JSON.stringify(notBool) });
    expect(lint.valid).toBe(false);
    expect(JSON.parse(lint.issuesJson)).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/rules/1/condition' })]));
    await expectCode(engine.call('ProposeVersion', { proposalId: uid('prop'), document: '{"format": 1', proposedBy: 'adm-1' }), status.INVALID_ARGUMENT, /JSON/);
    await expectCode(engine.call('ProposeVersion', { proposalId: 'bad id!', document: JSON.stringify(policy('x')), proposedBy: 'adm-1' }), status.INVALID_ARGUMENT, /proposal_id/);
  });

  it('malformed requests are refused naming the field, never INTERNAL', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [withdrawal({ requestId: '' }), /request\.request_id/],
      [withdrawal({ operation: 'steal' }), /request\.operation/],
      [withdrawal({ amount: '-1' }), /request\.amount/],
      [withdrawal({ amount: '1.5' }), /request\.amount/],
      [withdrawal({ amount: '9'.repeat(100) }), /request\.amount/],
      [withdrawal({ destinationAddress: '0x1234' }), /request\.destination_address/],
      [withdrawal({ destinationAddress: '' }), /request\.destination_address/],
      [withdrawal({ initiatorId: 'x'.repeat(200) }), /request\.initiator_id/],
      [withdrawal({ signRequestJson: '{' }), /request\.sign_request_json/],
      [withdrawal({ signRequestJson: JSON.stringify({ requestId: 'other' }) }), /request\.sign_request_json/],
    ];
    // A withdrawal's EVM transaction must pay the destination the amount on its chain; a message payload cannot be checked.
    const evm = (requestId: string, over: Record<string, unknown> = {}) =>
      JSON.stringify(
        signRequestToJson({
          requestId,
          keyId: 'key-1',
          scheme: 'ecdsa',
          derivationPath: [],
          payload: { kind: 'evm-transaction', chainId: 1, nonce: 0, maxFeePerGas: 10n, maxPriorityFeePerGas: 1n, gas: 21000n, to: parseAddress('0x' + '11'.repeat(20)), value: 5n, data: new Uint8Array(0), erc20: null, ...over },
        } as SignRequest),
      );
    const ok = withdrawal();
    expect((await engine.call<DecisionResponse>('Evaluate', { request: { ...ok, signRequestJson: evm(ok.requestId) } })).outcome).toBe('needs-approval');
    for (const [over, reason] of [
      [{ value: 6n }, /moves 6, not amount 5/],
      [{ to: parseAddress('0x' + '22'.repeat(20)) }, /not destination_address/],
      [{ chainId: 5 }, /not destination_chain_id/],
    ] as const) {
      const r = withdrawal();
      await expectCode(engine.call('Evaluate', { request: { ...r, signRequestJson: evm(r.requestId, over) } }), status.INVALID_ARGUMENT, reason);
    }
    const m = withdrawal();
    const message = JSON.stringify(signRequestToJson({ requestId: m.requestId, keyId: 'key-1', scheme: 'eddsa', derivationPath: [], payload: { kind: 'message', message: new Uint8Array(4), hash: 'none' } }));
    await expectCode(engine.call('Evaluate', { request: { ...m, signRequestJson: message } }), status.INVALID_ARGUMENT, /must be an evm-transaction payload/);
    await expectCode(engine.call('Evaluate', { request: withdrawal({ attributes: { signRequestDigest: 'x' } }) }), status.INVALID_ARGUMENT, /reserved/);

    for (const [request, field] of cases) {
      const details = await expectCode(engine.call('Evaluate', { request }), status.INVALID_ARGUMENT, field);
      expect(details.length).toBeLessThan(400);
    }
    await expectCode(engine.call('GetRequest', { requestId: 'no-such-request' }), status.NOT_FOUND);
  });

  it('the address book: a change is a request under policy, applied when its approvals complete', async () => {
    const entry = { entryId: uid('entry'), chainId: 1, address: '0x' + 'AB'.repeat(20), tags: ['exchange'], label: 'Exchange hot wallet' };
    const d = await engine.call<DecisionResponse>('ProposeAddressBookChange', { requestId: uid('ab'), initiatorId: 'client-1', change: 'upsert', entry });
    expect(d).toMatchObject({ outcome: 'needs-approval', status: 'pending-approval' });
    await expectCode(engine.call('GetAddressBookEntry', { entryId: entry.entryId }), status.NOT_FOUND);
    await engine.call('SubmitApproval', { requestId: d.requestId, approverId: 'ap-1', decision: 'approve', signature: sign(d, ap1, 'approve') });
    const done = await engine.call<DecisionResponse>('SubmitApproval', { requestId: d.requestId, approverId: 'ap-2', decision: 'approve', signature: sign(d, ap2, 'approve') });
    expect(done.status).toBe('allowed');
    const stored = await engine.call<{ address: string; tags: string[] }>('GetAddressBookEntry', { entryId: entry.entryId });
    expect(stored).toMatchObject({ address: '0x' + 'ab'.repeat(20), tags: ['exchange'] });
    const list = await engine.call<{ entries: Array<{ entryId: string }> }>('ListAddressBook', { tag: 'exchange' });
    expect(list.entries.map((e) => e.entryId)).toContain(entry.entryId);
  });

  it('lint finds a shadowed rule; replay reports exactly the requests a change flips', async () => {
    const shadowing = policy('shadow', [
      { id: 'all-withdrawals', match: { operation: ['withdrawal'] }, action: needsTwo },
      { id: 'eth-withdrawals', match: { operation: ['withdrawal'], asset: ['ETH'] }, action: { type: 'allow' } },
    ]);
    const lint = await engine.call<{ valid: boolean; warningsJson: string }>('Lint', { document: JSON.stringify(shadowing) });
    expect(lint.valid).toBe(true);
    expect(JSON.parse(lint.warningsJson)).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'shadowed', rule: { index: 1, id: 'eth-withdrawals' } })]));

    const from = Date.now();
    const usdc = await engine.call<DecisionResponse>('Evaluate', { request: withdrawal({ assetId: 'USDC', assetDecimals: 6, sourceWalletId: 'w-replay' }) });
    const eth = await engine.call<DecisionResponse>('Evaluate', { request: withdrawal({ sourceWalletId: 'w-replay' }) });
    const big = await engine.call<DecisionResponse>('Evaluate', { request: withdrawal({ amount: '5000', sourceWalletId: 'w-replay' }) });
    expect([usdc.outcome, eth.outcome, big.outcome]).toEqual(['needs-approval', 'needs-approval', 'deny']);
    const to = Date.now() + 1;
    // The draft allows USDC from w-replay: only the USDC request flips.
    const draft = policy('draft', [{ id: 'usdc-replay', match: { operation: ['withdrawal'], source: { wallets: ['w-replay'] }, asset: ['USDC'] }, action: { type: 'allow' } }]);
    const report = await engine.call<{ replayed: number; changes: Array<{ requestId: string; oldOutcome: string; newOutcome: string; newRule: string }> }>('Replay', {
      document: JSON.stringify(draft),
      fromTime: String(from),
      toTime: String(to),
    });
    expect(report.replayed).toBe(3);
    expect(report.changes).toEqual([expect.objectContaining({ requestId: usdc.requestId, newOutcome: 'allow', newRule: 'usdc-replay' })]);
  });

  it('dry run evaluates a hypothetical request against a draft without storing or reserving', async () => {
    const draft = policy('dry', [{ id: 'dry-allow', match: { operation: ['withdrawal'], source: { wallets: ['w-dry'] } }, action: { type: 'allow' } }]);
    const req = withdrawal({ sourceWalletId: 'w-dry' });
    const d = await engine.call<DecisionResponse>('DryRun', { request: req, document: JSON.stringify(draft) });
    expect(d).toMatchObject({ outcome: 'allow', matchedRule: 'dry-allow', status: '' });
    await expectCode(engine.call('GetRequest', { requestId: req.requestId }), status.NOT_FOUND);
  });
  it("policy-change rules add to the admin quorum: a proposal their rule holds for approvals takes effect only once they are complete; a denying rule keeps it out", async () => {
    const propose = async (document: unknown): Promise<ProposalResponse & { policyChangeRequestId: string }> => {
      const id = uid('prop');
      let p = await engine.call<ProposalResponse & { policyChangeRequestId: string }>('ProposeVersion', { proposalId: id, document: JSON.stringify(document), proposedBy: 'adm-1' });
      p = await engine.call('ApproveProposal', { proposalId: id, adminId: 'adm-1', decision: 'approve', signature: adminSign(p, adm1) });
      p = await engine.call('ApproveProposal', { proposalId: id, adminId: 'adm-2', decision: 'approve', signature: adminSign(p, adm2) });
      expect(p.quorumState).toBe('approved');
      return p;
    };
    const gated = policy('gated', [
      { id: 'no-bootstrap-change', match: { operation: ['policy-change'] }, condition: 'request.attributes["kind"] == "bootstrap"', action: { type: 'deny' } },
      { id: 'compliance-signs-policy-changes', match: { operation: ['policy-change'] }, action: { type: 'require-approvals', combinator: 'all-of', groups: [{ group: 'compliance', quorum: 1 }], expiry: '1h', allowSelfApproval: false } },
    ]);
    // The version in force has no policy-change rule: the admin quorum alone activates the gated one.
    const first = await propose(gated);
    const activated = await engine.call<ProposalResponse>('ActivateProposal', { proposalId: first.proposalId });
    expect(activated.status).toBe('activated');

    // Under the gated version, the admin quorum is no longer enough.
    const second = await propose(policy('after the gate'));
    expect(second.policyChangeRequestId).toBe(`policy-change:${second.proposalId}`);
    await expectCode(engine.call('ActivateProposal', { proposalId: second.proposalId }), status.FAILED_PRECONDITION, /needs the approvals policy-change rule compliance-signs-policy-changes/);
    const change = await engine.call<DecisionResponse>('GetRequest', { requestId: second.policyChangeRequestId });
    expect(change).toMatchObject({ outcome: 'needs-approval', matchedRule: 'compliance-signs-policy-changes', policyVersion: activated.activatedVersion, status: 'pending-approval' });
    // Its deny rule keeps a new bootstrap (admins, quorum, keys) out, whatever the admins sign.
    const bid = uid('boot');
    const b = await engine.call<ProposalResponse>('ProposeBootstrap', { proposalId: bid, document: JSON.stringify({ ...bootstrap, admins: { ...bootstrap.admins, quorum: 3 } }), proposedBy: 'adm-1' });
    for (const [who, admin] of [['adm-1', adm1], ['adm-2', adm2]] as const) {
      const message = approvalMessage(proposalSubject({ id: bid, kind: 'bootstrap', base: { version: b.baseVersion, hash: b.baseHash }, contentHash: b.contentHash }, 'approve'));
      await engine.call('ApproveProposal', { proposalId: bid, adminId: who, decision: 'approve', signature: ed25519.sign(message, admin.seed) });
    }
    await expectCode(engine.call('ActivateProposal', { proposalId: bid }), status.FAILED_PRECONDITION, /refused by the policy-change rules .*rule no-bootstrap-change: rule-deny/);
    // A treasury approver is not compliance: still refused.
    await engine.call('SubmitApproval', { requestId: change.requestId, approverId: 'ap-1', decision: 'approve', signature: sign(change, ap1, 'approve') });
    await expectCode(engine.call('ActivateProposal', { proposalId: second.proposalId }), status.FAILED_PRECONDITION, /needs the approvals/);
    const approved = await engine.call<DecisionResponse>('SubmitApproval', { requestId: change.requestId, approverId: 'ap-4', decision: 'approve', signature: sign(change, ap4, 'approve') });
    expect(approved.status).toBe('allowed');
    const done = await engine.call<ProposalResponse>('ActivateProposal', { proposalId: second.proposalId });
    expect(done).toMatchObject({ status: 'activated', activatedVersion: activated.activatedVersion + 1 });
  });
});
