import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_ROOT, protoPath } from '@custody/proto';

/** An asset as the ledger's `CreateAsset` takes it (`contract` empty for a chain's native coin). */
export interface LedgerAssetTerms {
  readonly chain: string;
  readonly code: string;
  readonly decimals: number;
  readonly contract: string;
  readonly confirmations: number;
}

/** The ledger has the asset: made now or already there with the same terms, or there with other terms (kept as they are). */
export type EnsureAssetOutcome = { readonly kind: 'ready' } | { readonly kind: 'other-terms'; readonly detail: string };

type Unary = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response: unknown) => void) => void;

/**
 * Makes sure the ledger at `address` (gRPC host:port) books `asset`: `CreateAsset` with an
 * idempotency key derived from the terms, so every later call (each `custody up`) is answered from
 * the first; an asset of that chain and code made with other terms is left alone and reported.
 */
export async function ensureLedgerAsset(address: string, asset: LedgerAssetTerms, timeoutMs = 10_000): Promise<EnsureAssetOutcome> {
  const definition = protoLoader.loadSync(protoPath('ledger'), { includeDirs: [PROTO_ROOT], keepCase: false, longs: String, enums: Number, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { custody: { ledger: { v1: { LedgerService: grpc.ServiceClientConstructor } } } };
  const client = new pkg.custody.ledger.v1.LedgerService(address, grpc.credentials.createInsecure());
  const idempotencyKey = `custody-up:asset:${asset.chain}:${asset.code}:${asset.decimals}:${asset.contract}:${asset.confirmations}`;
  try {
    await new Promise<void>((resolve, reject) => {
      const createAsset = (client as unknown as Record<string, Unary>)['createAsset']!;
      createAsset.call(client, { idempotencyKey, asset }, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (error) => (error ? reject(error) : resolve()));
    });
    return { kind: 'ready' };
  } catch (error) {
    const e = error as grpc.ServiceError;
    if (e.code === grpc.status.ALREADY_EXISTS) return { kind: 'other-terms', detail: e.details };
    throw new Error(`the ledger at ${address} answered CreateAsset ${grpc.status[e.code] ?? e.code}: ${(e.details ?? e.message).slice(0, 200)}`, { cause: error });
  } finally {
    client.close();
  }
}
