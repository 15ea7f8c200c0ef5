import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { parseEventsConfig } from './events.config';

describe('events and webhooks configuration', () => {
  it('defaults: no sources, webhooks off, 24 h of retries, loopback refused', () => {
    const c = parseEventsConfig({});
    expect(c).toMatchObject({ ledgerAddress: undefined, policyAddress: undefined, webhookKey: undefined, allowLoopback: false, relayBatch: 500 });
    expect(c.retry).toEqual({ baseDelayMs: 5000, maxDelayMs: 3_600_000, retryForMs: 86_400_000 });
  });

  it('takes the signing key inline or from a file, and never shows the seed', () => {
    const seed = randomBytes(32).toString('hex');
    const c = parseEventsConfig({ GATEWAY_WEBHOOK_SIGNING_KEY: seed, LEDGER_GRPC_ADDRESS: '127.0.0.1:50064' });
    expect(c.webhookKey?.published).toMatch(/^whpk_/);
    expect(c.ledgerAddress).toBe('127.0.0.1:50064');
    expect(JSON.stringify(c)).not.toContain(seed);
    expect(inspect(c, { depth: 5 })).not.toContain(seed);
  });

  it.each([
    [{ GATEWAY_WEBHOOK_SIGNING_KEY: 'nothex' }, /GATEWAY_WEBHOOK_SIGNING_KEY/],
    [{ GATEWAY_WEBHOOK_SIGNING_KEY_FILE: '/nonexistent/key' }, /GATEWAY_WEBHOOK_SIGNING_KEY_FILE/],
    [{ LEDGER_GRPC_ADDRESS: 'localhost' }, /LEDGER_GRPC_ADDRESS/],
    [{ POLICY_ENGINE_GRPC_ADDRESS: 'http://x' }, /POLICY_ENGINE_GRPC_ADDRESS/],
    [{ GATEWAY_WEBHOOK_ALLOW_LOOPBACK: 'yes' }, /GATEWAY_WEBHOOK_ALLOW_LOOPBACK/],
    [{ GATEWAY_WEBHOOK_RETRY_FOR_MS: '3000' }, /GATEWAY_WEBHOOK_RETRY_FOR_MS must be at least 86400000/],
    [{ GATEWAY_WEBHOOK_RETRY_BASE_MS: '5000', GATEWAY_WEBHOOK_RETRY_MAX_MS: '100' }, /GATEWAY_WEBHOOK_RETRY_MAX_MS/],
    [{ GATEWAY_EVENTS_RELAY_BATCH: '0' }, /GATEWAY_EVENTS_RELAY_BATCH/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => parseEventsConfig(env)).toThrow(message);
  });

  it('allows short retry periods only with loopback targets allowed (development and tests)', () => {
    expect(parseEventsConfig({ GATEWAY_WEBHOOK_RETRY_FOR_MS: '3000', GATEWAY_WEBHOOK_ALLOW_LOOPBACK: 'true' }).retry.retryForMs).toBe(3000);
  });
});
