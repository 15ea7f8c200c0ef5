import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { CustodyClient } from '@custody/client';
import { launchChromium, startGateway, type RunningGateway } from '@custody/testing';

/**
 * The console in the real Chromium against the real gateway: a key made in the browser (WebCrypto,
 * non-extractable, kept in IndexedDB) signs the page's requests (RFC 9421), which the gateway verifies;
 * an admin in the page registers another client; the page is usable at 375 and 1280 px.
 */
describe('console: keys in the browser and signed requests (e2e, Chromium)', () => {
  let gateway: RunningGateway;
  let admin: CustodyClient;
  let browser: Browser;
  let page: Page;
  const clientId = `console-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    gateway = await startGateway();
    admin = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: gateway.admin, attempts: 1 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('serves the page with a strict content security policy and no third-party resources', async () => {
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const response = await page.goto(`${gateway.baseUrl}/console/`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    await page.getByRole('heading', { name: 'Your key' }).waitFor();
    expect(requests.length).toBeGreaterThan(1);
    for (const url of requests) expect(new URL(url).origin).toBe(gateway.baseUrl);
  });

  it('makes a non-extractable Ed25519 key in the browser and shows its public key and fingerprint', async () => {
    await page.getByLabel('Client id').fill(clientId);
    await page.getByRole('button', { name: 'Create a key in this browser' }).click();
    await page.getByTestId('public-key').waitFor();
    expect(await page.getByTestId('roles').textContent()).toBe('not registered');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('unknown-key');
    const publicKey = (await page.getByTestId('public-key').textContent()) ?? '';
    expect(publicKey).toMatch(/^[0-9a-f]{64}$/);
    const fingerprint = await page.getByTestId('fingerprint').textContent();
    const expected = (await crypto.subtle.digest('SHA-256', Buffer.from(publicKey, 'hex'))) as ArrayBuffer;
    expect(fingerprint).toBe((Buffer.from(expected).subarray(0, 16).toString('hex').match(/.{4}/g) ?? []).join(' '));

    // The private key is in IndexedDB as a CryptoKey the page itself cannot export.
    // (Code that runs in the page is given as text: the tests are compiled without the DOM library.)
    const exported = await page.evaluate(`(async () => {
      const db = await new Promise((resolve, reject) => {
        const r = indexedDB.open('custody-console', 1);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(new Error('no db'));
      });
      const identity = await new Promise((resolve, reject) => {
        const r = db.transaction('identity').objectStore('identity').get('active');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(new Error('no identity'));
      });
      db.close();
      const attempt = await crypto.subtle.exportKey('pkcs8', identity.privateKey).then(() => 'exported', (e) => 'refused: ' + e.name);
      return { extractable: identity.privateKey.extractable, algorithm: identity.privateKey.algorithm.name, attempt };
    })()`);
    expect(exported).toEqual({ extractable: false, algorithm: 'Ed25519', attempt: 'refused: InvalidAccessError' });

    // An admin registers it; the page's next signed request is accepted.
    await admin.createClient({ clientId, publicKey, roles: ['admin', 'auditor'] });
    await page.getByRole('button', { name: 'Check registration' }).click();
    await page.getByText('admin, auditor').waitFor();
    expect(await page.getByTestId('client-id').textContent()).toBe(clientId);
  });

  it('keeps the key across a reload (IndexedDB) and signs again; a request replayed from the page is refused', async () => {
    const whoami = page.waitForRequest((r) => r.url().endsWith('/v1/whoami'));
    await page.reload();
    await page.getByTestId('roles').filter({ hasText: 'admin, auditor' }).waitFor();
    const sent = await whoami;
    const headers = await sent.allHeaders();
    const replay = await fetch(sent.url(), { headers: { 'content-digest': headers['content-digest']!, 'signature-input': headers['signature-input']!, signature: headers['signature']! } });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { code: string }).code).toBe('nonce-replayed');
  });

  it('lets an admin register another client from the page (a signed POST with an Idempotency-Key)', async () => {
    await page.getByRole('link', { name: 'API clients' }).click();
    const other = `viewer-${randomUUID().slice(0, 8)}`;
    const otherKey = Buffer.alloc(32, 7);
    const { ed25519 } = await import('@noble/curves/ed25519.js');
    const otherPublic = Buffer.from(ed25519.getPublicKey(otherKey)).toString('hex');
    await page.getByLabel('Client id').fill(other);
    await page.getByLabel('Public key (64 hex digits)').fill(otherPublic);
    await page.getByLabel('viewer').check();
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('cell', { name: other, exact: true }).waitFor();
    const registered = await admin.getClient(other);
    expect({ publicKey: registered.publicKey, roles: registered.roles }).toEqual({ publicKey: otherPublic, roles: ['viewer'] });
  });

  it('shows the gateway\'s problem when the page asks for something invalid', async () => {
    await page.getByLabel('Client id').fill('bad id with spaces');
    await page.getByLabel('Public key (64 hex digits)').fill('00');
    await page.getByRole('button', { name: 'Register' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/invalid-argument/);
  });

  it.each([375, 1280])('fits %i px wide without horizontal scrolling, every control labelled', async (width) => {
    await page.setViewportSize({ width, height: 800 });
    for (const route of ['#/identity', '#/clients']) {
      await page.goto(`${gateway.baseUrl}/console/${route}`);
      await page.getByRole('heading', { level: 2 }).first().waitFor();
      const layout = await page.evaluate(`({
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        unlabelled: Array.from(document.querySelectorAll('input, select, textarea')).filter((el) => (el.labels ? el.labels.length : 0) === 0 && !el.getAttribute('aria-label') && !el.closest('label')).length,
      })`);
      expect(layout).toEqual({ overflow: 0, unlabelled: 0 });
    }
  });

  it('can be used with the keyboard: the skip link leads to the content', async () => {
    await page.goto(`${gateway.baseUrl}/console/#/identity`);
    await page.reload();
    await page.getByRole('heading', { name: 'Your key' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('main');
  });
});
