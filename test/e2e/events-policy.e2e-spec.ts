import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { signatureHeaders } from '@custody/client';
import { toPublicEvent } from '@custody/events-core';
import { approvalMessage, BOOTSTRAP_FORMAT, POLICY_FORMAT, proposalSubject, type PolicyDocument } from '@custody/policy-core';
import { startGateway, startPolicyEngine, testKey, testPrincipal, type PolicyEngineProcess, type RunningGateway, type TestPrincipal } from '@custody/testing';

/**
 * The policy engine's part of the event stream: approval needed, given and rejected, and a policy
 * activated, each written to the engine's outbox in the transaction of the change and relayed by
 * the real gateway into the one public stream, in order and gap-free.
 */
jest.setTimeout(60_000);

const admins = ['adm-1', 'adm-2'].map(testPrincipal) as [TestPrincipal, TestPrincipal];
const approvers = ['ap-1', 'ap-2', 'ap-3'].map(testPrincipal) as [TestPrincipal, TestPrincipal, TestPrincipal];

function policy(name: string): PolicyDocument {
  return {
    format: POLICY_FORMAT,
    metadata: { name },
    approverGroups: { treasury: { members: approvers.map((a) => a.id) } },
    rules: [{ id: 'two-of-treasury', match: { operation: ['withdrawal'] }, action: { type: 'require-approvals', combinator: 'all-of', groups: [{ group: 'treasury', quorum: 2 }], expiry: '1h', allowSelfApproval: false } }],
  } as PolicyDocument;
}

interface DecisionResponse {
  requestId: string;
  status: string;
  policyVersion: number;
  policyHash: string;
  requestDigestHex: string;
}

interface ProposalResponse {
  proposalId: string;
  status: string;
  baseVersion: number;
  baseHash: string;
  contentHash: string;
}

interface EventWire {
  seq: string;
  type: string;
  resource: string;
  data: Record<string, unknown>;
}

