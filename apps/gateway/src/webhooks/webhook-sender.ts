import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressAllowed, classifyAddress, type TargetPolicy } from '@custody/events-core';

export interface SendResult {
  /** The response status, if a response came. */
  readonly status: number | null;
  readonly retryAfter: string | undefined;
  /** Why there was no (2xx) response, for the attempt log: never the response body. */
  readonly error: string | null;
  readonly durationMs: number;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * A DNS lookup that refuses a name resolving to any address the policy does not allow: the socket
 * connects to an address checked here, so a name that re-resolves elsewhere (DNS rebinding) cannot
 * reach an internal service.
 */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { all: true, family: options.family ?? 0, hints: options.hints ?? 0 }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.find((a) => !addressAllowed(a.address, policy));
      if (refused || addresses.length === 0) return callback(Object.assign(new Error(`${hostname} resolves to ${refused ? `a ${classifyAddress(refused.address)} address` : 'nothing'}, which webhooks may not reach`), { code: 'EWEBHOOKTARGET' }), '', 0);
      if (options.all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/**
 * POSTs one webhook: no redirects followed (a 3xx is a failure, as Standard Webhooks says), the
 * response read up to 64 KiB and dropped, a timeout on the whole exchange.
 */
export function sendWebhook(url: URL, body: Buffer, headers: Record<string, string>, timeoutMs: number, policy: TargetPolicy): Promise<SendResult> {
  const started = performance.now();
  const elapsed = (): number => Math.max(0, Math.round(performance.now() - started));
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (classifyAddress(host) !== 'invalid' && !addressAllowed(host, policy)) {
    return Promise.resolve({ status: null, retryAfter: undefined, error: `${classifyAddress(host)} addresses may not be reached`, durationMs: 0 });
  }
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<SendResult, 'durationMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: elapsed() });
    };
    const request = lib.request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, lookup: guardedLookup(policy), agent: false },
      (response) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) response.destroy();
        });
        const done = (): void => {
          const status = response.statusCode ?? 0;
          const retryAfter = typeof response.headers['retry-after'] === 'string' ? response.headers['retry-after'] : undefined;
          finish({ status, retryAfter, error: status >= 200 && status < 300 ? null : `HTTP ${status}` });
        };
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => finish({ status: null, retryAfter: undefined, error: error.message.slice(0, 300) }));
    request.end(body);
  });
}
