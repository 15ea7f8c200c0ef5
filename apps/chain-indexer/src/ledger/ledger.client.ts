import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_ROOT, protoPath } from '@custody/proto';

/** A failed ledger call: the gRPC code and the ledger's message. */
export class LedgerCallError extends Error {
  override readonly name = 'LedgerCallError';
  constructor(
    readonly method: string,
    readonly code: grpc.status,
    details: string,
  ) {
    super(`ledger ${method}: ${grpc.status[code] ?? code}: ${details.length > 300 ? `${details.slice(0, 300)}…` : details}`);
  }

  /** Worth another try: the ledger is away, slow, or asked us to retry (a concurrent idempotent call). */
  get retryable(): boolean {
    return [grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.ABORTED, grpc.status.RESOURCE_EXHAUSTED, grpc.status.CANCELLED].includes(this.code);
  }
}

type UnaryMethod = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response: unknown) => void) => void;

export interface LedgerAsset {
  readonly chain: string;
  readonly code: string;
  readonly decimals: number;
  readonly contract: string;
  readonly confirmations: number;
}

export interface HeldOnChain {
  readonly chain: string;
  readonly asset: string;
  readonly address: string;
  /** Decimal string in the asset's units. */
  readonly amount: string;
}

/** A client of custody.ledger.v1.LedgerService (the ledger's internal API). */
export class LedgerClient {
  private readonly client: grpc.Client;

  constructor(
    address: string,
    private readonly deadlineMs = 30_000,
  ) {
    const definition = protoLoader.loadSync(protoPath('ledger'), { includeDirs: [PROTO_ROOT], keepCase: false, longs: String, enums: Number, defaults: true });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as { custody: { ledger: { v1: { LedgerService: grpc.ServiceClientConstructor } } } };
    this.client = new pkg.custody.ledger.v1.LedgerService(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  }

  call<T>(method: string, request: Record<string, unknown>): Promise<T> {
    return new Promise((resolve, reject) => {
      const fn = (this.client as unknown as Record<string, UnaryMethod>)[method[0]!.toLowerCase() + method.slice(1)];
      if (!fn) return reject(new Error(`ledger has no method ${method}`));
      fn.call(this.client, request, new grpc.Metadata(), { deadline: Date.now() + this.deadlineMs }, (error, response) =>
        error ? reject(new LedgerCallError(method, error.code, error.details)) : resolve(response as T),
      );
    });
  }

  async assets(): Promise<LedgerAsset[]> {
    const r = await this.call<{ assets: LedgerAsset[] }>('ListAssets', {});
    return r.assets;
  }

  async heldOnChain(chain: string): Promise<HeldOnChain[]> {
    const r = await this.call<{ rows: HeldOnChain[] }>('GetReconciliation', { chain });
    return r.rows;
  }

  close(): void {
    this.client.close();
  }
}
