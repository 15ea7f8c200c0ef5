import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { CustodyClient, CustodyGrpcClient, grpcSignatureMetadata, type ClientCredentials } from '@custody/client';
import { custody, google } from '@custody/proto';
import { startGateway, testKey, type RunningGateway } from '@custody/testing';

const now = (): number => Math.floor(Date.now() / 1000);
const WHOAMI = '/custody.v1.IdentityService/WhoAmI';
const CREATE = '/custody.v1.ApiClientService/CreateApiClient';
const LIST = '/custody.v1.ApiClientService/ListApiClients';
const GET = '/custody.v1.ApiClientService/GetApiClient';
const DISABLE = '/custody.v1.ApiClientService/DisableApiClient';

const decodePrincipal = (b: Buffer) => custody.v1.Principal.decode(b);
const decodeClient = (b: Buffer) => custody.v1.ApiClient.decode(b);

/** The gRPC status of a failed call, with its google.rpc.ErrorInfo from grpc-status-details-bin. */
async function failure(promise: Promise<unknown>): Promise<{ code: number; reason: string; codeName: string; requestId: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as grpc.ServiceError;
    const [details] = e.metadata.get('grpc-status-details-bin');
    expect(Buffer.isBuffer(details)).toBe(true);
    const status = google.rpc.Status.decode(details as Buffer);
    expect(status.code).toBe(e.code);
    expect(status.details[0]!.type_url).toBe('type.googleapis.com/google.rpc.ErrorInfo');
    const info = google.rpc.ErrorInfo.decode(status.details[0]!.value ?? new Uint8Array());
    expect(info.domain).toBe('custody.v1');
    return { code: e.code, reason: info.reason, codeName: info.metadata['code']!, requestId: info.metadata['requestId']! };
  }
  throw new Error('the call succeeded');
}

/**
 * The gRPC side: the same signature base in metadata (signature-input, signature, content-digest
 * over the serialized request), the same roles, idempotency and error model as REST.
 */
