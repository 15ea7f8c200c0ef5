import { Module } from '@nestjs/common';
import { WalletsModule } from '../wallets/wallets.module';
import { MessageSigningProcessor } from './message-signing.processor';
import { MessageSigningQueue } from './message-signing.queue';
import { MessagesController } from './messages.controller';
import { MessagesGrpcController } from './messages.grpc.controller';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';

/** Raw message signing under policy: the request, the approval wait on BullMQ, the signature. */
@Module({
  imports: [WalletsModule],
  controllers: [MessagesController, MessagesGrpcController],
  providers: [MessagesRepository, MessagesService, MessageSigningQueue, MessageSigningProcessor],
})
export class MessagesModule {}