describe('policy events in the public stream (e2e: policy engine + gateway)', () => {
  let engine: PolicyEngineProcess;
  let gateway: RunningGateway;
  const viewer = testKey(`viewer-${randomUUID().slice(0, 6)}`);

  beforeAll(async () => {
    engine = await startPolicyEngine({
      bootstrap: { format: BOOTSTRAP_FORMAT, admins: { members: admins.map((a) => a.id), quorum: 2 }, keys: Object.fromEntries([...admins, ...approvers].map((p) => [p.id, p.publicKeyHex])), policy: policy('v1') },
    });
    gateway = await startGateway({ POLICY_ENGINE_GRPC_ADDRESS: engine.grpcAddress, GATEWAY_EVENTS_RELAY_INTERVAL_MS: '50' });
    const url = `${gateway.baseUrl}/v1/clients`;
    const body = Buffer.from(JSON.stringify({ clientId: viewer.clientId, publicKey: viewer.publicKeyHex, roles: ['viewer'] }));
    const headers = { ...(await signatureHeaders('POST', url, body, gateway.admin, Math.floor(Date.now() / 1000))), 'content-type': 'application/json', 'idempotency-key': '"viewer"' };
    expect((await fetch(url, { method: 'POST', headers, body })).status).toBe(201);
  });

  afterAll(async () => {
    await gateway?.stop();
    await engine?.stop();
  });

  async function events(): Promise<EventWire[]> {
    const url = `${gateway.baseUrl}/v1/events?page_size=1000`;
    const response = await fetch(url, { headers: await signatureHeaders('GET', url, Buffer.alloc(0), viewer, Math.floor(Date.now() / 1000)) });
    return ((await response.json()) as { events: EventWire[] }).events;
  }

  function withdrawal(id: string) {
    return { requestId: id, operation: 'withdrawal', initiatorId: 'client-1', sourceWalletId: 'w-main', destinationAddress: '0x' + '11'.repeat(20), destinationChainId: 1, assetId: 'ETH', assetDecimals: 18, amount: '5' };
  }

  function sign(d: DecisionResponse, who: TestPrincipal, decision: 'approve' | 'reject'): Uint8Array {
    return ed25519.sign(approvalMessage({ requestId: d.requestId, requestDigest: hexToBytes(d.requestDigestHex), policyVersion: d.policyVersion, policyHash: d.policyHash, decision }), who.seed);
  }

  it('publishes approval.required, approval.given, approval.rejected and policy.activated in the order they happened', async () => {
    const a = await engine.call<DecisionResponse>('Evaluate', { request: withdrawal(`wd-a-${randomUUID().slice(0, 8)}`) });
    expect(a.status).toBe('pending-approval');
    await engine.call('SubmitApproval', { requestId: a.requestId, approverId: 'ap-1', decision: 'approve', signature: sign(a, approvers[0], 'approve') });
    const b = await engine.call<DecisionResponse>('Evaluate', { request: withdrawal(`wd-b-${randomUUID().slice(0, 8)}`) });
    await engine.call('SubmitApproval', { requestId: b.requestId, approverId: 'ap-3', decision: 'reject', signature: sign(b, approvers[2], 'reject') });
    await engine.call('SubmitApproval', { requestId: a.requestId, approverId: 'ap-2', decision: 'approve', signature: sign(a, approvers[1], 'approve') });

    const id = `prop-${randomUUID().slice(0, 8)}`;
    let p = await engine.call<ProposalResponse>('ProposeVersion', { proposalId: id, document: JSON.stringify(policy('v2')), proposedBy: 'adm-1' });
    for (const admin of admins) {
      const message = approvalMessage(proposalSubject({ id: p.proposalId, kind: 'policy', base: { version: p.baseVersion, hash: p.baseHash }, contentHash: p.contentHash }, 'approve'));
      p = await engine.call<ProposalResponse>('ApproveProposal', { proposalId: id, adminId: admin.id, decision: 'approve', signature: ed25519.sign(message, admin.seed) });
    }
    expect((await engine.call<ProposalResponse>('ActivateProposal', { proposalId: id })).status).toBe('activated');

    // The engine's outbox, gap-free, in the order of the changes.
    const outbox = await engine.call<{ events: Array<{ sequence: string; type: string; subject: string; data: string }>; lastSequence: string }>('ReadOutbox', { afterSequence: '0', limit: 100 });
    expect(outbox.events.map((e) => e.sequence)).toEqual(outbox.events.map((_, i) => String(i + 1)));
    expect(outbox.lastSequence).toBe(String(outbox.events.length));
    expect(outbox.events.map((e) => [e.type, e.subject])).toEqual([
      ['approval.required', a.requestId],
      ['approval.given', a.requestId],
      ['approval.required', b.requestId],
      ['approval.rejected', b.requestId],
      ['approval.given', a.requestId],
      ['policy.activated', id],
    ]);
    expect(JSON.parse(outbox.events[5]!.data)).toMatchObject({ proposalId: id, kind: 'policy', version: 2, contentHash: p.contentHash });
    expect(JSON.parse(outbox.events[1]!.data)).toMatchObject({ requestId: a.requestId, approverId: 'ap-1', decision: 'approve', policyVersion: 1 });

    // …relayed into the public stream as they are.
    const expected = outbox.events.map((e) => toPublicEvent('policy', { sequence: BigInt(e.sequence), type: e.type, subject: e.subject, data: JSON.parse(e.data) as Record<string, unknown> })!);
    const deadline = Date.now() + 20_000;
    let got = await events();
    while (got.length < expected.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      got = await events();
    }
    expect(got.map((e) => e.seq)).toEqual(expected.map((_, i) => String(i + 1)));
    expect(got.map(({ type, resource, data }) => ({ type, resource, data }))).toEqual(expected.map((e) => ({ type: e.type, resource: e.resource, data: { ...e.data } })));
    expect(got[0]!.resource).toBe(`approvals/${a.requestId}`);
    expect(got[5]!.resource).toBe(`policies/${id}`);

    // a bad ReadOutbox argument is INVALID_ARGUMENT naming the field
    await expect(engine.call('ReadOutbox', { afterSequence: '0', limit: 5000 })).rejects.toMatchObject({ code: 3, details: expect.stringMatching(/limit/) as unknown });
  });

  it('40 requests evaluated at once (group-committed batches) each publish their approval.required once, gap-free, with one evaluation audit record each', async () => {
    const before = BigInt((await engine.call<{ lastSequence: string }>('ReadOutbox', { afterSequence: '0', limit: 1 })).lastSequence);
    const ids = Array.from({ length: 40 }, (_, i) => `wd-many-${i}-${randomUUID().slice(0, 8)}`);
    const decided = await Promise.all(ids.map((id) => engine.call<DecisionResponse>('Evaluate', { request: withdrawal(id) })));
    expect(decided.every((d) => d.status === 'pending-approval')).toBe(true);
    const outbox = await engine.call<{ events: Array<{ sequence: string; type: string; subject: string }>; lastSequence: string }>('ReadOutbox', { afterSequence: before.toString(), limit: 100 });
    expect(outbox.events.map((e) => e.sequence)).toEqual(ids.map((_, i) => String(before + BigInt(i) + 1n)));
    expect(outbox.events.every((e) => e.type === 'approval.required')).toBe(true);
    expect(outbox.events.map((e) => e.subject).sort()).toEqual([...ids].sort());
    const pg = new Client({ connectionString: engine.databaseUrl.toString() });
    await pg.connect();
    try {
      // One statement (one snapshot): the sequencer may be moving records from pending into the tree meanwhile.
      const { rows } = await pg.query<{ request_id: string; n: string }>(
        `SELECT request_id, count(*) AS n FROM (SELECT request_id FROM audit.pending WHERE type = 'evaluation' UNION ALL SELECT request_id FROM audit.records WHERE type = 'evaluation') r
          WHERE request_id = ANY($1) GROUP BY request_id`,
        [ids],
      );
      const count = new Map(rows.map((r) => [r.request_id, Number(r.n)]));
      expect(ids.map((id) => count.get(id) ?? 0)).toEqual(ids.map(() => 1));
    } finally {
      await pg.end();
    }
  });
});
