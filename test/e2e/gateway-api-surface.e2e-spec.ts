import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { CustodyGrpcClient, signatureHeaders } from '@custody/client';
import { CustodyClient } from '@custody/client';
import { google, PROTO_FILES, PROTO_ROOT } from '@custody/proto';
import { API_METHODS, openApiPath } from '../../apps/gateway/src/api/api-methods';
import { ROLES } from '../../apps/gateway/src/auth/api-client';
import { startGateway, testKey, type RunningGateway } from '@custody/testing';

/** Validates an OpenAPI document with @seriousme/openapi-schema-validator (ESM: run by node itself). */
function validateOpenApi(document: unknown): { valid: boolean; errors?: unknown; version?: string } {
  const script = `import('@seriousme/openapi-schema-validator').then(async ({ Validator }) => {
    const chunks = []; for await (const c of process.stdin) chunks.push(c);
    const v = new Validator(); const r = await v.validate(JSON.parse(Buffer.concat(chunks).toString()));
    process.stdout.write(JSON.stringify({ valid: r.valid, errors: r.errors, version: v.version }));
  })`;
  const out = execFileSync(process.execPath, ['-e', script], { input: JSON.stringify(document), cwd: path.resolve(__dirname, '../..') });
  return JSON.parse(out.toString('utf8')) as { valid: boolean; errors?: unknown; version?: string };
}

/** Every gRPC method the custody.v1 proto files declare, as `Service/Method`. */
function protoMethods(): string[] {
  const files = [PROTO_FILES.custodySystem, PROTO_FILES.custodyClients, PROTO_FILES.custodyResources, PROTO_FILES.custodyEvents].map((f) => path.join(PROTO_ROOT, f));
  const definition = loadSync(files, { includeDirs: [PROTO_ROOT] });
  const methods: string[] = [];
  for (const [name, value] of Object.entries(definition)) {
    if (!name.startsWith('custody.v1.') || !name.endsWith('Service')) continue;
    for (const method of Object.values(value as Record<string, { originalName?: string; path: string }>)) methods.push(method.path.slice(1).replace('custody.v1.', ''));
  }
  return methods.sort();
}

/**
 * The API surface: the OpenAPI 3.1 document validates and lists exactly the REST routes of the
 * method table, the proto files declare exactly its gRPC methods, and every method not wired in yet
 * answers UNIMPLEMENTED / 501 consistently on both transports after the usual checks.
 */
describe('gateway API surface: OpenAPI, REST routes and gRPC methods (e2e)', () => {
  let gateway: RunningGateway;
  const everyone = testKey(`all-roles-${randomUUID().slice(0, 6)}`);

  beforeAll(async () => {
    gateway = await startGateway();
    const admin = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: gateway.admin, attempts: 1 });
    await admin.createClient({ clientId: everyone.clientId, publicKey: everyone.publicKeyHex, roles: [...ROLES] });
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
  });

  it('serves an OpenAPI 3.1 document that validates, and a browsable /docs', async () => {
    const document = (await (await fetch(`${gateway.baseUrl}/openapi.json`)).json()) as { openapi: string };
    expect(document.openapi).toBe('3.1.0');
    const result = validateOpenApi(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const docs = await fetch(`${gateway.baseUrl}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });

  it('documents exactly the REST routes of the method table', async () => {
    const document = (await (await fetch(`${gateway.baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([p, ops]) => Object.keys(ops).map((verb) => `${verb.toUpperCase()} ${p}`)).sort();
    const table = API_METHODS.map((m) => `${m.http} ${openApiPath(m.path)}`).sort();
    expect(documented).toEqual(table);
  });

  it('declares exactly the gRPC methods of the method table: neither transport has what the other lacks', () => {
    expect(protoMethods()).toEqual(API_METHODS.map((m) => `${m.service}/${m.method}`).sort());
    expect(new Set(API_METHODS.map((m) => `${m.http} ${m.path}`)).size).toBe(API_METHODS.length);
  });

  it('answers every method not wired in yet with 501 not-implemented (REST) and UNIMPLEMENTED with ErrorInfo (gRPC)', async () => {
    const grpcClient = new CustodyGrpcClient(gateway.grpcAddress, everyone);
    try {
      for (const method of API_METHODS.filter((m) => !m.implemented)) {
        const url = `${gateway.baseUrl}${method.path.replace(/:([A-Za-z]+)/g, 'x1')}`;
        const body = method.http === 'POST' ? Buffer.from('{}') : Buffer.alloc(0);
        const headers = await signatureHeaders(method.http, url, body, everyone, Math.floor(Date.now() / 1000));
        if (method.http === 'POST') Object.assign(headers, { 'content-type': 'application/json', 'idempotency-key': `"${randomUUID()}"` });
        const response = await fetch(url, { method: method.http, headers, body: body.length ? body : undefined });
        const problem = (await response.json()) as { code: string };
        expect({ route: `${method.http} ${method.path}`, status: response.status, code: problem.code }).toEqual({ route: `${method.http} ${method.path}`, status: 501, code: 'not-implemented' });

        const error = await grpcClient.call(`/custody.v1.${method.service}/${method.method}`, Buffer.alloc(0), (b) => b, { idempotencyKey: randomUUID() }).then(
          () => undefined,
          (e: grpc.ServiceError) => e,
        );
        expect({ method: method.method, code: error?.code }).toEqual({ method: method.method, code: grpc.status.UNIMPLEMENTED });
        const status = google.rpc.Status.decode(error!.metadata.get('grpc-status-details-bin')[0] as Buffer);
        expect(google.rpc.ErrorInfo.decode(status.details[0]!.value ?? new Uint8Array()).reason).toBe('NOT_IMPLEMENTED');
      }
    } finally {
      grpcClient.close();
    }
  });

  it('checks roles before answering not-implemented (a viewer may not create a wallet)', async () => {
    const viewer = testKey(`viewer-${randomUUID().slice(0, 6)}`);
    const admin = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: gateway.admin, attempts: 1 });
    await admin.createClient({ clientId: viewer.clientId, publicKey: viewer.publicKeyHex, roles: ['viewer'] });
    const url = `${gateway.baseUrl}/v1/wallets`;
    const body = Buffer.from('{}');
    const headers = { ...(await signatureHeaders('POST', url, body, viewer, Math.floor(Date.now() / 1000))), 'content-type': 'application/json', 'idempotency-key': '"w1"' };
    const response = await fetch(url, { method: 'POST', headers, body });
    expect(response.status).toBe(403);
  });
});