describe('gateway gRPC: signed calls, roles, errors, idempotency, rate limits (e2e)', () => {
  let gateway: RunningGateway;
  const operator = testKey(`operator-${randomUUID().slice(0, 6)}`);
  const limited = testKey(`limited-${randomUUID().slice(0, 6)}`);
  const clients: CustodyGrpcClient[] = [];
  const grpcFor = (who: ClientCredentials): CustodyGrpcClient => {
    const c = new CustodyGrpcClient(gateway.grpcAddress, who);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    gateway = await startGateway({ GATEWAY_RATE_LIMIT_CLIENT: '30', GATEWAY_RATE_WINDOW_SECONDS: '3600', GATEWAY_SIGNATURE_WINDOW_SECONDS: '60' });
    const admin = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: gateway.admin, attempts: 1 });
    await admin.createClient({ clientId: operator.clientId, publicKey: operator.publicKeyHex, roles: ['operator'] });
    await admin.createClient({ clientId: limited.clientId, publicKey: limited.publicKeyHex, roles: ['viewer'] });
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await gateway?.stop();
  });

  const empty = Buffer.from(custody.v1.WhoAmIRequest.encode({}).finish());

  async function metadataFor(who: ClientCredentials, path: string, bytes: Buffer, created = now()): Promise<grpc.Metadata> {
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(await grpcSignatureMetadata(path, bytes, who, created))) metadata.set(k, v);
    return metadata;
  }

  it('answers a signed WhoAmI, as REST does', async () => {
    const principal = await grpcFor(operator).call(WHOAMI, empty, decodePrincipal);
    expect({ clientId: principal.clientId, roles: principal.roles }).toEqual({ clientId: operator.clientId, roles: ['operator'] });
  });

  it('refuses unsigned, badly signed, stale, replayed and unknown-key calls (UNAUTHENTICATED with ErrorInfo)', async () => {
    const client = grpcFor(operator);
    expect(await failure(client.unary(WHOAMI, empty, decodePrincipal, new grpc.Metadata()))).toEqual(expect.objectContaining({ code: grpc.status.UNAUTHENTICATED, reason: 'SIGNATURE_MISSING', codeName: 'signature-missing' }));

    const bad = await metadataFor(operator, WHOAMI, empty);
    const sig = Buffer.from(/:(.*):/.exec(bad.get('signature')[0] as string)![1]!, 'base64');
    sig[5] ^= 1;
    bad.set('signature', `sig1=:${sig.toString('base64')}:`);
    expect((await failure(client.unary(WHOAMI, empty, decodePrincipal, bad))).reason).toBe('SIGNATURE_INVALID');

    expect((await failure(client.unary(WHOAMI, empty, decodePrincipal, await metadataFor(operator, WHOAMI, empty, now() - 600)))).reason).toBe('SIGNATURE_STALE');

    const once = await metadataFor(operator, WHOAMI, empty);
    await client.unary(WHOAMI, empty, decodePrincipal, once);
    expect((await failure(client.unary(WHOAMI, empty, decodePrincipal, once))).reason).toBe('NONCE_REPLAYED');

    expect((await failure(grpcFor(testKey('nobody-here')).call(WHOAMI, empty, decodePrincipal))).reason).toBe('UNKNOWN_KEY');

    // Signed for another method: the @target-uri differs.
    expect((await failure(client.unary(WHOAMI, empty, decodePrincipal, await metadataFor(operator, LIST, empty)))).reason).toBe('SIGNATURE_INVALID');
  });

  it('refuses a signature over other request bytes (UNAUTHENTICATED content-digest-mismatch)', async () => {
    const signed = Buffer.from(custody.v1.GetApiClientRequest.encode({ name: `clients/${operator.clientId}` }).finish());
    const sent = Buffer.from(custody.v1.GetApiClientRequest.encode({ name: `clients/${gateway.admin.clientId}` }).finish());
    const metadata = await metadataFor(gateway.admin, GET, signed);
    const result = await failure(grpcFor(gateway.admin).unary(GET, sent, decodeClient, metadata));
    expect(result).toEqual(expect.objectContaining({ code: grpc.status.UNAUTHENTICATED, codeName: 'content-digest-mismatch' }));
  });

  it('refuses every admin method to an operator (PERMISSION_DENIED)', async () => {
    const client = grpcFor(operator);
    const create = Buffer.from(custody.v1.CreateApiClientRequest.encode({ clientId: 'x', publicKey: operator.publicKeyHex, roles: ['viewer'] }).finish());
    const name = Buffer.from(custody.v1.GetApiClientRequest.encode({ name: `clients/${operator.clientId}` }).finish());
    for (const [path, bytes] of [[CREATE, create], [LIST, empty], [GET, name], [DISABLE, name]] as const) {
      const result = await failure(client.call(path, bytes, decodeClient, { idempotencyKey: randomUUID() }));
      expect({ path, code: result.code, reason: result.reason }).toEqual({ path, code: grpc.status.PERMISSION_DENIED, reason: 'PERMISSION_DENIED' });
    }
  });

  it('creates, gets, lists and disables clients for an admin; idempotency-key replays, another request is FAILED_PRECONDITION', async () => {
    const client = grpcFor(gateway.admin);
    const who = testKey(`g-${randomUUID().slice(0, 6)}`);
    const bytes = Buffer.from(custody.v1.CreateApiClientRequest.encode({ clientId: who.clientId, publicKey: who.publicKeyHex, roles: ['auditor'] }).finish());
    expect((await failure(client.call(CREATE, bytes, decodeClient))).codeName).toBe('idempotency-key-missing');
    const key = randomUUID();
    const created = await client.call(CREATE, bytes, decodeClient, { idempotencyKey: key });
    expect({ name: created.name, roles: created.roles, disabled: created.disabled }).toEqual({ name: `clients/${who.clientId}`, roles: ['auditor'], disabled: false });
    const again = await client.call(CREATE, bytes, decodeClient, { idempotencyKey: key });
    expect(again.toJSON()).toEqual(created.toJSON());
    const other = Buffer.from(custody.v1.CreateApiClientRequest.encode({ clientId: who.clientId, publicKey: who.publicKeyHex, roles: ['admin'] }).finish());
    expect(await failure(client.call(CREATE, other, decodeClient, { idempotencyKey: key }))).toEqual(expect.objectContaining({ code: grpc.status.FAILED_PRECONDITION, codeName: 'idempotency-key-reused' }));
    expect((await failure(client.call(CREATE, bytes, decodeClient, { idempotencyKey: randomUUID() }))).code).toBe(grpc.status.ALREADY_EXISTS);

    const got = await client.call(GET, Buffer.from(custody.v1.GetApiClientRequest.encode({ name: `clients/${who.clientId}` }).finish()), decodeClient);
    expect(got.publicKey).toBe(who.publicKeyHex);
    const page = await client.call(LIST, Buffer.from(custody.v1.ListApiClientsRequest.encode({ pageSize: 1 }).finish()), (b) => custody.v1.ListApiClientsResponse.decode(b));
    expect(page.clients).toHaveLength(1);
    expect(page.nextPageToken).not.toBe('');
    const disabled = await client.call(DISABLE, Buffer.from(custody.v1.DisableApiClientRequest.encode({ name: `clients/${who.clientId}` }).finish()), decodeClient, { idempotencyKey: randomUUID() });
    expect(disabled.disabled).toBe(true);
    expect((await failure(grpcFor(who).call(WHOAMI, empty, decodePrincipal))).reason).toBe('CLIENT_DISABLED');
  });

  it('answers bad arguments and undecodable requests with INVALID_ARGUMENT naming them', async () => {
    const client = grpcFor(gateway.admin);
    const badKey = Buffer.from(custody.v1.CreateApiClientRequest.encode({ clientId: 'ok-id', publicKey: 'nope', roles: ['viewer'] }).finish());
    expect(await failure(client.call(CREATE, badKey, decodeClient, { idempotencyKey: randomUUID() }))).toEqual(expect.objectContaining({ code: grpc.status.INVALID_ARGUMENT, codeName: 'invalid-argument' }));
    const badName = Buffer.from(custody.v1.GetApiClientRequest.encode({ name: 'wallets/x' }).finish());
    expect((await failure(client.call(GET, badName, decodeClient))).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await failure(client.call(LIST, Buffer.from(custody.v1.ListApiClientsRequest.encode({ pageSize: 1000 }).finish()), decodeClient))).code).toBe(grpc.status.INVALID_ARGUMENT);
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff]);
    expect((await failure(client.call(GET, garbage, decodeClient))).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await failure(client.call(GET, Buffer.from(custody.v1.GetApiClientRequest.encode({ name: 'clients/none' }).finish()), decodeClient))).code).toBe(grpc.status.NOT_FOUND);
  });

  it('rate-limits per client (RESOURCE_EXHAUSTED rate-limited)', async () => {
    const client = grpcFor(limited);
    let result: Awaited<ReturnType<typeof failure>> | undefined;
    for (let i = 0; i < 31 && !result; i++) {
      try {
        await client.call(WHOAMI, empty, decodePrincipal);
      } catch (error) {
        result = await failure(Promise.reject(error as Error));
      }
    }
    expect(result).toEqual(expect.objectContaining({ code: grpc.status.RESOURCE_EXHAUSTED, codeName: 'rate-limited' }));
    await grpcFor(operator).call(WHOAMI, empty, decodePrincipal);
  });
});
