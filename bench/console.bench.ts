/**
 * The console in the real Chromium (the tests' one, playwright-core) against the real gateway (dist/):
 *
 *   npm run bench:console            (builds first; needs Postgres, Redis and Chromium like the tests)
 *   node dist/bench/console.bench.js [runs]
 *
 * 1. First load of `${gateway}/console/` in a fresh browser context (no cache, no key yet): the bytes
 *    the browser received over the wire for every response of the load (the page, script, style and
 *    anything else it fetches), headers included, as the gateway sent them (its Content-Encoding), from
 *    playwright's `request.sizes()`, cross-checked with CDP's `Network.loadingFinished` encodedDataLength.
 * 2. The auditor's page showing 100 records, "Verify the records shown": the page fetches the 100
 *    records with their proofs (one signed `GET /v1/audit/records?view=full&…`, ListAuditRecords' full
 *    view) and checks, in the page, that each is the record listed, its leaf hash and inclusion proof and
 *    the checkpoint's log signature and witness cosignature against the keys pinned in the page. The page
 *    times both parts (performance.now(); `data-fetch-ms`, `data-verify-ms`); `runs` reloads (default 5),
 *    p50 and max.
 *
 * Records and a cosigned checkpoint are written into the gateway's database as the log's owner and a
 * witness do (test/e2e/console/console-audit.e2e-spec.ts); the auditor's key is made in the page.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Browser, Page, Request, Response as BrowserResponse } from 'playwright-core';
import type { AuditRecord } from '@custody/audit-core';
import { AuditLogStore, appendAuditRecords } from '@custody/audit-log';
import { CustodyClient } from '@custody/client';
import { connectPostgres } from '@custody/persistence';
import { launchChromium, registerKeyInPage, startGateway, type RunningGateway } from '@custody/testing';
import { cosignatureVerifier, cosigner, ed25519NoteSigner, formatVerifierKey, verifierFromKey } from '@custody/transparency-log';

const runs = Number(process.argv[2] ?? 5);
const RECORDS = 120;
const PAGE = 100;
const ORIGIN = 'custody.test/console-bench';

function loadavg(): string {
  return `load average (cat /proc/loadavg): ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}; ${os.cpus().length} CPUs`;
}

function kB(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function firstLoad(browser: Browser, baseUrl: string): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const encoded: number[] = [];
    cdp.on('Network.loadingFinished', (e) => encoded.push(e.encodedDataLength));
    const responses: BrowserResponse[] = [];
    page.on('response', (r) => responses.push(r));
    await page.goto(`${baseUrl}/console/`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { name: 'Your key' }).waitFor();

    let wire = 0;
    let bodies = 0;
    let decoded = 0;
    for (const response of responses) {
      const sizes = await response.request().sizes();
      const body = (await response.body()).length;
      const encoding = response.headers()['content-encoding'] ?? 'none';
      const path = new URL(response.url()).pathname;
      wire += sizes.responseHeadersSize + sizes.responseBodySize;
      bodies += sizes.responseBodySize;
      decoded += body;
      console.log(`  ${path.padEnd(40)} ${response.status()}  content-encoding ${encoding.padEnd(5)} body ${kB(sizes.responseBodySize).padStart(9)} on the wire (${kB(body)} decoded), headers ${kB(sizes.responseHeadersSize)}`);
    }
    const accept = (await responses[0]!.request().allHeaders())['accept-encoding'] ?? '(none)';
    console.log(`  the browser sent Accept-Encoding: ${accept}`);
    const cdpTotal = encoded.reduce((a, b) => a + b, 0);
    console.log(`console first load, bytes received (${responses.length} responses, headers included) ${kB(wire).padStart(10)}   target ≤ 300 kB   ${wire <= 300_000 ? 'met' : 'NOT met'}   (bodies ${kB(bodies)}, decoded ${kB(decoded)}; CDP encodedDataLength ${kB(cdpTotal)})`);
  } finally {
    await context.close();
  }
}

interface PageTiming {
  fetchMs: number;
  verifyMs: number;
  /** Per proof request (ListAuditRecords view=full): request sent → first byte of the answer (the gateway's time, loopback). */
  waitsMs: number[];
  /** Bytes of those answers' bodies as received. */
  bodyBytes: number[];
}

async function verifyShown(page: Page): Promise<PageTiming> {
  const proofRequests: Request[] = [];
  const onRequest = (r: Request): void => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/v1/audit/records')) proofRequests.push(r);
  };
  page.on('requestfinished', onRequest);
  await page.getByRole('button', { name: 'Verify the records shown' }).click();
  const status = page.locator(`[data-testid="page-verification"][data-verify-ms]`);
  await status.waitFor({ timeout: 60_000 });
  page.off('requestfinished', onRequest);
  const [verified, count, fetchMs, verifyMs] = await Promise.all(['data-verified', 'data-count', 'data-fetch-ms', 'data-verify-ms'].map((a) => status.getAttribute(a)));
  if (verified !== String(PAGE) || count !== String(PAGE)) throw new Error(`the page verified ${verified} of ${count} records: ${await status.textContent()}`);
  if (proofRequests.some((r) => new URL(r.url()).searchParams.get('view') !== 'full')) throw new Error(`the page asked for proofs other than with view=full: ${proofRequests.map((r) => r.url()).join(', ')}`);
  const waitsMs = proofRequests.map((r) => r.timing()).map((t) => t.responseStart - t.requestStart);
  const bodyBytes = await Promise.all(proofRequests.map(async (r) => (await r.sizes()).responseBodySize));
  return { fetchMs: Number(fetchMs), verifyMs: Number(verifyMs), waitsMs, bodyBytes };
}

