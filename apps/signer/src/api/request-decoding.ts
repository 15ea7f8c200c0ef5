import type { MethodDefinition, PackageDefinition } from '@grpc/proto-loader';
import { InvalidInputError } from '@custody/mpc-core';

/**
 * The largest signer.v1.SignerService request taken, in bytes (a grant with a 64 KiB message is far
 * below it). The gRPC server itself refuses anything over `GRPC_MAX_RECEIVE_BYTES` (RESOURCE_EXHAUSTED,
 * from grpc-js); that limit is shared with the peer service, whose messages are larger.
 */
export const API_MAX_REQUEST_BYTES = 1024 * 1024;
/** The gRPC server's max receive message length (grpc-js's default, written down). */
export const GRPC_MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

const UNDECODABLE = Symbol('undecodable request');

/** What a SignerService handler receives in place of a request that did not decode. */
interface Undecodable {
  readonly [UNDECODABLE]: string;
}

function isUndecodable(request: unknown): request is Undecodable {
  return typeof request === 'object' && request !== null && UNDECODABLE in request;
}

/**
 * Makes every method of `service` (e.g. `signer.v1.SignerService`) in `definition` hand a request
 * that does not decode, or is over `API_MAX_REQUEST_BYTES`, to its handler as a marker instead of
 * failing in grpc-js (which answers INTERNAL, "Error deserializing request"). The handler's `decoded()`
 * turns the marker into INVALID_ARGUMENT. Called on the proto-loader definition before the server
 * registers the service.
 */
export function refuseUndecodable(definition: PackageDefinition, service: string): void {
  const methods = definition[service] as Record<string, MethodDefinition<object, object>> | undefined;
  if (!methods) throw new Error(`${service} is not in the package definition`);
  const pkg = service.slice(0, service.lastIndexOf('.'));
  for (const method of Object.values(methods)) {
    const original = method.requestDeserialize;
    // proto-loader types the descriptor as `object`; it is a DescriptorProto, with the message's name.
    const type = `${pkg}.${(method.requestType.type as { name?: string }).name ?? 'request'}`;
    method.requestDeserialize = (bytes: Buffer): object => {
      if (bytes.length > API_MAX_REQUEST_BYTES) return { [UNDECODABLE]: `is ${bytes.length} bytes, over the limit of ${API_MAX_REQUEST_BYTES}` } satisfies Undecodable;
      try {
        return original(bytes);
      } catch {
        return { [UNDECODABLE]: `is not a valid ${type} protobuf message` } satisfies Undecodable;
      }
    };
  }
}

/** The request a handler was given, or INVALID_ARGUMENT (`request`) if it did not decode. */
export function decoded<T extends object>(request: T): T {
  if (isUndecodable(request)) throw new InvalidInputError('request', request[UNDECODABLE]);
  return request;
}
