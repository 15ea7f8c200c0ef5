import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ROLES, type ApiClient } from '../auth/api-client';
import { Roles } from '../auth/roles.decorator';
import { bodySchema, parseBody } from '../http/validate';
import { CurrentClient } from '../system/current-client.decorator';
import { principal } from '../wallets/wallets.controller';
import type { MessageView } from './message';
import { MessagesService, type CreateMessageInput } from './messages.service';

export const CREATE_MESSAGE_BODY = bodySchema<CreateMessageInput>({
  type: 'object',
  additionalProperties: false,
  required: ['wallet', 'message'],
  properties: {
    wallet: { type: 'string', maxLength: 200 },
    message: { type: 'string', maxLength: 2 * 64 * 1024 },
    hash: { type: 'string', maxLength: 16, nullable: true },
  },
});

/** REST: `/v1/messages`. */
@ApiTags('messages')
@Controller('v1/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Post()
  @Roles('operator', 'admin')
  @ApiOperation({ operationId: 'CreateMessage', summary: 'Sign a raw message under policy (state signed, pending-approval, rejected or failed)' })
  @ApiBody({ schema: CREATE_MESSAGE_BODY.schema as object })
  create(@Body() body: unknown, @CurrentClient() client: ApiClient | undefined): Promise<MessageView> {
    return this.messages.create(parseBody(body, CREATE_MESSAGE_BODY), principal(client).clientId);
  }

  @Get(':messageId')
  @Roles(...ROLES)
  @ApiOperation({ operationId: 'GetMessage', summary: 'Get a message signing request and its signature' })
  get(@Param('messageId') messageId: string): Promise<MessageView> {
    return this.messages.get(messageId);
  }
}
