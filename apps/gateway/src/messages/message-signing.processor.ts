import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { MessageSigningQueue } from './message-signing.queue';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';

/** Thin: starts the queue's worker on MessagesService.step, and re-drives waiting messages from Postgres. */
@Injectable()
export class MessageSigningProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger('MessageSigningProcessor');

  constructor(
    private readonly queue: MessageSigningQueue,
    private readonly messages: MessagesService,
    private readonly repository: MessagesRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.queue.start((messageId) => this.messages.step(messageId));
    for (const messageId of await this.repository.waiting(10_000)) await this.queue.enqueue(messageId);
    this.logger.log('message signing worker started');
  }
}
