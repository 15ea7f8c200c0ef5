import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed25519PrivateKey } from '@custody/http-signatures';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AddressBookApi, ApprovalsApi, CustodyClient, PoliciesApi } from '@custody/client';
import { BOOTSTRAP_FORMAT, POLICY_FORMAT } from '@custody/policy-core';
import { launchChromium, registerKeyInPage, saveScreenshot, startGateway, startPolicyEngine, testKey, testPrincipal, type PolicyEngineProcess, type RunningGateway, type TestPrincipal } from '@custody/testing';

/**
 * The console's approver and compliance views in the real Chromium, against the real gateway and
 * policy engine: an approver's decision is signed in the page with the approval key over bytes the page
 * recomputed (and refused when the server's bytes differ); a compliance officer reads the rules, lints
 * a draft with a shadowed rule and dry-runs a request.
 */
jest.setTimeout(60_000);

const [ca1, ca2, ap1, ap2] = ['ca-1', 'ca-2', 'ap-1', 'ap-2'].map(testPrincipal) as [TestPrincipal, TestPrincipal, TestPrincipal, TestPrincipal];
const policy = {
  format: POLICY_FORMAT,
  metadata: { name: 'console' },
  approverGroups: { approvers: { members: ['ap-1', 'ap-2'] } },
  rules: [
    { id: 'auto', match: { operation: ['address-book-change'] }, condition: 'request.attributes.tags == "auto"', action: { type: 'allow' } },
    { id: 'two-approvers', match: { operation: ['address-book-change'] }, action: { type: 'require-approvals', combinator: 'all-of', groups: [{ group: 'approvers', quorum: 2 }], expiry: '1h', allowSelfApproval: false } },
    { id: 'small-withdrawal', match: { operation: ['withdrawal'], amount: { max: '100' } }, action: { type: 'allow' } },
  ],
};
const bootstrap = { format: BOOTSTRAP_FORMAT, admins: { members: ['ca-1', 'ca-2'], quorum: 2 }, keys: Object.fromEntries([ca1, ca2, ap1, ap2].map((p) => [p.id, p.publicKeyHex])), policy };
const address = (n: number): string => `0x${n.toString(16).padStart(40, '0')}`;

