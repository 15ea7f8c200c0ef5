import { createHash, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { AuthenticationError, ConflictError, CustodyClient, PermissionDeniedError, signatureHeaders, type ClientCredentials } from '@custody/client';
import { startGateway, testKey, type RunningGateway } from '@custody/testing';

const now = (): number => Math.floor(Date.now() / 1000);

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/**
 * The REST side of the public API's authentication, error model, idempotency and rate limits,
 * against the real gateway (dist/) on the real Postgres and Redis.
 */
describe('gateway REST: signed requests, roles, errors, idempotency, rate limits (e2e)', () => {
  let gateway: RunningGateway;
  let admin: CustodyClient;
  const operator = testKey(`operator-${randomUUID().slice(0, 6)}`);
  const limited = testKey(`limited-${randomUUID().slice(0, 6)}`);

  beforeAll(async () => {
    gateway = await startGateway({ GATEWAY_RATE_LIMIT_CLIENT: '40', GATEWAY_RATE_WINDOW_SECONDS: '3600', GATEWAY_MAX_BODY_BYTES: '4096', GATEWAY_SIGNATURE_WINDOW_SECONDS: '60' });
    admin = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: gateway.admin, attempts: 1 });
    await admin.createClient({ clientId: operator.clientId, publicKey: operator.publicKeyHex, roles: ['operator', 'viewer'] });
    await admin.createClient({ clientId: limited.clientId, publicKey: limited.publicKeyHex, roles: ['viewer'] });
  }, 60_000);

  afterAll(async () => {
    if (process.env.SHOW_GATEWAY_OUTPUT) process.stdout.write(gateway.output());
    await gateway?.stop();
  });

  /** A request signed by `who` over `signedBody`, sent with `sentBody` (the same unless a test changes it). */
  async function send(who: ClientCredentials | undefined, method: string, path: string, options: { signedBody?: string; sentBody?: string; headers?: Record<string, string>; created?: number; tamper?: (h: Record<string, string>) => void } = {}): Promise<Answer> {
    const url = `${gateway.baseUrl}${path}`;
    const signedBody = Buffer.from(options.signedBody ?? '', 'utf8');
    const sentBody = options.sentBody ?? options.signedBody;
    const headers: Record<string, string> = who ? await signatureHeaders(method, url, signedBody, who, options.created ?? now()) : {};
    if (sentBody) headers['content-type'] = 'application/json';
    Object.assign(headers, options.headers ?? {});
    options.tamper?.(headers);
    const response = await fetch(url, { method, headers, body: sentBody || undefined });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  function expectProblem(answer: Answer, status: number, code: string): void {
    expect({ status: answer.status, code: answer.body['code'] }).toEqual({ status, code });
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body['type']).toBe(`urn:custody:problem:${code}`);
    expect(answer.body['status']).toBe(status);
    expect(typeof answer.body['title']).toBe('string');
    expect(typeof answer.body['detail']).toBe('string');
    expect(answer.body['requestId']).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.headers.get('x-request-id')).toBe(answer.body['requestId']);
    expect(JSON.stringify(answer.body)).not.toMatch(/at .*\.js:\d+/);
  }

  it('answers a signed whoami with the client and its roles, and RateLimit headers', async () => {
    const answer = await send(operator, 'GET', '/v1/whoami');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ clientId: operator.clientId, roles: ['operator', 'viewer'] });
    expect(answer.headers.get('ratelimit-policy')).toBe('"client";q=40;w=3600');
    expect(answer.headers.get('ratelimit')).toMatch(/^"client";r=\d+;t=\d+$/);
  });

  it('keeps service discovery unsigned', async () => {
    const response = await fetch(`${gateway.baseUrl}/v1/system/info`);
    expect(response.status).toBe(200);
  });

  it('refuses a missing signature (401 signature-missing)', async () => {
    expectProblem(await send(undefined, 'GET', '/v1/whoami'), 401, 'signature-missing');
  });

  it('refuses a bad signature (401 signature-invalid)', async () => {
    const answer = await send(operator, 'GET', '/v1/whoami', {
      tamper: (h) => {
        const sig = Buffer.from(/:(.*):/.exec(h['signature']!)![1]!, 'base64');
        sig[0] ^= 1;
        h['signature'] = `sig1=:${sig.toString('base64')}:`;
      },
    });
    expectProblem(answer, 401, 'signature-invalid');
  });

  it('refuses a signature by another key under this keyid (401 signature-invalid)', async () => {
    const impostor = testKey(operator.clientId);
    expectProblem(await send(impostor, 'GET', '/v1/whoami'), 401, 'signature-invalid');
  });

  it('refuses a signature over another body (401 content-digest-mismatch)', async () => {
    const body = JSON.stringify({ clientId: 'x1', publicKey: operator.publicKeyHex, roles: ['viewer'] });
    const other = JSON.stringify({ clientId: 'x2', publicKey: operator.publicKeyHex, roles: ['admin'] });
    expectProblem(await send(gateway.admin, 'POST', '/v1/clients', { signedBody: body, sentBody: other, headers: { 'idempotency-key': '"k-other-body"' } }), 401, 'content-digest-mismatch');
  });

  it('refuses a signature over another body with a matching digest (401 signature-invalid)', async () => {
    const body = JSON.stringify({ clientId: 'x1', publicKey: operator.publicKeyHex, roles: ['viewer'] });
    const other = JSON.stringify({ clientId: 'x3', publicKey: operator.publicKeyHex, roles: ['admin'] });
    const answer = await send(gateway.admin, 'POST', '/v1/clients', {
      signedBody: body,
      sentBody: other,
      headers: { 'idempotency-key': '"k-other-digest"' },
      tamper: (h) => (h['content-digest'] = `sha-256=:${createHash('sha256').update(other).digest('base64')}:`),
    });
    expectProblem(answer, 401, 'signature-invalid');
  });

  it('refuses a stale or future created (401 signature-stale)', async () => {
    expectProblem(await send(operator, 'GET', '/v1/whoami', { created: now() - 600 }), 401, 'signature-stale');
    expectProblem(await send(operator, 'GET', '/v1/whoami', { created: now() + 600 }), 401, 'signature-stale');
  });

  it('refuses a replayed nonce (401 nonce-replayed)', async () => {
    const url = `${gateway.baseUrl}/v1/whoami`;
    const headers = await signatureHeaders('GET', url, Buffer.alloc(0), operator, now());
    expect((await fetch(url, { headers })).status).toBe(200);
    const replay = await fetch(url, { headers });
    expectProblem({ status: replay.status, headers: replay.headers, body: (await replay.json()) as Record<string, unknown> }, 401, 'nonce-replayed');
  });

  it('refuses an unknown key id (401 unknown-key) and malformed signature fields (401 signature-malformed)', async () => {
    expectProblem(await send(testKey('nobody-here'), 'GET', '/v1/whoami'), 401, 'unknown-key');
    expectProblem(await send(operator, 'GET', '/v1/whoami', { tamper: (h) => (h['signature-input'] = 'sig1=(((') }), 401, 'signature-malformed');
  });

  it('refuses every admin method to an operator (403 permission-denied)', async () => {
    const body = JSON.stringify({ clientId: 'new-one', publicKey: operator.publicKeyHex, roles: ['viewer'] });
    expectProblem(await send(operator, 'POST', '/v1/clients', { signedBody: body, headers: { 'idempotency-key': '"k-403"' } }), 403, 'permission-denied');
    expectProblem(await send(operator, 'GET', '/v1/clients'), 403, 'permission-denied');
    expectProblem(await send(operator, 'GET', `/v1/clients/${operator.clientId}`), 403, 'permission-denied');
    expectProblem(await send(operator, 'POST', `/v1/clients/${operator.clientId}/disable`, { headers: { 'idempotency-key': '"k-403-d"' } }), 403, 'permission-denied');
    await expect(new CustodyClient({ baseUrl: gateway.baseUrl, credentials: operator, attempts: 1 }).listClients()).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it('answers bad bodies with 400/413/415 and a code, never 500', async () => {
    const post = (sentBody: string, key: string, headers: Record<string, string> = {}) => send(gateway.admin, 'POST', '/v1/clients', { signedBody: sentBody, headers: { 'idempotency-key': `"${key}"`, ...headers } });
    expectProblem(await post('{"clientId": ', 'k-json'), 400, 'malformed-json');
    expectProblem(await post(JSON.stringify({ clientId: 5, publicKey: operator.publicKeyHex, roles: ['viewer'] }), 'k-type'), 400, 'invalid-argument');
    expectProblem(await post(JSON.stringify({ clientId: 'c', publicKey: operator.publicKeyHex, roles: 'viewer' }), 'k-type2'), 400, 'invalid-argument');
    const unknown = await post(JSON.stringify({ clientId: 'c', publicKey: operator.publicKeyHex, roles: ['viewer'], admin: true }), 'k-unknown');
    expectProblem(unknown, 400, 'unknown-field');
    expect(unknown.body['detail']).toContain('admin');
    expectProblem(await post(JSON.stringify({ clientId: 'c', publicKey: 'zz', roles: ['viewer'] }), 'k-key'), 400, 'invalid-argument');
    expectProblem(await post(JSON.stringify({ clientId: 'c', publicKey: operator.publicKeyHex, roles: ['root'] }), 'k-role'), 400, 'invalid-argument');
    // system: names the service's own initiators (the deposit sweeper's policy requests): never a client's
    const reserved = await post(JSON.stringify({ clientId: 'system:sweeper', publicKey: operator.publicKeyHex, roles: ['operator'] }), 'k-system');
    expectProblem(reserved, 400, 'invalid-argument');
    expect(reserved.body['detail']).toContain('system:');
    expectProblem(await post(JSON.stringify({ pad: 'x'.repeat(5000) }), 'k-big'), 413, 'body-too-large');
    expectProblem(await post('{}', 'k-type3', { 'content-type': 'text/plain' }), 415, 'unsupported-media-type');
    expectProblem(await post('[1]', 'k-array'), 400, 'invalid-argument');
    expectProblem(await send(gateway.admin, 'GET', '/v1/clients?page_size=abc'), 400, 'invalid-argument');
    expectProblem(await send(gateway.admin, 'GET', '/v1/clients?limit=3'), 400, 'unknown-field');
    expectProblem(await send(gateway.admin, 'GET', '/v1/clients/no-such-client'), 404, 'not-found');
    expectProblem(await send(gateway.admin, 'GET', '/v1/nowhere'), 404, 'route-not-found');
  });

  it('requires an Idempotency-Key on every POST (400 idempotency-key-missing)', async () => {
    const body = JSON.stringify({ clientId: 'no-key', publicKey: operator.publicKeyHex, roles: ['viewer'] });
    expectProblem(await send(gateway.admin, 'POST', '/v1/clients', { signedBody: body }), 400, 'idempotency-key-missing');
  });

  it('replays the stored response for the same key and body, 422 for another body', async () => {
    const key = randomUUID();
    const who = testKey(`idem-${randomUUID().slice(0, 6)}`);
    const input = { clientId: who.clientId, publicKey: who.publicKeyHex, roles: ['auditor'] };
    const first = await send(gateway.admin, 'POST', '/v1/clients', { signedBody: JSON.stringify(input), headers: { 'idempotency-key': `"${key}"` } });
    expect(first.status).toBe(201);
    const again = await send(gateway.admin, 'POST', '/v1/clients', { signedBody: JSON.stringify(input), headers: { 'idempotency-key': `"${key}"` } });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await send(gateway.admin, 'POST', '/v1/clients', { signedBody: JSON.stringify({ ...input, roles: ['admin'] }), headers: { 'idempotency-key': `"${key}"` } });
    expectProblem(other, 422, 'idempotency-key-reused');
    // Without the key the same body is a new request: the client id is taken.
    expectProblem(await send(gateway.admin, 'POST', '/v1/clients', { signedBody: JSON.stringify(input), headers: { 'idempotency-key': `"${randomUUID()}"` } }), 409, 'already-exists');
  });

  it('answers 409 while a request with the same key is in flight', async () => {
    const key = randomUUID();
    const body = JSON.stringify({ clientId: `flight-${randomUUID().slice(0, 6)}`, publicKey: operator.publicKeyHex, roles: ['viewer'] });
    // The first request's claim, as the gateway writes it while that request runs.
    const db = new Client({ connectionString: gateway.databaseUrl.toString() });
    await db.connect();
    try {
      const hash = createHash('sha256').update('POST /v1/clients\n').update(body).digest();
      await db.query(`INSERT INTO gateway.idempotency_keys (client_id, idempotency_key, request_hash, state, expires_at) VALUES ($1, $2, $3, 'in-flight', now() + interval '24 hours')`, [gateway.admin.clientId, key, hash]);
      expectProblem(await send(gateway.admin, 'POST', '/v1/clients', { signedBody: body, headers: { 'idempotency-key': `"${key}"` } }), 409, 'idempotency-key-in-flight');
      const kept = await db.query(`SELECT expires_at - created_at AS ttl FROM gateway.idempotency_keys WHERE client_id = $1 AND idempotency_key = $2`, [gateway.admin.clientId, key]);
      expect(kept.rows).toHaveLength(1);
    } finally {
      await db.end();
    }
  });

  it('keeps a completed key at least 24 hours', async () => {
    const key = randomUUID();
    const who = testKey(`ttl-${randomUUID().slice(0, 6)}`);
    await admin.createClient({ clientId: who.clientId, publicKey: who.publicKeyHex, roles: ['viewer'] }, key);
    const db = new Client({ connectionString: gateway.databaseUrl.toString() });
    await db.connect();
    try {
      const { rows } = await db.query<{ hours: string }>(`SELECT extract(epoch FROM expires_at - created_at) / 3600 AS hours, state FROM gateway.idempotency_keys WHERE idempotency_key = $1`, [key]);
      expect(Number(rows[0]!.hours)).toBeGreaterThanOrEqual(24);
    } finally {
      await db.end();
    }
  });

  it('lists clients page by page, gets one, disables it; a disabled client is refused', async () => {
    const seen: string[] = [];
    for await (const client of admin.allClients(2)) seen.push(client.clientId);
    expect(seen).toEqual(expect.arrayContaining([gateway.admin.clientId, operator.clientId, limited.clientId]));
    expect([...seen].sort()).toEqual(seen);
    const victim = testKey(`victim-${randomUUID().slice(0, 6)}`);
    await admin.createClient({ clientId: victim.clientId, publicKey: victim.publicKeyHex, roles: ['viewer'] });
    expect((await new CustodyClient({ baseUrl: gateway.baseUrl, credentials: victim }).whoami()).clientId).toBe(victim.clientId);
    const disabled = await admin.disableClient(victim.clientId);
    expect(disabled.disabled).toBe(true);
    expect((await admin.getClient(victim.clientId)).disableTime).not.toBe('');
    expectProblem(await send(victim, 'GET', '/v1/whoami'), 401, 'client-disabled');
    await expect(new CustodyClient({ baseUrl: gateway.baseUrl, credentials: victim, attempts: 1 }).whoami()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('maps problems to typed client errors', async () => {
    const input = { clientId: operator.clientId, publicKey: operator.publicKeyHex, roles: ['viewer'] };
    await expect(admin.createClient(input)).rejects.toBeInstanceOf(ConflictError);
  });

  it('rate-limits per client: 429 rate-limited with RateLimit headers and Retry-After', async () => {
    let answer: Answer | undefined;
    for (let i = 0; i < 41; i++) {
      answer = await send(limited, 'GET', '/v1/whoami');
      if (answer.status !== 200) break;
    }
    expectProblem(answer!, 429, 'rate-limited');
    expect(answer!.headers.get('ratelimit')).toMatch(/^"client";r=0;t=\d+$/);
    expect(Number(answer!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client is not affected.
    expect((await send(operator, 'GET', '/v1/whoami')).status).toBe(200);
  });
});
