import type { MethodDefinition, PackageDefinition } from '@grpc/proto-loader';

/** The largest custody.ledger.v1 request taken, in bytes; anything larger is INVALID_ARGUMENT `request`. */
export const LEDGER_MAX_REQUEST_BYTES = 64 * 1024;
/** Methods that take more: a batch of up to 1,000 deposit events (each a few hundred bytes). */
export const LEDGER_MAX_REQUEST_BYTES_BY_METHOD: Readonly<Record<string, number>> = { ApplyDepositEvents: 1024 * 1024 };
/** The gRPC server's own limit (grpc-js answers RESOURCE_EXHAUSTED above it). */
export const LEDGER_GRPC_MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

/** A request that did not decode as its protobuf message, or was too large. INVALID_ARGUMENT (`request`). */
export class RequestUndecodable extends Error {
  override readonly name = 'RequestUndecodable';
  constructor(reason: string) {
    super(`invalid request: ${reason}`);
  }
}

const UNDECODABLE = Symbol('undecodable request');

interface Undecodable {
  readonly [UNDECODABLE]: string;
}

/**
 * Makes every method of `service` hand a request that does not decode (or is over
 * LEDGER_MAX_REQUEST_BYTES, or its method's LEDGER_MAX_REQUEST_BYTES_BY_METHOD) to its handler as a marker, instead of grpc-js answering INTERNAL;
 * `decoded()` turns the marker into INVALID_ARGUMENT.
 */
export function refuseUndecodable(definition: PackageDefinition, service: string): void {
  const methods = definition[service] as Record<string, MethodDefinition<object, object>> | undefined;
  if (!methods) return;
  for (const [name, method] of Object.entries(methods)) {
    const original = method.requestDeserialize;
    const limit = LEDGER_MAX_REQUEST_BYTES_BY_METHOD[name] ?? LEDGER_MAX_REQUEST_BYTES;
    method.requestDeserialize = (bytes: Buffer): object => {
      if (bytes.length > limit) return { [UNDECODABLE]: `is ${bytes.length} bytes, over the limit of ${limit}` } satisfies Undecodable;
      try {
        return original(bytes);
      } catch {
        return { [UNDECODABLE]: 'is not a valid protobuf message of its type' } satisfies Undecodable;
      }
    };
  }
}

/** The request, or RequestUndecodable if it did not decode. */
export function decoded<T extends object>(request: T): T {
  if (typeof request === 'object' && request !== null && UNDECODABLE in request) throw new RequestUndecodable((request as unknown as Undecodable)[UNDECODABLE]);
  return request;
}
