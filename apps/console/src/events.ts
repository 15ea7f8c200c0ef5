import { useEffect, useRef } from 'react';
import type { ConsoleApi } from './api/client';

const LAST_SEQ = 'custody-console:last-event-seq';

/** One Server-Sent Event (the fields our stream uses). */
export interface StreamEvent {
  readonly id: string;
  readonly type: string;
  readonly data: string;
}

/** Splits an SSE byte stream into events (WHATWG HTML, "event stream interpretation"): `id`, `event`, `data`; comments ignored. */
export function parseEventStream(buffer: string): { events: StreamEvent[]; rest: string } {
  const events: StreamEvent[] = [];
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let id = '';
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0 || id) events.push({ id, type, data: data.join('\n') });
  }
  return { events, rest };
}

/**
 * Live updates: follows the gateway's event stream (Server-Sent Events over a signed fetch, since an
 * EventSource cannot sign its request), resuming after the last sequence number seen, and calls
 * `refresh` (debounced) when an event of one of the given type prefixes arrives. If the stream cannot
 * be had, it polls instead.
 */
export function useEventRefresh(api: ConsoleApi, prefixes: readonly string[], refresh: () => void): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    const fire = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => latest.current(), 300);
    };
    async function follow(): Promise<void> {
      while (!stopped) {
        try {
          const after = sessionStorage.getItem(LAST_SEQ) ?? '0';
          const response = await api.send('GET', `/v1/events/stream?after=${encodeURIComponent(after)}`, undefined, { accept: 'text/event-stream', signal: controller.signal });
          if (!response.ok || !response.body) throw new Error(`stream ${response.status}`);
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            const parsed = parseEventStream(buffer + value);
            buffer = parsed.rest;
            for (const e of parsed.events) {
              if (e.id) sessionStorage.setItem(LAST_SEQ, e.id);
              if (prefixes.some((p) => e.type.startsWith(p))) fire();
            }
          }
        } catch {
          if (stopped) return;
          fire(); // whatever we missed, a refresh catches up
        }
        await new Promise((r) => setTimeout(r, 5000));
      }
    }
    void follow();
    return () => {
      stopped = true;
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [api]);
}
