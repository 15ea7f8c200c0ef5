import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ROLES } from '../auth/api-client';
import type { Request, Response } from 'express';
import { Roles } from '../auth/roles.decorator';
import { ApiError } from '../errors/api-error';
import { EventsService, eventView, parseEventPageSize, parseSeq, type EventView } from './events.service';

const HEARTBEAT_MS = 15_000;

function onlyQuery(query: Record<string, unknown>, allowed: readonly string[]): void {
  for (const name of Object.keys(query)) if (!allowed.includes(name)) throw new ApiError('unknown-field', `unknown query parameter ${JSON.stringify(name.slice(0, 32))}`);
  for (const name of allowed) if (Array.isArray(query[name])) throw new ApiError('invalid-argument', `${name} must be given once`);
}

/** REST: `GET /v1/events` (a page after a sequence number) and `GET /v1/events/stream` (Server-Sent Events). */
@ApiTags('events')
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @Roles(...ROLES)
  @ApiOperation({ operationId: 'ListEvents', summary: 'Events after a sequence number, in order (any role)' })
  @ApiQuery({ name: 'after', required: false, description: 'events with a greater seq (default 0)' })
  @ApiQuery({ name: 'page_size', required: false, description: '1..1000 (default 100)' })
  async list(@Query() query: Record<string, unknown>): Promise<{ events: EventView[]; nextAfter: string }> {
    onlyQuery(query, ['after', 'page_size']);
    const after = query['after'] === undefined ? 0n : parseSeq(query['after'], 'after');
    const page = await this.events.list(after, parseEventPageSize(query['page_size'] ?? 0));
    return { events: page.events.map(eventView), nextAfter: page.nextAfter.toString() };
  }

  /**
   * Server-Sent Events: `id:` is the seq, `event:` the type, `data:` the event as JSON. Resumes after
   * `Last-Event-ID` (what an EventSource sends on reconnecting) or else `after`.
   */
  @Get('stream')
  @Roles(...ROLES)
  @ApiOperation({ operationId: 'StreamEvents', summary: 'The event stream as Server-Sent Events, resumed after Last-Event-ID or after (any role)' })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'after', required: false, description: 'events with a greater seq (default 0); Last-Event-ID wins' })
  async stream(@Query() query: Record<string, unknown>, @Headers('last-event-id') lastEventId: string | undefined, @Req() request: Request, @Res() response: Response): Promise<void> {
    onlyQuery(query, ['after']);
    const after = lastEventId !== undefined && lastEventId !== '' ? parseSeq(lastEventId.trim(), 'Last-Event-ID') : query['after'] === undefined ? 0n : parseSeq(query['after'], 'after');
    const abort = new AbortController();
    request.on('close', () => abort.abort());
    response.on('close', () => abort.abort());
    response.status(200);
    response.setHeader('content-type', 'text/event-stream; charset=utf-8');
    response.setHeader('cache-control', 'no-cache, no-transform');
    response.setHeader('x-accel-buffering', 'no');
    response.flushHeaders();
    response.write(': custody events\n\n');
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
    try {
      for await (const event of this.events.feed(after, abort.signal)) {
        const ok = response.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(eventView(event))}\n\n`);
        if (!ok) await new Promise<void>((resolve) => response.once('drain', resolve).once('close', resolve));
      }
    } catch {
      // the database went away mid-stream: end it; the client resumes from its last id
    } finally {
      clearInterval(heartbeat);
      response.end();
    }
  }
}
