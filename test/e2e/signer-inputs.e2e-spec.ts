import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { Client } from 'pg';
import { signerDatabaseUrl } from '@custody/persistence';
import { PROTO_ROOT, protoPath } from '@custody/proto';
import { SignerCallError, type KeyInfo } from '@custody/signer-client';
import { approverKeysEnv, makeTestGrant, startSignerCluster, testApprovers, type SignerCluster } from '@custody/testing';

async function sql(url: URL, statement: string): Promise<void> {
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** How long a call that must be refused at the boundary may take before the test calls it a hang. */
const PROMPT_MS = 5000;

async function failure(call: Promise<unknown>): Promise<SignerCallError> {
  const error: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SignerCallError);
  return error as SignerCallError;
}

function codeOf(error: SignerCallError): string {
  return grpc.status[error.code];
}

type GetKeyRequest = { keyId: string };
type Raw = grpc.Client & { GetKey(request: GetKeyRequest, options: grpc.CallOptions, callback: (e: grpc.ServiceError | null, r?: { keyId?: string }) => void): void };

/**
 * A raw grpc-js client of signer.v1.SignerService, so that a test can send what the typed client
 * never would (a 100,000-character key id, bytes that are not protobuf) and then reuse the very same
 * connection.
 */
class RawSignerClient {
  private readonly client: Raw;
  constructor(address: string) {
    const definition = protoLoader.loadSync(protoPath('signerApi'), { includeDirs: [PROTO_ROOT], longs: Number, enums: String, defaults: true });
    const Ctor = (grpc.loadPackageDefinition(definition) as unknown as { signer: { v1: { SignerService: new (a: string, c: grpc.ChannelCredentials, o: grpc.ChannelOptions) => Raw } } }).signer.v1.SignerService;
    this.client = new Ctor(address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 16 * 1024 * 1024 });
  }

  getKey(keyId: string): Promise<{ keyId?: string }> {
    return new Promise((resolve, reject) => {
      this.client.GetKey({ keyId }, { deadline: Date.now() + PROMPT_MS }, (error, response) => {
        if (error) reject(new SignerCallError(error.code, error.details));
        else resolve(response ?? {});
      });
    });
  }

  /** Sends `bytes` as the GetKey request body, exactly as given. */
  getKeyRaw(bytes: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest<Buffer, Buffer>(
        '/signer.v1.SignerService/GetKey',
        (b: Buffer) => b,
        (b: Buffer) => b,
        bytes,
        { deadline: Date.now() + PROMPT_MS },
        (error, response) => {
          if (error) reject(new SignerCallError(error.code, error.details));
          else resolve(response!);
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }
}

/**
 * Inputs at the signer's API boundary (issue 9, defect 3): identifiers, signer sets and deadlines are
 * checked before any database or peer call, refused with INVALID_ARGUMENT naming the argument and
 * never echoing a long input in full, and every refusal keeps the caller's connection usable. Three
 * real signers.
 */
describe('signer API inputs (e2e)', () => {
  const approvers = testApprovers(1);
  let signers: SignerCluster;
  let raw: RawSignerClient;
  let ed: KeyInfo;
  let ec: KeyInfo;

  beforeAll(async () => {
    signers = await startSignerCluster(3, { APPROVER_KEYS: approverKeysEnv(approvers), SIGNER_PRESIGN_POOL_SIZE: '0', SIGNER_NONCE_POOL_SIZE: '2', SIGNER_SESSION_TIMEOUT_MS: '8000' });
    raw = new RawSignerClient(`127.0.0.1:${signers.specs[0]!.grpcPort}`);
    ed = await signers.client(1).createKey('eddsa', 2, [1, 2, 3]);
    ec = await signers.client(1).createKey('ecdsa', 2, [1, 2, 3], 120_000);
  }, 240_000);

  afterAll(async () => {
    raw?.close();
    await signers?.destroy();
  }, 60_000);

  it('refuses a 100,000-character key id at once with INVALID_ARGUMENT, echoing only its start, and the same connection keeps working', async () => {
    const long = 'k'.repeat(100_000);
    const error = await failure(raw.getKey(long));
    expect(codeOf(error)).toBe('INVALID_ARGUMENT');
    expect(error.details).toMatch(/keyId/);
    expect(error.details).toContain('100000 chars');
    expect(error.details.length).toBeLessThan(300);
    await expect(raw.getKey(ed.keyId)).resolves.toMatchObject({ keyId: ed.keyId });
  });

  it.each([
    ['a NUL byte', 'key-\u0000'],
    ['129 characters', 'k'.repeat(129)],
    ['a space', 'key 1'],
    ['nothing', ''],
    ['a character outside the grammar', 'key/1'],
  ])('refuses a key id with %s with INVALID_ARGUMENT', async (_what, keyId) => {
    const error = await failure(raw.getKey(keyId));
    expect(codeOf(error)).toBe('INVALID_ARGUMENT');
    expect(error.details).toMatch(/invalid keyId/);
  });

  it('says NOT_FOUND for a well-formed key id it does not hold (128 characters)', async () => {
    expect(codeOf(await failure(raw.getKey('k'.repeat(128))))).toBe('NOT_FOUND');
  });

  it('refuses bytes that are not a protobuf message with INVALID_ARGUMENT, and the connection keeps working', async () => {
    // What protobufjs cannot decode. (It takes a length-delimited *string* running past the end as
    // what is there, so [0x0a, 0x7f, 0x41] reads as keyId "A": that one ends as NOT_FOUND.)
    for (const garbage of [Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]), Buffer.from([0x12, 0x05, 0x01]), Buffer.from([0x0f, 0x00, 0x01])]) {
      const error = await failure(raw.getKeyRaw(garbage));
      expect({ code: codeOf(error), details: error.details }).toEqual({ code: 'INVALID_ARGUMENT', details: expect.stringMatching(/signer\.v1\.GetKeyRequest/) as unknown });
    }
    await expect(raw.getKey(ed.keyId)).resolves.toMatchObject({ keyId: ed.keyId });
  });

  it('refuses a request over the API limit (1 MiB) with INVALID_ARGUMENT and one over the server limit (4 MiB) with RESOURCE_EXHAUSTED (grpc-js), and the connection keeps working', async () => {
    const over = await failure(raw.getKey('k'.repeat(2 * 1024 * 1024)));
    expect(codeOf(over)).toBe('INVALID_ARGUMENT');
    const exhausted = await failure(raw.getKey('k'.repeat(5 * 1024 * 1024)));
    expect(codeOf(exhausted)).toBe('RESOURCE_EXHAUSTED');
    await expect(raw.getKey(ed.keyId)).resolves.toMatchObject({ keyId: ed.keyId });
  });

  it.each([
    ['duplicate participants', [1, 1, 2], /invalid participants: .*listed twice/],
    ['a participant out of 1..255', [1, 2, 256], /invalid participants/],
    ['participant 0', [0, 1, 2], /invalid participants/],
    ['participants without the node asked', [2, 3], /invalid participants: must include signer 1/],
  ])('refuses CreateKey with %s with INVALID_ARGUMENT', async (_what, participants, message) => {
    const error = await failure(signers.client(1).createKey('eddsa', 2, participants));
    expect(codeOf(error)).toBe('INVALID_ARGUMENT');
    expect(error.details).toMatch(message);
  });

  it('refuses CreateKey with a threshold above the participants with INVALID_ARGUMENT', async () => {
    expect(codeOf(await failure(signers.client(1).createKey('eddsa', 4, [1, 2, 3])))).toBe('INVALID_ARGUMENT');
  });

  it.each([
    ['[1,1]', [1, 1]],
    ['[1,2,2]', [1, 2, 2]],
    ['[1]', [1]],
    ['[2,3] (not the node asked)', [2, 3]],
  ])('refuses Presign with signers %s with INVALID_ARGUMENT', async (_what, set) => {
    const error = await failure(signers.client(1).presign(ec.keyId, set, 1));
    expect(codeOf(error)).toBe('INVALID_ARGUMENT');
    expect(error.details).toMatch(/invalid signers/);
  });

  it('refuses Sign with duplicate signers with INVALID_ARGUMENT', async () => {
    const g = makeTestGrant({ engineSeedFile: signers.secrets.policyEngine.seedFile, approvers, keyId: ed.keyId, scheme: 'eddsa', message: randomBytes(8) });
    const error = await failure(signers.client(1).sign(g.grant, [1, 1], g.signingInput));
    expect(codeOf(error)).toBe('INVALID_ARGUMENT');
  });

  it('refuses timeoutMs=1 with INVALID_ARGUMENT naming the range, and an hour too', async () => {
    for (const timeoutMs of [1, 3_600_000]) {
      const error = await failure(signers.client(1).createKey('eddsa', 2, [1, 2, 3], timeoutMs));
      expect(codeOf(error)).toBe('INVALID_ARGUMENT');
      expect(error.details).toMatch(/invalid timeoutMs: must be 0 \(the node's default\) or 100\.\.600000/);
      expect(error.details).not.toMatch(/never started/);
    }
  });

  it('says DEADLINE_EXCEEDED, naming what it waited for, when a valid deadline is too short for the work', async () => {
    const error = await failure(signers.client(1).presign(ec.keyId, [1, 2], 1, 100));
    expect(codeOf(error)).toBe('DEADLINE_EXCEEDED');
    expect(error.details).toMatch(/^timeout \[signers? [\d,]+\]: /);
    expect(error.details).not.toMatch(/signer 1 never started/);
    // The node is fine afterwards.
    await expect(signers.client(1).presign(ec.keyId, [1, 2], 1, 60_000)).resolves.toBe(1);
  }, 90_000);

  it('refuses a request replayed through another coordinator with FAILED_PRECONDITION (a retry cannot succeed)', async () => {
    const g = makeTestGrant({ engineSeedFile: signers.secrets.policyEngine.seedFile, approvers, keyId: ed.keyId, scheme: 'eddsa', message: randomBytes(8) });
    await signers.client(1).sign(g.grant, [1, 2], g.signingInput);
    const error = await failure(signers.client(3).sign(g.grant, [1, 3], g.signingInput));
    expect(codeOf(error)).toBe('FAILED_PRECONDITION');
    expect(error.retryable).toBe(false);
    expect(error.details).toMatch(/signer 1: .*signed here before/);
  }, 60_000);

  it('says UNAVAILABLE, not a refusal, when a participant cannot check the invitation (its database fails), and keeps that error in its own log', async () => {
    const url = signerDatabaseUrl(signers.databaseUrl, 2);
    const g = makeTestGrant({ engineSeedFile: signers.secrets.policyEngine.seedFile, approvers, keyId: ed.keyId, scheme: 'eddsa', message: randomBytes(8) });
    await sql(url, 'ALTER TABLE signer.signed_requests RENAME TO signed_requests_away');
    let error: SignerCallError;
    try {
      error = await failure(signers.client(1).sign(g.grant, [1, 2], g.signingInput));
    } finally {
      await sql(url, 'ALTER TABLE signer.signed_requests_away RENAME TO signed_requests');
    }
    expect(codeOf(error)).toBe('UNAVAILABLE');
    expect(error.details).toMatch(/signer 2: unavailable: signer 2 could not check the invitation/);
    expect(error.details).not.toMatch(/relation|signed_requests/);
    expect(signers.cluster.output('signer-2').join('\n')).toMatch(/relation .*signed_requests.* does not exist.*"msg":"could not check an invitation"/);
    await expect(signers.client(1).sign(g.grant, [1, 2], g.signingInput)).resolves.toMatchObject({ requestId: g.request.requestId });
  }, 60_000);

  it('says UNAVAILABLE (a retry can succeed) when a participant is down, and the same call succeeds once it is back', async () => {
    await signers.stop(3);
    const g = makeTestGrant({ engineSeedFile: signers.secrets.policyEngine.seedFile, approvers, keyId: ed.keyId, scheme: 'eddsa', message: randomBytes(8) });
    const error = await failure(signers.client(1).sign(g.grant, [1, 3], g.signingInput));
    expect(codeOf(error)).toBe('UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.details).toMatch(/signer 3: unreachable/);
    await signers.restart(3);
    await expect(signers.client(1).sign(g.grant, [1, 3], g.signingInput)).resolves.toMatchObject({ requestId: g.request.requestId });
  }, 120_000);
});
