import type { MethodDefinition, PackageDefinition } from '@grpc/proto-loader';
import { InvalidArgument } from '../errors';

/** The largest custody.policy.v1 request taken (a 1 MiB policy document and its envelope). */
export const POLICY_API_MAX_REQUEST_BYTES = 2 * 1024 * 1024;

const UNDECODABLE = Symbol('undecodable request');

interface Undecodable {
  readonly [UNDECODABLE]: string;
}

/**
 * Makes every method of `service` hand a request that does not decode (or is too large) to its
 * handler as a marker instead of grpc-js answering INTERNAL; `decoded()` turns it into INVALID_ARGUMENT.
 */
export function refuseUndecodable(definition: PackageDefinition, service: string): void {
  const methods = definition[service] as Record<string, MethodDefinition<object, object>> | undefined;
  if (!methods) throw new Error(`${service} is not in the package definition`);
  for (const method of Object.values(methods)) {
    const original = method.requestDeserialize;
    method.requestDeserialize = (bytes: Buffer): object => {
      if (bytes.length > POLICY_API_MAX_REQUEST_BYTES) return { [UNDECODABLE]: `is ${bytes.length} bytes, over the limit of ${POLICY_API_MAX_REQUEST_BYTES}` } satisfies Undecodable;
      try {
        return original(bytes);
      } catch {
        return { [UNDECODABLE]: 'is not a valid protobuf message of its type' } satisfies Undecodable;
      }
    };
  }
}

export function decoded<T extends object>(request: T): T {
  if (typeof request === 'object' && request !== null && UNDECODABLE in request) throw new InvalidArgument('request', (request as unknown as Undecodable)[UNDECODABLE]);
  return request;
}
