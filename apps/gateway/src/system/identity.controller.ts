import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ROLES } from '../auth/api-client';
import { Roles } from '../auth/roles.decorator';
import { ApiError } from '../errors/api-error';
import { CurrentClient } from './current-client.decorator';
import type { ApiClient } from '../auth/api-client';

export interface PrincipalView {
  clientId: string;
  roles: string[];
}

function view(client: ApiClient | undefined): PrincipalView {
  if (!client) throw new ApiError('internal', 'no authenticated client on an authenticated route');
  return { clientId: client.clientId, roles: [...client.roles] };
}

/** Who am I: REST `GET /v1/whoami`, gRPC `custody.v1.IdentityService/WhoAmI` (any role). */
@ApiTags('identity')
@Controller('v1')
export class IdentityController {
  @Get('whoami')
  @Roles(...ROLES)
  @ApiOperation({ operationId: 'WhoAmI', summary: 'The authenticated API client and its roles' })
  whoami(@CurrentClient() client: ApiClient | undefined): PrincipalView {
    return view(client);
  }
}