describe('console: approvals and policies in the browser (e2e, Chromium)', () => {
  let engine: PolicyEngineProcess;
  let gateway: RunningGateway;
  let admin: CustodyClient;
  let browser: Browser;
  /** ap-1's browser profile: its API key and its approval key live there. */
  let approver: { context: BrowserContext; page: Page };
  // ca-1's API key from a seed, so that its browser can import it as a development key.
  const complianceSeed = randomBytes(32);
  const compliance = { clientId: 'ca-1', privateKey: ed25519PrivateKey(complianceSeed), publicKeyHex: Buffer.from(ed25519.getPublicKey(complianceSeed)).toString('hex') };

  /** A browser profile of its own (its own IndexedDB) whose key, made in the page, an admin registers with `roles`. */
  async function userPage(clientId: string, roles: string[]): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await registerKeyInPage(page, `${gateway.baseUrl}/console/`, clientId, roles[0]!, (publicKey) => admin.createClient({ clientId, publicKey, roles }));
    return { context, page };
  }

  beforeAll(async () => {
    engine = await startPolicyEngine({ bootstrap });
    gateway = await startGateway({ POLICY_ENGINE_GRPC_ADDRESS: engine.grpcAddress, DATABASE_URL: engine.databaseUrl.toString() });
    admin = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: gateway.admin, attempts: 1 });
    await admin.createClient({ clientId: compliance.clientId, publicKey: compliance.publicKeyHex, roles: ['compliance-admin'] });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await engine?.stop();
  }, 60_000);

  it('an approver approves in the page: the signature is made in the browser and the engine counts it', async () => {
    const book = new AddressBookApi(new CustodyClient({ baseUrl: gateway.baseUrl, credentials: compliance, attempts: 1 }));
    const entryId = `desk-${randomUUID().slice(0, 6)}`;
    const created = await book.create({ label: 'OTC desk', chain: '31337', address: address(0xd35c), entryId });
    expect(created.state).toBe('pending-approval');

    approver = await userPage('ap-1', ['approver']);
    const { page } = approver;
    await page.getByRole('link', { name: 'Approvals' }).click();
    await page.getByLabel('Approval key seed (64 hex digits)').fill(Buffer.from(ap1.seed).toString('hex'));
    await page.getByRole('button', { name: 'Import approval key' }).click();
    expect(await page.getByTestId('approval-key').textContent()).toBe(ap1.publicKeyHex);

    const card = page.getByTestId('approval').filter({ hasText: 'address-book-change by ca-1' });
    await card.waitFor();
    expect(await card.getByTestId('trace').textContent()).toContain('approvers');
    await card.getByLabel('Reason').fill('known counterparty');
    await card.getByRole('button', { name: /^Approve/ }).click();
    await page.getByRole('status').filter({ hasText: 'Approved' }).waitFor();
    expect(fs.existsSync(await saveScreenshot(page, 'approvals'))).toBe(true);

    // The engine recorded ap-1's approval with its reason; ap-2 still sees the request, with ap-1's decision.
    const ap2Key = testKey('ap-2');
    await admin.createClient({ clientId: 'ap-2', publicKey: ap2Key.publicKeyHex, roles: ['approver'] });
    const waiting = await new ApprovalsApi(new CustodyClient({ baseUrl: gateway.baseUrl, credentials: ap2Key, attempts: 1 })).list();
    const mine = waiting.items.find((a) => a.name === created.request);
    expect(mine?.decisions).toEqual([expect.objectContaining({ approver: 'ap-1', decision: 'approve', reason: 'known counterparty' })]);
  });

  it('refuses to sign when the server\'s approval message is not the one for the request shown', async () => {
    const book = new AddressBookApi(new CustodyClient({ baseUrl: gateway.baseUrl, credentials: compliance, attempts: 1 }));
    const created = await book.create({ label: 'Other desk', chain: '31337', address: address(0xbeef), entryId: `other-${randomUUID().slice(0, 6)}` });
    const { page } = approver;
    // A lying gateway: the approval message it hands out is for another request.
    await page.route('**/v1/approvals?*', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { approvals: { approveMessage: string }[] };
      for (const a of body.approvals) a.approveMessage = a.approveMessage.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
      await route.fulfill({ response, json: body });
    });
    const posts: string[] = [];
    page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
    await page.reload();
    await page.getByTestId('approval-key').waitFor();
    const card = page.getByTestId('approval').filter({ hasText: created.request.replace('approvals/', '') });
    await card.waitFor();
    await card.getByRole('button', { name: /^Approve/ }).click();
    await page.getByRole('alert').filter({ hasText: 'not the one for this request' }).waitFor();
    expect(posts).toEqual([]);
    await approver.context.close();
  });

  it('a compliance officer reads the rules, lints a draft with a shadowed rule and dry-runs a request', async () => {
    const { context, page } = await userPage('ca-2', ['compliance-admin']);
    await page.getByRole('link', { name: 'Policies' }).click();
    const rules = page.getByTestId('rules');
    await rules.waitFor();
    expect((await rules.locator('tbody tr').allTextContents()).map((t) => t.slice(0, 20))).toEqual([expect.stringContaining('auto'), expect.stringContaining('two-approvers'), expect.stringContaining('small-withdrawal')]);

    const draft = { ...policy, metadata: { name: 'draft' }, rules: [...policy.rules, { id: 'never-reached', match: { operation: ['address-book-change'] }, action: { type: 'deny', reason: 'x' } }] };
    await page.getByLabel('Policy document (JSON)').fill(JSON.stringify(draft, null, 2));
    await page.getByRole('button', { name: 'Validate and lint' }).click();
    await page.getByTestId('lint').getByText(/never-reached|rule 4/).first().waitFor();

    await page.getByLabel('Policy document (JSON)').fill('{"format": 1, "rules": "not a list"}');
    await page.getByRole('button', { name: 'Validate and lint' }).click();
    await page.getByTestId('lint').locator('li.bad').first().waitFor();

    await page.getByLabel('A hypothetical request (JSON)').fill(JSON.stringify({ requestId: 'dry-1', operation: 'withdrawal', initiatorId: 'ops', sourceWalletId: 'w-1', destinationAddress: address(0xd35c), destinationChainId: 31337, assetId: 'ETH', assetDecimals: 18, amount: '5' }));
    await page.getByRole('button', { name: 'Dry run against the active policy' }).click();
    await page.getByTestId('report').getByText('small-withdrawal').first().waitFor();

    // Propose a change, read its diff against the active version, and approve it with this admin's approval key.
    const next = { ...policy, metadata: { name: 'next' }, rules: [{ id: 'tiny-withdrawal', match: { operation: ['withdrawal'], amount: { max: '10' } }, action: { type: 'allow' } }, ...policy.rules] };
    await page.getByLabel('Policy document (JSON)').fill(JSON.stringify(next, null, 2));
    await page.getByRole('button', { name: 'Propose' }).click();
    const proposed = page.getByRole('status').filter({ hasText: 'Proposed' });
    await proposed.waitFor();
    const proposal = /Proposed (policies\/[^:]+):/.exec((await proposed.textContent()) ?? '')![1]!;
    const proposalId = proposal.replace('policies/', '');
    await page.getByLabel('From (v3, active, or a proposal id)').fill(proposalId);
    await page.getByLabel('To').fill('active');
    await page.getByRole('button', { name: 'Diff', exact: true }).click();
    await page.getByTestId('report').getByText('tiny-withdrawal').first().waitFor();
    await saveScreenshot(page, 'policies');
    await page.getByLabel('Approval key seed (64 hex digits)').fill(Buffer.from(ca2.seed).toString('hex'));
    await page.getByRole('button', { name: 'Import approval key' }).click();
    await page.getByRole('row').filter({ hasText: proposal }).getByRole('button', { name: /^Approve/ }).click();
    await page.getByRole('status').filter({ hasText: 'Approved' }).waitFor();
    await context.close();

    // The second admin, ca-1, in a browser of its own: its API key and approval key imported, approves; the change is activated.
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page2 = await other.newPage();
    await page2.goto(`${gateway.baseUrl}/console/`);
    await page2.getByLabel('Client id').fill('ca-1');
    await page2.getByText('Import a development key').click();
    await page2.getByLabel('Seed (64 hex digits, e.g. from .custody/local-secrets)').fill(complianceSeed.toString('hex'));
    await page2.getByRole('button', { name: 'Import', exact: true }).click();
    await page2.getByTestId('roles').filter({ hasText: 'compliance-admin' }).waitFor();
    await page2.getByRole('link', { name: 'Policies' }).click();
    await page2.getByLabel('Approval key seed (64 hex digits)').fill(Buffer.from(ca1.seed).toString('hex'));
    await page2.getByRole('button', { name: 'Import approval key' }).click();
    await page2.getByRole('row').filter({ hasText: proposal }).getByRole('button', { name: /^Approve/ }).click();
    await page2.getByRole('status').filter({ hasText: 'Approved' }).waitFor();
    await page2.getByRole('row').filter({ hasText: proposal }).getByRole('button', { name: /^Activate/ }).click();
    await page2.getByRole('status').filter({ hasText: 'Activated' }).waitFor();
    const active = await new PoliciesApi(new CustodyClient({ baseUrl: gateway.baseUrl, credentials: compliance, attempts: 1 })).get('active');
    expect(active.document).toContain('tiny-withdrawal');
    await other.close();
  });
});
