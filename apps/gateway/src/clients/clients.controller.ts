import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { ApiError } from '../errors/api-error';
import { bodySchema, parseBody } from '../http/validate';
import { ClientsService, type ApiClientPage, type ApiClientView, type CreateApiClientInput } from './clients.service';

export const CREATE_CLIENT_BODY = bodySchema<CreateApiClientInput>({
  type: 'object',
  additionalProperties: false,
  required: ['clientId', 'publicKey', 'roles'],
  properties: {
    clientId: { type: 'string', maxLength: 128 },
    publicKey: { type: 'string', maxLength: 64 },
    roles: { type: 'array', maxItems: 6, items: { type: 'string', maxLength: 32 } },
  },
});

/** Query parameters of a list: only `page_size` and `page_token`. */
export function pageQuery(query: Record<string, unknown>): { pageSize: number; pageToken: string } {
  for (const name of Object.keys(query)) if (name !== 'page_size' && name !== 'page_token') throw new ApiError('unknown-field', `unknown query parameter ${JSON.stringify(name.slice(0, 32))}`);
  const size = query['page_size'];
  const token = query['page_token'];
  if (size !== undefined && (typeof size !== 'string' || !/^\d{1,3}$/.test(size))) throw new ApiError('invalid-argument', 'page_size must be an integer 0..100');
  if (token !== undefined && typeof token !== 'string') throw new ApiError('invalid-argument', 'page_token must be given once');
  return { pageSize: size === undefined ? 0 : Number(size), pageToken: token ?? '' };
}

/** REST: `/v1/clients` (admin only). */
@ApiTags('clients')
@Controller('v1/clients')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ operationId: 'CreateApiClient', summary: 'Register an API client (admin)' })
  @ApiBody({ schema: CREATE_CLIENT_BODY.schema as object })
  create(@Body() body: unknown): Promise<ApiClientView> {
    return this.clients.create(parseBody(body, CREATE_CLIENT_BODY));
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ operationId: 'ListApiClients', summary: 'List API clients (admin)' })
  list(@Query() query: Record<string, unknown>): Promise<ApiClientPage> {
    const { pageSize, pageToken } = pageQuery(query);
    return this.clients.list(pageSize, pageToken);
  }

  @Get(':clientId')
  @Roles('admin')
  @ApiOperation({ operationId: 'GetApiClient', summary: 'Get an API client (admin)' })
  get(@Param('clientId') clientId: string): Promise<ApiClientView> {
    return this.clients.get(clientId);
  }

  @Post(':clientId/disable')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ operationId: 'DisableApiClient', summary: 'Disable an API client (admin); its signatures are refused from then on' })
  disable(@Param('clientId') clientId: string, @Body() body: unknown): Promise<ApiClientView> {
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length > 0)) throw new ApiError('unknown-field', 'disable takes no fields');
    return this.clients.disable(clientId);
  }
}