async function auditPage(browser: Browser, gateway: RunningGateway): Promise<void> {
  const tag = randomUUID().slice(0, 8);
  const logSeed = randomBytes(32);
  const logKey = formatVerifierKey(ORIGIN, 0x01, ed25519.getPublicKey(logSeed));
  const witness = cosigner('witness-1.custody.test', randomBytes(32));
  const witnessKey = formatVerifierKey(witness.name, 0x04, witness.publicKey);
  const admin = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: gateway.admin, attempts: 1 });
  const ds = await connectPostgres(gateway.databaseUrl, { poolSize: 2 });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await registerKeyInPage(page, `${gateway.baseUrl}/console/`, `auditor-${tag}`, 'auditor', (publicKey) => admin.createClient({ clientId: `auditor-${tag}`, publicKey, roles: ['auditor'] }));

    // After the set-up's own records (bootstrap, the auditor's client), so that the first page is all in the checkpoint.
    const t0 = Date.UTC(2026, 11, 2, 12, 0, 0);
    const records: AuditRecord[] = Array.from({ length: RECORDS }, (_, i) => ({
      version: 1,
      type: 'api-request',
      occurredAt: t0 + i * 1000,
      actor: `ops-${tag}`,
      requestId: `req-${tag}-${i}`,
      wallet: null,
      body: { method: 'POST', path: '/v1/withdrawals', status: '200' },
    }));
    const store = new AuditLogStore(ds, ORIGIN, ed25519NoteSigner(ORIGIN, logSeed), verifierFromKey(logKey));
    await ds.transaction((tx) => appendAuditRecords(tx, records));
    await store.integrate();
    const cp = (await store.latestCheckpoint())!;
    await store.addCosignature(cp.size, cosignatureVerifier(witness.name, witness.publicKey), witness.cosign(cp.note.slice(0, cp.note.indexOf('\n\n') + 1), BigInt(Math.floor(t0 / 1000))));
    console.log(`  ${RECORDS} records written; checkpoint of size ${cp.size}, signed by the log key and cosigned by ${witness.name}`);

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Log key (C2SP vkey)').fill(logKey);
    await page.getByLabel('Witness keys (one vkey per line)').fill(witnessKey);
    await page.getByRole('button', { name: 'Pin these keys' }).click();
    await page.getByLabel('Records per page').selectOption(String(PAGE));
    const rows = page.locator('tbody tr');
    const shown = async (): Promise<void> => {
      await rows.nth(PAGE - 1).waitFor();
      if ((await rows.count()) !== PAGE) throw new Error(`the page shows ${await rows.count()} records, not ${PAGE}`);
    };
    await shown();

    const timings: PageTiming[] = [];
    for (let i = 0; i < runs; i++) {
      await page.reload();
      await shown();
      timings.push(await verifyShown(page));
      const t = timings[i]!;
      console.log(`  run ${i + 1}: ${await rows.count()} records, records with proofs fetched in ${t.fetchMs.toFixed(1)} ms (${t.waitsMs.length} signed GET${t.waitsMs.length === 1 ? '' : 's'} view=full, ${kB(t.bodyBytes.reduce((a, b) => a + b, 0))} on the wire; gateway answer ${t.waitsMs.map((w) => `${w.toFixed(1)} ms`).join(', ')}), checked in ${t.verifyMs.toFixed(1)} ms`);
    }
    const verify = timings.map((t) => t.verifyMs);
    const total = timings.map((t) => t.fetchMs + t.verifyMs);
    const line = (label: string, values: number[]): void => {
      const p50 = quantile(values, 0.5);
      const max = Math.max(...values);
      console.log(`${label.padEnd(86)} p50 ${p50.toFixed(1).padStart(7)} ms   max ${max.toFixed(1).padStart(7)} ms   target ≤ 200 ms   ${max <= 200 ? 'met' : p50 <= 200 ? 'met at p50, NOT at max' : 'NOT met'}   (${runs} reloads)`);
    };
    line(`audit page, ${PAGE} records: inclusion proofs + checkpoint signature and cosignature checked in the page`, verify);
    line(`audit page, ${PAGE} records: click → verified, fetching the records with their proofs included`, total);
  } finally {
    await context.close();
    await ds.destroy();
  }
}

async function main(): Promise<void> {
  console.log(loadavg());
  const gateway = await startGateway({ GATEWAY_RATE_LIMIT_CLIENT: '100000', GATEWAY_RATE_LIMIT_IP: '100000', LOG_LEVEL: 'error' });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    console.log(`Chromium ${browser.version()}, gateway ${gateway.baseUrl} (dist/, console from dist/console)`);
    await firstLoad(browser, gateway.baseUrl);
    await auditPage(browser, gateway);
  } finally {
    await browser?.close();
    await gateway.stop();
  }
  console.log(loadavg());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
