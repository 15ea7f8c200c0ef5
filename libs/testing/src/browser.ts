import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`; .ci/run installs it when missing). */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** TEST helper: the real Chromium, headless, driven by playwright-core. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** Where browser tests save their screenshots (test artifacts, not committed): test-artifacts/console/. */
export const SCREENSHOT_DIR = path.resolve(__dirname, '../../../test-artifacts/console');

/** TEST helper: a full-page screenshot of `page` saved as test-artifacts/console/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^A-Za-z0-9._-]/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * TEST helper: signs `clientId` in to the console at `consoleUrl` as a new user does: a key made in
 * `page` (WebCrypto, kept in the browser), registered by `register` (an admin's call with the page's
 * public key), then the page's registration check until `role` shows. Returns the public key (hex).
 */
export async function registerKeyInPage(page: Page, consoleUrl: string, clientId: string, role: string, register: (publicKeyHex: string) => Promise<unknown>): Promise<string> {
  await page.goto(consoleUrl);
  await page.getByLabel('Client id').fill(clientId);
  await page.getByRole('button', { name: 'Create a key in this browser' }).click();
  const publicKey = (await page.getByTestId('public-key').textContent()) ?? '';
  await register(publicKey);
  await page.getByRole('button', { name: 'Check registration' }).click();
  await page.getByTestId('roles').filter({ hasText: role }).waitFor();
  return publicKey;
}
