import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { DataSource } from 'typeorm';
import type { Browser, Page } from 'playwright-core';
import { CustodyClient } from '@custody/client';
import type { AuditRecord } from '@custody/audit-core';
import { AuditLogStore, appendAuditRecords } from '@custody/audit-log';
import { connectPostgres } from '@custody/persistence';
import { cosignatureVerifier, cosigner, ed25519NoteSigner, formatVerifierKey, verifierFromKey } from '@custody/transparency-log';
import { CUSTODY_BIN, launchChromium, registerKeyInPage, saveScreenshot, startGateway, type RunningGateway } from '@custody/testing';

/**
 * The auditor's page in the real Chromium against the real gateway: records written and checkpointed
 * in the services' database as the log's owner and a witness do; the page checks inclusion proofs and
 * the witness's cosignature itself, against keys pinned in the browser, notices a record the server
 * altered, and checks that today's log extends the checkpoint remembered from the last visit.
 */
jest.setTimeout(60_000);

const ORIGIN = 'custody.test/console-audit';
const logSeed = randomBytes(32);
const logKey = formatVerifierKey(ORIGIN, 0x01, ed25519.getPublicKey(logSeed));
const witness = cosigner('witness-1.custody.test', randomBytes(32));
const witnessKey = formatVerifierKey(witness.name, 0x04, witness.publicKey);
const otherLogKey = formatVerifierKey(ORIGIN, 0x01, ed25519.getPublicKey(randomBytes(32)));

