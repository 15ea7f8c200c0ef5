import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_ROOT, protoPath } from '@custody/proto';
import type { GatewayConfig } from '../config';
import { ApiError } from '../errors/api-error';
import type { ErrorCode } from '../errors/error-table';
import { GATEWAY_CONFIG } from '../tokens';

/** How long the gateway waits for one policy-engine call. */
const DEADLINE_MS = 30_000;

type Unary = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, value?: unknown) => void) => grpc.ClientUnaryCall;

/**
 * What a policy-engine status means to the public API: its own error table's codes (the engine
 * names the field in INVALID_ARGUMENT; the message is passed on) to ours. Anything else is a bug
 * (logged by the caller), never a 500 for a bad input the engine refused.
 */
export function engineErrorCode(code: grpc.status): ErrorCode {
  switch (code) {
    case grpc.status.INVALID_ARGUMENT:
      return 'invalid-argument';
    case grpc.status.NOT_FOUND:
      return 'not-found';
    case grpc.status.ALREADY_EXISTS:
      return 'already-exists';
    case grpc.status.FAILED_PRECONDITION:
      return 'failed-precondition';
    case grpc.status.PERMISSION_DENIED:
      return 'policy-refused';
    case grpc.status.UNAVAILABLE:
    case grpc.status.DEADLINE_EXCEEDED:
    case grpc.status.RESOURCE_EXHAUSTED:
      return 'unavailable';
    default:
      return 'internal';
  }
}

/**
 * The gateway's client of custody.policy.v1.PolicyService (POLICY_ENGINE_GRPC_ADDRESS). Every
 * error becomes an {@link ApiError} through {@link engineErrorCode}; an internal one is logged here
 * and answered without its message.
 */
@Injectable()
export class PolicyEngineClient implements OnModuleDestroy {
  private readonly logger = new Logger('PolicyEngineClient');
  private client: grpc.Client | undefined;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  private connect(): grpc.Client {
    if (this.client) return this.client;
    const address = this.config.policyEngineAddress;
    if (address === undefined) throw new ApiError('unavailable', 'no policy engine is configured (POLICY_ENGINE_GRPC_ADDRESS)');
    const definition = protoLoader.loadSync(protoPath('custodyPolicy'), { includeDirs: [PROTO_ROOT], keepCase: false, longs: String, enums: String, defaults: true });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as { custody: { policy: { v1: { PolicyService: grpc.ServiceClientConstructor } } } };
    this.client = new loaded.custody.policy.v1.PolicyService(address, grpc.credentials.createInsecure());
    return this.client;
  }

  /** One unary call, `method` as in the proto (`ProposeVersion`). */
  call<T>(method: string, request: Record<string, unknown>): Promise<T> {
    const client = this.connect();
    const fn = (client as unknown as Record<string, Unary>)[method[0]!.toLowerCase() + method.slice(1)];
    if (!fn) return Promise.reject(new ApiError('internal', `the policy engine has no method ${method}`));
    return new Promise<T>((resolve, reject) => {
      fn.call(client, request, new grpc.Metadata(), { deadline: Date.now() + DEADLINE_MS }, (error, value) => {
        if (!error) return resolve(value as T);
        const code = engineErrorCode(error.code);
        if (code === 'internal') {
          this.logger.error({ method, grpcCode: error.code, detail: error.details }, 'policy engine call failed');
          return reject(new ApiError('internal', 'internal error'));
        }
        reject(new ApiError(code, code === 'unavailable' ? `the policy engine is unavailable (${grpc.status[error.code]})` : `policy engine: ${error.details}`));
      });
    });
  }

  onModuleDestroy(): void {
    this.client?.close();
  }
}
