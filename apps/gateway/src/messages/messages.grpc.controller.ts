import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import type { custody } from '@custody/proto';
import { ROLES } from '../auth/api-client';
import { Roles } from '../auth/roles.decorator';
import { parseName } from '../api/resource-paging';
import { principalOfCall } from '../http/request-context';
import { Idempotent } from '../idempotency/idempotency.interceptor';
import { principal } from '../wallets/wallets.controller';
import type { MessageView } from './message';
import { MessagesService } from './messages.service';

/** gRPC: `custody.v1.MessageService`. */
@Controller()
export class MessagesGrpcController {
  constructor(private readonly messages: MessagesService) {}

  @GrpcMethod('MessageService', 'CreateMessage')
  @Roles('operator', 'admin')
  @Idempotent()
  create(request: custody.v1.ICreateMessageRequest, _metadata: Metadata, call: ServerUnaryCall<unknown, unknown>): Promise<MessageView> {
    return this.messages.create({ wallet: request.wallet ?? '', message: request.message ?? '', hash: request.hash ?? '' }, principal(principalOfCall(call)).clientId);
  }

  @GrpcMethod('MessageService', 'GetMessage')
  @Roles(...ROLES)
  get(request: custody.v1.IGetMessageRequest): Promise<MessageView> {
    const [messageId] = parseName(request.name ?? '', ['messages'], 'name');
    return this.messages.get(messageId!, 'name');
  }
}
