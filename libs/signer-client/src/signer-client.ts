import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_ROOT, protoPath } from '@custody/proto';

export type SchemeName = 'ecdsa' | 'eddsa';
const SCHEME_NUMBERS: Record<SchemeName, number> = { ecdsa: 1, eddsa: 2 };

export interface KeyInfo {
  readonly keyId: string;
  readonly scheme: SchemeName;
  readonly publicKey: Uint8Array;
  readonly chainCode: Uint8Array;
  readonly threshold: number;
  readonly participants: number[];
  readonly generation: number;
}

export interface SignResult {
  readonly requestId: string;
  readonly signature: Uint8Array;
  readonly recoveryId: number;
  readonly der: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * A failed call: the gRPC status code and the signer's message (which names the parties concerned).
 * The codes are those of the signer's error table (README, "Signer API inputs and errors").
 */
export class SignerCallError extends Error {
  override readonly name = 'SignerCallError';
  /** Whether repeating the same call can succeed: UNAVAILABLE and DEADLINE_EXCEEDED only. */
  readonly retryable: boolean;
  constructor(
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(`${grpc.status[code]}: ${details}`);
    this.retryable = code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED;
  }
}

type Unary = (request: object, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: Record<string, unknown>) => void) => void;
type Stub = grpc.Client & Record<'CreateKey' | 'RefreshKey' | 'GetKey' | 'Presign' | 'Sign' | 'AddCheckpoint' | 'GetWitness', Unary>;

let Ctor: (new (address: string, credentials: grpc.ChannelCredentials) => Stub) | undefined;

function bytes(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? new Uint8Array(value) : new Uint8Array(0);
}

function toKeyInfo(r: Record<string, unknown>): KeyInfo {
  return {
    keyId: String(r.keyId),
    scheme: r.scheme === 'SCHEME_ECDSA_SECP256K1' ? 'ecdsa' : 'eddsa',
    publicKey: bytes(r.publicKey),
    chainCode: bytes(r.chainCode),
    threshold: Number(r.threshold),
    participants: (r.participants as number[]).map(Number),
    generation: Number(r.generation),
  };
}

/** A client of one signer node's `signer.v1.SignerService` (orchestration, tests, benchmarks). */
export class SignerClient {
  private readonly stub: Stub;

  constructor(readonly address: string) {
    if (!Ctor) {
      const definition = protoLoader.loadSync(protoPath('signerApi'), { includeDirs: [PROTO_ROOT], longs: Number, enums: String, defaults: true });
      Ctor = (grpc.loadPackageDefinition(definition) as unknown as { signer: { v1: { SignerService: typeof Ctor } } }).signer.v1.SignerService;
    }
    this.stub = new Ctor!(address, grpc.credentials.createInsecure());
  }

  private call(method: keyof Pick<Stub, 'CreateKey' | 'RefreshKey' | 'GetKey' | 'Presign' | 'Sign' | 'AddCheckpoint' | 'GetWitness'>, request: object, deadlineMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.stub[method](request, { deadline: Date.now() + deadlineMs }, (error, response) => {
        if (error) reject(new SignerCallError(error.code, error.details || error.message));
        else resolve(response ?? {});
      });
    });
  }

  async createKey(scheme: SchemeName, threshold: number, participants: number[], timeoutMs = 60_000): Promise<KeyInfo> {
    return toKeyInfo(await this.call('CreateKey', { scheme: SCHEME_NUMBERS[scheme], threshold, participants, timeoutMs }, timeoutMs + 5000));
  }

  async refreshKey(keyId: string, timeoutMs = 60_000): Promise<KeyInfo> {
    return toKeyInfo(await this.call('RefreshKey', { keyId, timeoutMs }, timeoutMs + 5000));
  }

  async getKey(keyId: string): Promise<KeyInfo> {
    return toKeyInfo(await this.call('GetKey', { keyId }, 10_000));
  }

  async presign(keyId: string, signers: number[], count: number, timeoutMs = 60_000): Promise<number> {
    return Number((await this.call('Presign', { keyId, signers, count, timeoutMs }, timeoutMs + 5000)).created);
  }

  async sign(grant: Uint8Array, signers: number[], signingInput: Uint8Array, timeoutMs = 30_000): Promise<SignResult> {
    const r = await this.call('Sign', { grant: Buffer.from(grant), signers, timeoutMs, signingInput: Buffer.from(signingInput) }, timeoutMs + 5000);
    return { requestId: String(r.requestId), signature: bytes(r.signature), recoveryId: Number(r.recoveryId), der: bytes(r.der), publicKey: bytes(r.publicKey) };
  }

  /** Asks this signer, as a witness of the audit log, to cosign `checkpoint`; returns its cosignature line. */
  async addCheckpoint(req: { oldSize: number; consistencyProof: readonly Uint8Array[]; checkpoint: string; grantInclusions: readonly { requestId: string; index: number; proof: readonly Uint8Array[] }[] }): Promise<string> {
    const r = await this.call(
      'AddCheckpoint',
      {
        oldSize: req.oldSize,
        consistencyProof: req.consistencyProof.map((h) => Buffer.from(h)),
        checkpoint: req.checkpoint,
        grantInclusions: req.grantInclusions.map((g) => ({ requestId: g.requestId, index: g.index, proof: g.proof.map((h) => Buffer.from(h)) })),
      },
      10_000,
    );
    return String(r.cosignature);
  }

  async getWitness(): Promise<{ verifierKey: string; halted: boolean; cosignedSize: number }> {
    const r = await this.call('GetWitness', {}, 10_000);
    return { verifierKey: String(r.verifierKey), halted: Boolean(r.halted), cosignedSize: Number(r.cosignedSize ?? 0) };
  }

  close(): void {
    this.stub.close();
  }
}
