import { createHash } from 'node:crypto';
import type { MethodDefinition, PackageDefinition } from '@grpc/proto-loader';

const RAW_DIGEST = Symbol('sha256 of the request bytes');
const UNDECODABLE = Symbol('undecodable request');

interface Marked {
  [RAW_DIGEST]?: Buffer;
  [UNDECODABLE]?: string;
}

/**
 * Wraps the request deserializer of every method of every `custody.v1` service so that the handler's
 * request carries the SHA-256 of the exact bytes received (the gRPC `content-digest` is over them),
 * and a request that does not decode reaches the guard as a marker (INVALID_ARGUMENT) instead of
 * grpc-js's INTERNAL.
 */
export function recordRequestBytes(definition: PackageDefinition, packageName: string): void {
  for (const [name, service] of Object.entries(definition)) {
    if (!name.startsWith(`${packageName}.`) || !name.endsWith('Service')) continue;
    for (const method of Object.values(service as Record<string, MethodDefinition<object, object>>)) {
      if (typeof method.requestDeserialize !== 'function') continue;
      const original = method.requestDeserialize;
      method.requestDeserialize = (bytes: Buffer): object => {
        const digest = createHash('sha256').update(bytes).digest();
        let request: Marked;
        try {
          request = original(bytes) as Marked;
        } catch {
          request = { [UNDECODABLE]: 'is not a valid protobuf message of this method' };
        }
        Object.defineProperty(request, RAW_DIGEST, { value: digest, enumerable: false });
        return request;
      };
    }
  }
}

/** The SHA-256 of the request's bytes, if it came through {@link recordRequestBytes}. */
export function requestDigest(request: unknown): Buffer | undefined {
  return typeof request === 'object' && request !== null ? (request as Marked)[RAW_DIGEST] : undefined;
}

/** Why the request did not decode, if it did not. */
export function undecodable(request: unknown): string | undefined {
  return typeof request === 'object' && request !== null ? (request as Marked)[UNDECODABLE] : undefined;
}