describe('console: the audit log verified in the browser (e2e, Chromium)', () => {
  let gateway: RunningGateway;
  let ds: DataSource;
  let store: AuditLogStore;
  let browser: Browser;
  let page: Page;
  const tag = randomUUID().slice(0, 8);
  const t0 = Date.UTC(2026, 11, 2, 12, 0, 0);

  const record = (type: AuditRecord['type'], requestId: string, at: number, body: Record<string, string>): AuditRecord => ({ version: 1, type, occurredAt: at, actor: `ops-${tag}`, requestId, wallet: null, body });

  async function appendAndCheckpoint(records: AuditRecord[]): Promise<void> {
    await ds.transaction((tx) => appendAuditRecords(tx, records));
    await store.integrate();
    const cp = (await store.latestCheckpoint())!;
    await store.addCosignature(cp.size, cosignatureVerifier(witness.name, witness.publicKey), witness.cosign(cp.note.slice(0, cp.note.indexOf('\n\n') + 1), BigInt(Math.floor(t0 / 1000))));
  }

  async function pin(log: string, witnesses: string): Promise<void> {
    await page.getByLabel('Log key (C2SP vkey)').fill(log);
    await page.getByLabel('Witness keys (one vkey per line)').fill(witnesses);
    await page.getByRole('button', { name: 'Pin these keys' }).click();
  }

  beforeAll(async () => {
    gateway = await startGateway({ GATEWAY_RATE_LIMIT_CLIENT: '100000', GATEWAY_RATE_LIMIT_IP: '100000' });
    const admin = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: gateway.admin, attempts: 1 });
    ds = await connectPostgres(gateway.databaseUrl, { poolSize: 2 });
    store = new AuditLogStore(ds, ORIGIN, ed25519NoteSigner(ORIGIN, logSeed), verifierFromKey(logKey));
    await appendAndCheckpoint([
      record('policy-proposal', `p-${tag}`, t0, { proposalId: `p-${tag}`, contentHash: 'aa'.repeat(32) }),
      record('api-request', `wd-${tag}`, t0 + 1000, { method: 'POST', path: '/v1/withdrawals' }),
    ]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await registerKeyInPage(page, `${gateway.baseUrl}/console/`, `auditor-${tag}`, 'auditor', (publicKey) => admin.createClient({ clientId: `auditor-${tag}`, publicKey, roles: ['auditor'] }));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ds?.destroy();
    await gateway?.stop();
  });

  it('verifies a record\'s inclusion and the witness cosignature in the page, against the pinned keys', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await pin(logKey, witnessKey);
    await page.getByLabel('request id').fill(`wd-${tag}`);
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.getByRole('row').filter({ hasText: `wd-${tag}` });
    await row.waitFor();
    await row.getByRole('button', { name: /^Verify/ }).click();
    await page.getByTestId('inclusion').filter({ hasText: 'Included' }).waitFor();
    expect(await page.getByTestId('witnesses').textContent()).toContain('Cosigned by 1 pinned witness: witness-1.custody.test');
    await saveScreenshot(page, 'audit');
    await page.getByRole('button', { name: 'Remember this checkpoint' }).click();
    await page.getByTestId('remembered').filter({ hasText: 'Remembered checkpoint' }).waitFor();
  });

  it('verifies every record shown at once (up to 100 a page) in the page', async () => {
    await page.getByLabel('request id').fill('');
    await page.getByLabel('Records per page').selectOption('100');
    await page.locator('tbody tr').nth(1).waitFor();
    const shown = await page.locator('tbody tr').count();
    expect(shown).toBeGreaterThanOrEqual(2);
    const lists: string[] = [];
    const onRequest = (r: { url(): string }): void => {
      if (new URL(r.url()).pathname.startsWith('/v1/audit/records')) lists.push(r.url());
    };
    page.on('request', onRequest);
    await page.getByRole('button', { name: 'Verify the records shown' }).click();
    const status = page.getByTestId('page-verification');
    await status.filter({ hasText: `${shown} of ${shown} records verified in this browser` }).waitFor();
    page.off('request', onRequest);
    // One request for the page's records with their proofs (ListAuditRecords view=full), none per record.
    expect(lists).toHaveLength(1);
    expect(new URL(lists[0]!).searchParams.get('view')).toBe('full');
    expect(await status.textContent()).toContain('cosigned by 1 pinned witness (witness-1.custody.test)');
    expect(Number(await status.getAttribute('data-verify-ms'))).toBeGreaterThan(0);
    expect(await page.getByRole('row').filter({ hasText: `wd-${tag}` }).getByText('Included').count()).toBe(1);
    await page.getByLabel('request id').fill(`wd-${tag}`);
    await page.getByRole('button', { name: 'Search' }).click();
    await status.waitFor({ state: 'detached' });
    expect(await page.locator('tbody tr').count()).toBe(1);
  });

  it('refuses a checkpoint that the pinned log key did not sign', async () => {
    await pin(otherLogKey, witnessKey);
    await page.getByRole('row').filter({ hasText: `wd-${tag}` }).getByRole('button', { name: /^Verify/ }).click();
    await page.getByTestId('inclusion').filter({ hasText: 'Not verified' }).waitFor();
    await pin(logKey, witnessKey);
  });

  it('shows a record changed in the database as failing verification', async () => {
    const row = page.getByRole('row').filter({ hasText: `wd-${tag}` });
    const index = Number((await row.locator('td').first().textContent()) ?? 'x');
    // The append-only triggers refuse an UPDATE; an attacker with the database's superuser turns them off.
    const original = ((await ds.query('SELECT body FROM audit.records WHERE idx = $1', [index])) as { body: Buffer }[])[0]!.body;
    const setBody = (body: Buffer): Promise<unknown> =>
      ds.transaction(async (tx) => {
        await tx.query('SET LOCAL session_replication_role = replica');
        await tx.query('UPDATE audit.records SET body = $2 WHERE idx = $1', [index, body]);
      });
    const altered = Buffer.from(original.toString('utf8').replace('/v1/withdrawals', '/v1/withdrawalz'), 'utf8');
    expect(altered.equals(original)).toBe(false);
    await setBody(altered);
    try {
      await row.getByRole('button', { name: /^Verify/ }).click();
      await page.getByTestId('inclusion').filter({ hasText: 'do not hash to the leaf hash' }).waitFor();
      await saveScreenshot(page, 'audit-tampered');
      // The page check: listed before the change, the record the server now proves is another one; listed again, its bytes no longer hash to its leaf.
      const status = page.getByTestId('page-verification');
      await page.getByRole('button', { name: 'Verify the records shown' }).click();
      await status.filter({ hasText: '0 of 1 records verified' }).waitFor();
      expect(await row.getByText('Not verified').textContent()).toContain('the record listed is not the record the proof is for');
      await page.getByRole('button', { name: 'Search' }).click();
      await status.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Verify the records shown' }).click();
      await status.filter({ hasText: '0 of 1 records verified' }).waitFor();
      expect(await row.getByText('Not verified').textContent()).toContain('do not hash to the leaf hash');
    } finally {
      await setBody(original);
    }
  });

  it('checks that today\'s log extends the checkpoint remembered from the last visit', async () => {
    await appendAndCheckpoint([record('evaluation', `wd-${tag}`, t0 + 2000, { outcome: 'allow', traceHash: 'cc'.repeat(32) })]);
    await page.reload();
    await page.getByRole('button', { name: 'Check consistency with my last visit' }).click();
    await page.getByTestId('consistency').filter({ hasText: 'Consistent' }).waitFor();
  });

  it('reports a remembered checkpoint the log does not extend (a fork)', async () => {
    await page.evaluate(`(() => {
      const r = JSON.parse(localStorage.getItem('custody-console:audit-checkpoint'));
      r.rootHash = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
      localStorage.setItem('custody-console:audit-checkpoint', JSON.stringify(r));
    })()`);
    await page.reload();
    await page.getByRole('button', { name: 'Check consistency with my last visit' }).click();
    await page.getByTestId('consistency').locator('.bad').waitFor();
  });

  it('exports the log from the page as the file `custody audit verify` checks offline', async () => {
    await page.reload();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export for custody audit verify' }).click()]);
    const file = join(mkdtempSync(join(tmpdir(), 'console-audit-')), 'export.jsonl');
    await download.saveAs(file);
    const { stdout } = await promisify(execFile)(process.execPath, [CUSTODY_BIN, 'audit', 'verify', file, '--log-key', logKey, '--witness-key', witnessKey, '--witness-quorum', '1'], { encoding: 'utf8' });
    expect(stdout).toMatch(/ok|verified/i);
  });
});
