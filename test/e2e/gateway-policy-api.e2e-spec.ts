import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { ApprovalsApi, AddressBookApi, approvalKeyFromSeed, CustodyApiError, CustodyClient, CustodyGrpcClient, PoliciesApi, signApprovalMessage, type ApprovalResource, type PolicyResource } from '@custody/client';
import { BOOTSTRAP_FORMAT, POLICY_FORMAT } from '@custody/policy-core';
import { custody, google } from '@custody/proto';
import { decodeSignGrant, requestDigest, signRequestFromJson, signRequestToJson } from '@custody/sign-grant';
import { ed25519 } from '@noble/curves/ed25519.js';
import { CUSTODY_BIN, startGateway, startPolicyEngine, testKey, testPrincipal, type PolicyEngineProcess, type RunningGateway, type TestKey, type TestPrincipal } from '@custody/testing';

/**
 * The public API's policies, address book and approvals, end to end: the real gateway over the
 * real policy engine on Postgres and Redis, over REST and gRPC with the same results. API clients
 * sign requests with their API keys; admins and approvers sign the engine's messages with their
 * own approval keys (registered in the engine's bootstrap), which the engine verifies.
 */
jest.setTimeout(60_000);

const [ca1, ca2, ap1, ap2, devAp] = ['ca-1', 'ca-2', 'ap-1', 'ap-2', 'dev-approver-1'].map(testPrincipal) as [TestPrincipal, TestPrincipal, TestPrincipal, TestPrincipal, TestPrincipal];
const approvalsNeeded = (quorum: number) => ({ type: 'require-approvals', combinator: 'all-of', groups: [{ group: 'approvers', quorum }], expiry: '1h', allowSelfApproval: false });

function policy(name: string, extra: unknown[] = []) {
  return {
    format: POLICY_FORMAT,
    metadata: { name },
    approverGroups: { approvers: { members: ['ap-1', 'ap-2', 'dev-approver-1'] } },
    rules: [
      ...extra,
      { id: 'blocked', match: { operation: ['address-book-change'] }, condition: 'request.attributes.tags == "blocked"', action: { type: 'deny', reason: 'blocked tag' } },
      { id: 'auto', match: { operation: ['address-book-change'] }, condition: 'request.attributes.tags == "auto"', action: { type: 'allow' } },
      { id: 'two-approvers', match: { operation: ['address-book-change'] }, action: approvalsNeeded(2) },
      { id: 'small-withdrawal', match: { operation: ['withdrawal'], amount: { max: '100' } }, action: { type: 'allow' } },
      { id: 'message-two', match: { operation: ['message-signing'] }, action: approvalsNeeded(2) },
    ],
  };
}

const bootstrap = {
  format: BOOTSTRAP_FORMAT,
  admins: { members: ['ca-1', 'ca-2'], quorum: 2 },
  keys: Object.fromEntries([ca1, ca2, ap1, ap2, devAp].map((p) => [p.id, p.publicKeyHex])),
  policy: policy('bootstrap'),
};

/** Asymmetric matchers, typed (they are `any` in @types/jest). */
const containing = (text: string): string => expect.stringContaining(text) as string;
const matching = (re: RegExp): string => expect.stringMatching(re) as string;
const like = (o: Record<string, unknown>): Record<string, unknown> => expect.objectContaining(o) as Record<string, unknown>;

const GRPC_OPTS = { longs: String, enums: String, defaults: true, arrays: true } as const;

interface Codec<T> {
  encode(m: T): { finish(): Uint8Array };
  fromObject(o: Record<string, unknown>): T;
}
interface Decoder<T> {
  decode(b: Uint8Array): T;
  toObject(m: T, o: object): Record<string, unknown>;
}

function grpcCode(error: unknown): { code: number; reason: string; message: string } {
  const e = error as grpc.ServiceError;
  const details = e.metadata?.get('grpc-status-details-bin')[0] as Buffer | undefined;
  const status = details ? google.rpc.Status.decode(details) : undefined;
  const reason = status ? google.rpc.ErrorInfo.decode(status.details[0]!.value ?? new Uint8Array()).reason : '';
  return { code: e.code, reason, message: e.details };
}

