import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_ROOT, protoPath } from '@custody/proto';
import { ApiError } from '../errors/api-error';

type UnaryMethod = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response: unknown) => void) => void;

/** A failed call to a service behind the gateway: which one, the gRPC code and its message. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly service: string,
    readonly method: string,
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(`${service} ${method}: ${grpc.status[code] ?? code}: ${details.length > 300 ? `${details.slice(0, 300)}…` : details}`);
  }
}

/**
 * The public error for an upstream failure: an unreachable or slow service is 503 `unavailable`; a
 * NOT_FOUND is the caller's `not-found`; anything else is `internal` (the gateway validated the
 * request first, so an upstream refusal is not the caller's fault). The upstream's message is kept
 * only for `not-found` (it names the resource, never a secret).
 */
export function publicError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof UpstreamError) {
    if (error.code === grpc.status.UNAVAILABLE || error.code === grpc.status.DEADLINE_EXCEEDED) return new ApiError('unavailable', `the ${error.service} is unavailable; retry later`);
    if (error.code === grpc.status.NOT_FOUND) return new ApiError('not-found', error.details);
  }
  return new ApiError('internal', 'an internal error occurred');
}

/** A unary gRPC client of one service of one package, with the loader options of our services. */
export class GrpcUpstream {
  private readonly client: grpc.Client;

  constructor(
    readonly label: string,
    proto: Parameters<typeof protoPath>[0],
    servicePath: string,
    address: string,
    private readonly deadlineMs = 30_000,
  ) {
    const definition = protoLoader.loadSync(protoPath(proto), { includeDirs: [PROTO_ROOT], keepCase: false, longs: String, enums: String, defaults: true });
    let ctor: unknown = grpc.loadPackageDefinition(definition);
    for (const part of servicePath.split('.')) ctor = (ctor as Record<string, unknown>)[part];
    this.client = new (ctor as grpc.ServiceClientConstructor)(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  }

  call<T>(method: string, request: Record<string, unknown>, deadlineMs = this.deadlineMs): Promise<T> {
    return new Promise((resolve, reject) => {
      const fn = (this.client as unknown as Record<string, UnaryMethod>)[method[0]!.toLowerCase() + method.slice(1)];
      if (!fn) return reject(new Error(`${this.label} has no method ${method}`));
      fn.call(this.client, request, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (error, response) =>
        error ? reject(new UpstreamError(this.label, method, error.code, error.details || error.message)) : resolve(response as T),
      );
    });
  }

  close(): void {
    this.client.close();
  }
}
