import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { custody } from '@custody/proto';
import { Observable } from 'rxjs';
import { ROLES } from '../auth/api-client';
import { Roles } from '../auth/roles.decorator';
import type { StoredEvent } from './events.repository';
import { EventsService, parseEventPageSize, parseSeq } from './events.service';

function wire(e: StoredEvent): custody.v1.IEvent {
  return { seq: e.seq.toString() as unknown as custody.v1.IEvent['seq'], type: e.type, resource: e.resource, occurTime: e.occurredAt.toISOString(), data: JSON.stringify(e.data) };
}

/** gRPC: `custody.v1.EventService`, the same stream as REST `/v1/events`. */
@Controller()
export class EventsGrpcController {
  constructor(private readonly events: EventsService) {}

  @GrpcMethod('EventService', 'ListEvents')
  @Roles(...ROLES)
  async list(request: custody.v1.IListEventsRequest): Promise<custody.v1.IListEventsResponse> {
    const page = await this.events.list(parseSeq(String(request.after ?? '0'), 'after'), parseEventPageSize(request.pageSize ?? 0));
    return { events: page.events.map(wire), nextAfter: page.nextAfter.toString() as unknown as custody.v1.IListEventsResponse['nextAfter'] };
  }

  /** Server streaming: every event after `after`, then each new one, until the client cancels. */
  @GrpcMethod('EventService', 'StreamEvents')
  @Roles(...ROLES)
  stream(request: custody.v1.IStreamEventsRequest): Observable<custody.v1.IEvent> {
    const after = parseSeq(String(request.after ?? '0'), 'after');
    return new Observable<custody.v1.IEvent>((subscriber) => {
      const abort = new AbortController();
      void (async () => {
        try {
          for await (const event of this.events.feed(after, abort.signal)) subscriber.next(wire(event));
          subscriber.complete();
        } catch (error) {
          subscriber.error(error);
        }
      })();
      return () => abort.abort();
    });
  }
}