async function restError(p: Promise<unknown>): Promise<{ status: number; code: string; detail: string }> {
  try {
    await p;
  } catch (error) {
    if (error instanceof CustodyApiError) return { status: error.status, code: error.code, detail: error.detail };
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('gateway: policies, address book and approvals over the policy engine (e2e, REST and gRPC)', () => {
  let engine: PolicyEngineProcess;
  let gateway: RunningGateway;
  const keys: Record<string, TestKey> = {};
  const rest: Record<string, CustodyClient> = {};
  const grpcs: CustodyGrpcClient[] = [];

  function grpcFor(id: string): CustodyGrpcClient {
    const c = new CustodyGrpcClient(gateway.grpcAddress, keys[id]!);
    grpcs.push(c);
    return c;
  }

  async function rpc<Req, Res>(as: string, service: string, method: string, req: Codec<Req>, res: Decoder<Res>, body: Record<string, unknown>, write = false): Promise<Record<string, unknown>> {
    const bytes = req.encode(req.fromObject(body)).finish();
    const decoded = await grpcFor(as).call(`/custody.v1.${service}/${method}`, bytes, (b) => res.decode(b), write ? { idempotencyKey: randomUUID() } : {});
    return res.toObject(decoded, GRPC_OPTS);
  }

  const policies = (as: string) => new PoliciesApi(rest[as]!);
  const approvals = (as: string) => new ApprovalsApi(rest[as]!);
  const book = (as: string) => new AddressBookApi(rest[as]!);

  beforeAll(async () => {
    engine = await startPolicyEngine({ bootstrap });
    gateway = await startGateway({ POLICY_ENGINE_GRPC_ADDRESS: engine.grpcAddress, DATABASE_URL: engine.databaseUrl.toString() });
    const admin = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: gateway.admin, attempts: 1 });
    const roles: Record<string, string[]> = { 'ca-1': ['compliance-admin'], 'ca-2': ['compliance-admin'], 'ap-1': ['approver'], 'ap-2': ['approver'], 'ca-outsider': ['compliance-admin'], auditor: ['auditor'] };
    for (const [id, r] of Object.entries(roles)) {
      keys[id] = testKey(id);
      await admin.createClient({ clientId: id, publicKey: keys[id].publicKeyHex, roles: r });
      rest[id] = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: keys[id], attempts: 1 });
    }
  }, 120_000);

  afterAll(async () => {
    for (const c of grpcs) c.close();
    await gateway?.stop();
    await engine?.stop();
  }, 60_000);

  describe('policies: propose, approve (admin quorum), activate, get, list, diff, lint, dry run, replay', () => {
    const proposalId = `p-${randomUUID().slice(0, 8)}`;
    const next = policy('next', [{ id: 'tiny-withdrawal', match: { operation: ['withdrawal'], amount: { max: '10' } }, action: { type: 'allow' } }]);

    it('proposes over REST; gRPC GetPolicy answers the same resource', async () => {
      const p = await policies('ca-1').propose(JSON.stringify(next), proposalId);
      expect(p).toMatchObject({ name: `policies/${proposalId}`, kind: 'proposal', state: 'open', quorum: 2, quorumState: 'pending', proposedBy: 'ca-1', baseVersion: 1 });
      expect(JSON.parse(p.document)).toMatchObject({ metadata: { name: 'next' } });
      const viaGrpc = await rpc('ca-2', 'PolicyService', 'GetPolicy', custody.v1.PolicyRequest, custody.v1.Policy, { name: `policies/${proposalId}` });
      expect(viaGrpc).toEqual(await policies('ca-2').get(proposalId));
    });

    it('refuses, naming the field or the reason: malformed inputs 400, no quorum 409, a non-admin or a bad signature 403', async () => {
      expect(await restError(rest['ca-1']!.request('POST', '/v1/policies', {}))).toMatchObject({ status: 400, code: 'invalid-argument', detail: containing('document') });
      expect(await restError(rest['ca-1']!.request('POST', '/v1/policies', { document: '{}', extra: 1 }))).toMatchObject({ status: 400, code: 'unknown-field', detail: containing('extra') });
      expect(await restError(policies('ca-1').propose(JSON.stringify({ ...next, rules: 'x' })))).toMatchObject({ status: 400, code: 'invalid-argument', detail: containing('/rules') });
      expect(await restError(rest['ca-1']!.request('POST', `/v1/policies/${proposalId}/approve`, { signature: 'zz' }))).toMatchObject({ status: 400, code: 'invalid-argument', detail: containing('signature') });
      expect(await restError(rest['ca-1']!.request('GET', '/v1/policies/bad%20id'))).toMatchObject({ status: 400, code: 'invalid-argument', detail: containing('policyId') });
      expect(await restError(policies('ca-1').activate(proposalId))).toMatchObject({ status: 409, code: 'failed-precondition' });
      expect(await restError(policies('ca-outsider').propose(JSON.stringify(next)))).toMatchObject({ status: 403, code: 'policy-refused', detail: containing('not a current admin') });
      // Signed with the API client's request key, not its registered approval key.
      expect(await restError(policies('ca-1').approve(proposalId, keys['ca-1']!.privateKey))).toMatchObject({ status: 403, code: 'policy-refused' });
      expect(await restError(policies('ca-1').get('nope'))).toMatchObject({ status: 404, code: 'not-found' });
      const e = await rpc('ca-1', 'PolicyService', 'ApprovePolicy', custody.v1.PolicyRequest, custody.v1.Policy, { name: `policies/${proposalId}`, signature: '00' }, true).catch((x: unknown) => x);
      expect(grpcCode(e)).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, reason: 'INVALID_ARGUMENT', message: containing('signature') });
      const f = await rpc('ca-1', 'PolicyService', 'GetPolicy', custody.v1.PolicyRequest, custody.v1.Policy, { name: 'versions/1' }).catch((x: unknown) => x);
      expect(grpcCode(f)).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, message: containing('name') });
    });

    it('lint, diff and dry run give the same reports over REST and gRPC', async () => {
      const lint = await policies('ca-1').lint(proposalId);
      expect(lint).toMatchObject({ valid: true });
      const lintGrpc = await rpc('ap-1', 'PolicyService', 'LintPolicy', custody.v1.PolicyRequest, custody.v1.PolicyReport, { name: `policies/${proposalId}` }, true);
      expect(JSON.parse(lintGrpc.report as string)).toEqual(lint);
      const draftLint = await policies('ca-1').lint('-', JSON.stringify({ ...next, rules: 'x' }));
      expect(draftLint).toMatchObject({ valid: false, issues: [like({ path: '/rules' })] });

      const diff = (await policies('ca-1').diff(proposalId)) as { rulesAdded?: unknown };
      expect(JSON.stringify(diff)).toContain('tiny-withdrawal');
      const diffGrpc = await rpc('ca-1', 'PolicyService', 'DiffPolicy', custody.v1.DiffPolicyRequest, custody.v1.PolicyReport, { name: `policies/${proposalId}`, other: 'policies/v1' }, true);
      expect(JSON.parse(diffGrpc.report as string)).toEqual(diff);

      const withdrawal = { operation: 'withdrawal', initiatorId: 'ops-1', sourceWalletId: 'w-1', assetId: 'ETH', assetDecimals: 18, amount: '50', destinationAddress: '0x' + '11'.repeat(20), destinationChainId: 31337, chainId: 31337 };
      const underProposal = (await policies('ca-1').dryRun(proposalId, withdrawal)) as { outcome: string; matchedRule: string };
      const underActive = (await policies('ca-1').dryRun('active', withdrawal)) as { outcome: string; matchedRule: string };
      expect(underProposal).toMatchObject({ outcome: 'allow', matchedRule: 'small-withdrawal' });
      expect(underActive).toMatchObject({ outcome: 'allow', matchedRule: 'small-withdrawal', policyVersion: 1 });
      const tiny = (await policies('ca-1').dryRun(proposalId, { ...withdrawal, amount: '5' })) as { matchedRule: string };
      expect(tiny.matchedRule).toBe('tiny-withdrawal');
      const dryGrpc = await rpc('ca-1', 'PolicyService', 'DryRunPolicy', custody.v1.DryRunPolicyRequest, custody.v1.PolicyReport, { name: `policies/${proposalId}`, request: JSON.stringify({ ...withdrawal, amount: '5' }) }, true);
      expect(JSON.parse(dryGrpc.report as string)).toEqual(tiny);
      expect(await restError(policies('ca-1').dryRun(proposalId, { ...withdrawal, amount: 'lots' }))).toMatchObject({ status: 400, code: 'invalid-argument', detail: containing('amount') });
      expect(await restError(policies('ca-1').dryRun(proposalId, { ...withdrawal, colour: 'red' }))).toMatchObject({ status: 400, code: 'unknown-field', detail: containing('colour') });
    });

    it('approve with a quorum of admin signatures (one over REST, one over gRPC), then activate: v2 is active', async () => {
      const first = await policies('ca-1').approve(proposalId, approvalKeyFromSeed(ca1.seed));
      expect(first).toMatchObject({ quorumState: 'pending', approvedBy: ['ca-1'] });
      const signature = signApprovalMessage(first.approveMessage, approvalKeyFromSeed(ca2.seed));
      const second = await rpc('ca-2', 'PolicyService', 'ApprovePolicy', custody.v1.PolicyRequest, custody.v1.Policy, { name: `policies/${proposalId}`, decision: 'approve', signature }, true);
      expect(second).toMatchObject({ quorumState: 'approved', approvedBy: ['ca-1', 'ca-2'] });
      expect((second.decisions as unknown[]).length).toBe(2);
      const activated = await policies('ca-2').activate(proposalId);
      expect(activated).toMatchObject({ state: 'activated', version: 2 });
      const active = await policies('ap-1').get('active');
      expect(active).toMatchObject({ name: 'policies/v2', kind: 'version', state: 'active', contentHash: activated.contentHash });
      expect(await restError(policies('ca-1').activate(proposalId))).toMatchObject({ status: 409, code: 'failed-precondition' });
    });

    it('lists versions newest first with cursor paging, the same over gRPC', async () => {
      const page1 = await policies('auditor').list(1);
      expect(page1.items.map((p: PolicyResource) => p.name)).toEqual(['policies/v2']);
      expect(page1.nextPageToken).not.toBe('');
      const page2 = await policies('auditor').list(1, page1.nextPageToken);
      expect(page2.items.map((p) => p.name)).toEqual(['policies/v1']);
      expect(page2.nextPageToken).toBe('');
      const viaGrpc = await rpc('auditor', 'PolicyService', 'ListPolicies', custody.v1.ListPoliciesRequest, custody.v1.ListPoliciesResponse, { pageSize: 1, pageToken: page1.nextPageToken });
      expect(viaGrpc).toEqual({ policies: page2.items, nextPageToken: '' });
      expect(await restError(rest['auditor']!.request('GET', '/v1/policies?page_token=garbage!'))).toMatchObject({ status: 400, code: 'invalid-argument', detail: containing('page_token') });
      const proposals = await policies('auditor').list(0, '', { kind: 'proposal' });
      expect(proposals.items.map((p) => [p.name, p.state])).toEqual([[`policies/${proposalId}`, 'activated']]);
      expect((await policies('auditor').list(0, '', { kind: 'proposal', state: 'open' })).items).toEqual([]);
      const proposalsGrpc = await rpc('auditor', 'PolicyService', 'ListPolicies', custody.v1.ListPoliciesRequest, custody.v1.ListPoliciesResponse, { kind: 'proposal' });
      expect(proposalsGrpc).toEqual({ policies: proposals.items, nextPageToken: '' });
      expect(await restError(rest['auditor']!.request('GET', '/v1/policies?kind=draft'))).toMatchObject({ status: 400, code: 'invalid-argument', detail: containing('kind') });
    });
  });

  describe('address book under policy, and approvals: what waits for me, approve or reject with my signature and a reason', () => {
    const address = (n: number) => '0x' + n.toString(16).padStart(2, '0').repeat(20);

    it('a change the policy allows is applied at once; one it denies is refused (403 policy-denied); malformed 400', async () => {
      const e = await book('ca-1').create({ label: 'auto desk', chain: '31337', address: address(1).toUpperCase().replace('0X', '0x'), tags: ['auto'], entryId: 'auto-1' });
      expect(e).toMatchObject({ name: 'addressBookEntries/auto-1', state: 'applied', address: address(1), chain: '31337', tags: ['auto'] });
      expect(await restError(book('ca-1').create({ label: 'bad', chain: '31337', address: address(2), tags: ['blocked'] }))).toMatchObject({ status: 403, code: 'policy-denied', detail: containing('blocked') });
      expect(await restError(book('ca-1').create({ label: 'x', chain: 'mainnet', address: address(3) }))).toMatchObject({ status: 400, code: 'invalid-argument', detail: containing('chain') });
      expect(await restError(book('ca-1').create({ label: 'x', chain: '31337', address: '0x1234' }))).toMatchObject({ status: 400, code: 'invalid-argument', detail: containing('address') });
      const g = await rpc('ca-1', 'AddressBookService', 'CreateAddressBookEntry', custody.v1.CreateAddressBookEntryRequest, custody.v1.AddressBookEntry, { label: 'x', chain: '31337', address: '0xnope' }, true).catch((x: unknown) => x);
      expect(grpcCode(g)).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, message: containing('address') });
      const listed = await book('ap-1').list(0, '', { tag: 'auto' });
      const listedGrpc = await rpc('ap-1', 'AddressBookService', 'ListAddressBookEntries', custody.v1.ListAddressBookEntriesRequest, custody.v1.ListAddressBookEntriesResponse, { tag: 'auto' });
      expect(listed.items.map((x) => x.name)).toEqual(['addressBookEntries/auto-1']);
      expect(listedGrpc).toEqual({ entries: listed.items, nextPageToken: '' });
    });

    it('a change needing two approvals: pending, listed for each approver with its trace, approved over REST then gRPC, applied', async () => {
      const created = await book('ca-2').create({ label: 'treasury cold', chain: '31337', address: address(4), entryId: 'cold-1' });
      expect(created).toMatchObject({ state: 'pending-approval', request: matching(/^approvals\/ab-/) });
      expect((await book('ca-2').list()).items.map((x) => x.name)).not.toContain('addressBookEntries/cold-1');

      const mine = async (as: string) => {
        const out: ApprovalResource[] = [];
        for await (const a of approvals(as).all(1)) out.push(a);
        return out.filter((a) => a.name === created.request);
      };
      const [waiting] = await mine('ap-1');
      expect(waiting).toMatchObject({ state: 'pending-approval', operation: 'address-book-change', initiator: 'ca-2', policyVersion: 2, decisions: [] });
      expect(JSON.parse(waiting!.trace)).toMatchObject({ matchedRule: { id: 'two-approvers' }, approvals: { groups: [{ group: 'approvers', quorum: 2, approvedBy: [] }] } });
      expect(JSON.parse(waiting!.requestBody)).toMatchObject({ attributes: { entryId: 'cold-1' } });

      // Not my approval key: the engine refuses, nothing is recorded.
      expect(await restError(approvals('ap-1').decide(waiting!, 'approve', keys['ap-1']!.privateKey))).toMatchObject({ status: 403, code: 'policy-refused' });
      expect(await restError(rest['ap-1']!.request('POST', `/v1/${created.request}/approve`, { signature: 'ab' }))).toMatchObject({ status: 400, code: 'invalid-argument', detail: containing('signature') });

      const afterOne = await approvals('ap-1').decide(waiting!, 'approve', approvalKeyFromSeed(ap1.seed), 'known counterparty');
      expect(afterOne).toMatchObject({ state: 'pending-approval', decisions: [{ approver: 'ap-1', decision: 'approve', reason: 'known counterparty' }] });
      expect(JSON.parse(afterOne.trace)).toMatchObject({ approvals: { groups: [{ approvedBy: ['ap-1'] }] } });
      expect(await mine('ap-1')).toEqual([]);

      const forTwo = await rpc('ap-2', 'ApprovalService', 'ListApprovals', custody.v1.ListApprovalsRequest, custody.v1.ListApprovalsResponse, {});
      const viaGrpc = (forTwo.approvals as Record<string, unknown>[]).find((a) => a.name === created.request)!;
      expect(viaGrpc).toEqual((await mine('ap-2'))[0]);
      const signature = signApprovalMessage(viaGrpc.approveMessage as string, approvalKeyFromSeed(ap2.seed));
      const done = await rpc('ap-2', 'ApprovalService', 'ApproveApproval', custody.v1.DecideApprovalRequest, custody.v1.Approval, { name: created.request, signature, reason: 'second pair of eyes' }, true);
      expect(done).toMatchObject({ state: 'allowed', decisions: [like({ approver: 'ap-1' }), like({ approver: 'ap-2', reason: 'second pair of eyes' })] });
      expect((await book('ca-2').list()).items.find((x) => x.name === 'addressBookEntries/cold-1')).toMatchObject({ state: 'applied', address: address(4) });
      // An approver decides once: another decision by ap-1 is refused.
      expect(await restError(approvals('ap-1').decide(waiting!, 'reject', approvalKeyFromSeed(ap1.seed)))).toMatchObject({ status: 409, code: 'already-exists' });
    });

    it('a rejection with a reason ends the change; deletes go through policy too', async () => {
      const created = await book('ca-1').create({ label: 'unknown', chain: '31337', address: address(5), entryId: 'reject-me' });
      const waiting = (await approvals('ap-2').list()).items.find((a) => a.name === created.request)!;
      const rejected = await approvals('ap-2').decide(waiting, 'reject', approvalKeyFromSeed(ap2.seed), 'never heard of them');
      expect(rejected).toMatchObject({ state: 'rejected', decisions: [{ approver: 'ap-2', decision: 'reject', reason: 'never heard of them' }] });
      expect((await approvals('ap-1').list()).items.map((a) => a.name)).not.toContain(created.request);
      expect((await book('ca-1').list()).items.map((x) => x.name)).not.toContain('addressBookEntries/reject-me');

      const removed = await rpc('ca-1', 'AddressBookService', 'DeleteAddressBookEntry', custody.v1.DeleteAddressBookEntryRequest, custody.v1.DeleteAddressBookEntryResponse, { name: 'addressBookEntries/cold-1' });
      expect(removed).toMatchObject({ state: 'pending-approval', request: matching(/^approvals\//) });
      expect(await book('ca-1').delete('auto-1')).toMatchObject({ state: 'applied' });
      expect((await book('ca-1').list()).items.map((x) => x.name)).toEqual(['addressBookEntries/cold-1']);
      expect(await restError(book('ca-1').delete('no-such-entry'))).toMatchObject({ status: 404, code: 'not-found' });
    });

    it('a request the signers will sign: approvals carry the grant signature over grant_digest; the grant carries both approvers', async () => {
      // The pipeline's part (not wired in yet): the request evaluated at the engine, as the pipeline will.
      const requestId = `msg-${randomUUID().slice(0, 8)}`;
      const signRequest = signRequestToJson({ requestId, keyId: 'key-1', scheme: 'eddsa', derivationPath: [], payload: { kind: 'message', message: new Uint8Array([1, 2, 3, 4]), hash: 'none' } });
      const evaluated = await engine.call<{ status: string }>('Evaluate', { request: { requestId, operation: 'message-signing', initiatorId: 'ops-1', sourceWalletId: 'w-1', signRequestJson: JSON.stringify(signRequest) } });
      expect(evaluated.status).toBe('pending-approval');
      const waiting = (await approvals('ap-1').list()).items.find((a) => a.name === `approvals/${requestId}`)!;
      expect(waiting.grantDigest).toBe(Buffer.from(requestDigest(signRequestFromJson(JSON.parse(waiting.signRequest)))).toString('hex'));
      expect(await restError(rest['ap-1']!.request('POST', `/v1/${waiting.name}/approve`, { signature: signApprovalMessage(waiting.approveMessage, approvalKeyFromSeed(ap1.seed)) }))).toMatchObject({ status: 400, code: 'invalid-argument', detail: containing('grant_signature') });
      await approvals('ap-1').decide(waiting, 'approve', approvalKeyFromSeed(ap1.seed));
      const key2 = approvalKeyFromSeed(ap2.seed);
      const done = await rpc('ap-2', 'ApprovalService', 'ApproveApproval', custody.v1.DecideApprovalRequest, custody.v1.Approval, { name: waiting.name, signature: signApprovalMessage(waiting.approveMessage, key2), grantSignature: signApprovalMessage(waiting.grantDigest, key2) }, true);
      expect(done.state).toBe('allowed');
      const { grantJson } = await engine.call<{ grantJson: string }>('GetRequest', { requestId });
      const grant = decodeSignGrant(grantJson);
      expect(grant.approvals.map((a) => a.approverId).sort()).toEqual(['ap-1', 'ap-2']);
      for (const a of grant.approvals) expect(ed25519.verify(a.signature, Buffer.from(waiting.grantDigest, 'hex'), Buffer.from((a.approverId === 'ap-1' ? ap1 : ap2).publicKeyHex, 'hex'))).toBe(true);
    });

    it('the CLI: `custody approvals` lists what waits for the approver; `custody approve` signs with its approval key from the secrets directory', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'policy-cli-'));
      const apiSeed = randomBytes(32);
      writeFileSync(join(dir, 'approver-1.client-seed'), apiSeed.toString('hex') + '\n', { mode: 0o600 });
      writeFileSync(join(dir, 'dev-approver-1.approver-seed'), Buffer.from(devAp.seed).toString('hex') + '\n', { mode: 0o600 });
      const admin = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: gateway.admin, attempts: 1 });
      await admin.createClient({ clientId: 'dev-approver-1', publicKey: Buffer.from(ed25519.getPublicKey(apiSeed)).toString('hex'), roles: ['approver'] });
      const created = await book('ca-1').create({ label: 'via cli', chain: '31337', address: address(6), entryId: 'cli-1' });
      // Asynchronously: a blocked event loop would leave this process's keep-alive sockets to the gateway stale.
      const cli = async (args: string[]) => (await promisify(execFile)(process.execPath, [CUSTODY_BIN, ...args, '--as', 'approver-1', '--gateway', gateway.baseUrl, '--secrets-dir', dir], { encoding: 'utf8' })).stdout;
      const listed = (await cli(['approvals'])).split('\n');
      expect(listed[0]).toMatch(/^APPROVAL +OPERATION +INITIATOR +STATE +POLICY +DECIDED +EXPIRES$/);
      expect(listed.some((l) => l.startsWith(`${created.request} `) && l.includes('address-book-change') && l.includes('pending-approval'))).toBe(true);
      const approved = JSON.parse(await cli(['approve', created.request, '--reason', 'checked by cli', '--json'])) as ApprovalResource;
      expect(approved).toMatchObject({ name: created.request, state: 'pending-approval', decisions: [{ approver: 'dev-approver-1', decision: 'approve', reason: 'checked by cli' }] });
    });

    it('replays the stored requests under a draft: the same report over REST and gRPC', async () => {
      const draft = JSON.stringify(policy('allow-all-book', [{ id: 'book-open', match: { operation: ['address-book-change'] }, action: { type: 'allow' } }]));
      const report = (await policies('ca-1').replay('-', { document: draft })) as { replayed: number; changes: { requestId: string; newOutcome: string }[] };
      expect(report.replayed).toBeGreaterThanOrEqual(4);
      expect(report.changes.length).toBeGreaterThan(0);
      expect(report.changes.every((c) => c.newOutcome === 'allow')).toBe(true);
      const viaGrpc = await rpc('ca-1', 'PolicyService', 'ReplayPolicy', custody.v1.PolicyRequest, custody.v1.PolicyReport, { name: 'policies/-', document: draft }, true);
      expect(JSON.parse(viaGrpc.report as string)).toEqual(report);
      expect(await restError(policies('ca-1').replay('v1', { startTime: 'yesterday' }))).toMatchObject({ status: 400, code: 'invalid-argument', detail: containing('start_time') });
    });
  });
});
