import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import type { Metadata } from '@grpc/grpc-js';
import { ROLES } from '../auth/api-client';
import { Roles } from '../auth/roles.decorator';
import { ApiError } from '../errors/api-error';
import type { PrincipalView } from './identity.controller';
import { principalOfCall } from '../http/request-context';

@Controller()
export class IdentityGrpcController {
  @GrpcMethod('IdentityService', 'WhoAmI')
  @Roles(...ROLES)
  whoami(_request: unknown, _metadata: Metadata, call: ServerUnaryCall<unknown, unknown>): PrincipalView {
    const client = principalOfCall(call);
    if (!client) throw new ApiError('internal', 'no authenticated client on an authenticated method');
    return { clientId: client.clientId, roles: [...client.roles] };
  }
}
