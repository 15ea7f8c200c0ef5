import * as grpc from '@grpc/grpc-js';
import { grpcSignatureMetadata, type ClientCredentials } from './signing';

export interface GrpcCallOptions {
  /** Sent as `idempotency-key` metadata (writes). */
  readonly idempotencyKey?: string;
  /** Unix seconds (default the system clock). */
  readonly now?: number;
  readonly deadlineMs?: number;
}

/**
 * A client of the public gRPC API that signs each call: the request is serialized first, and the
 * signature's content-digest is over exactly those bytes, which are sent as they are.
 */
export class CustodyGrpcClient {
  private readonly client: grpc.Client;

  constructor(
    address: string,
    private readonly credentials: ClientCredentials,
    channelCredentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  ) {
    this.client = new grpc.Client(address, channelCredentials);
  }

  /** Calls `methodPath` (e.g. `/custody.v1.IdentityService/WhoAmI`) with the serialized request. */
  async call<T>(methodPath: string, request: Uint8Array, decode: (bytes: Buffer) => T, options: GrpcCallOptions = {}): Promise<T> {
    const signed = await grpcSignatureMetadata(methodPath, request, this.credentials, options.now ?? Math.floor(Date.now() / 1000));
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(signed)) metadata.set(key, value);
    if (options.idempotencyKey !== undefined) metadata.set('idempotency-key', options.idempotencyKey);
    return this.unary(methodPath, Buffer.from(request), decode, metadata, options.deadlineMs ?? 10_000);
  }

  /** A call with the metadata given as is (tests of refused signatures). */
  unary<T>(methodPath: string, request: Buffer, decode: (bytes: Buffer) => T, metadata: grpc.Metadata, deadlineMs = 10_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.client.makeUnaryRequest(
        methodPath,
        (bytes: Buffer) => bytes,
        decode,
        request,
        metadata,
        { deadline: Date.now() + deadlineMs },
        (error: grpc.ServiceError | null, value?: T) => (error ? reject(error) : resolve(value as T)),
      );
    });
  }

  close(): void {
    this.client.close();
  }
}
