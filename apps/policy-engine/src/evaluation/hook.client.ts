import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import type { ExternalHook, PolicyRequest } from '@custody/policy-core';
import type { PolicyEngineConfig } from '../config';
import { POLICY_ENGINE_CONFIG } from '../tokens';

/** The largest hook answer read, in bytes. */
export const HOOK_MAX_RESPONSE_BYTES = 64 * 1024;
/** How far a hook answer's timestamp may be from the engine's clock. */
export const HOOK_TIMESTAMP_TOLERANCE_S = 300;

export type HookVerdictValue = 'approve' | 'reject' | 'unavailable';

/**
 * The webhook message a signature covers (Standard Webhooks, `v1a` = Ed25519):
 * `<webhook-id>.<webhook-timestamp>.<body>` in UTF-8.
 */
export function webhookSignedContent(id: string, timestamp: string, body: string): Uint8Array {
  return new TextEncoder().encode(`${id}.${timestamp}.${body}`);
}

/** The JSON body the engine POSTs to a hook: the decoded request, amounts as decimal strings. */
export function hookRequestBody(request: PolicyRequest, ruleId: string): string {
  return JSON.stringify({ type: 'custody.policy.decision-request', ruleId, request: { ...request, amount: request.amount?.toString() } });
}

/**
 * The external decision hook client. The engine POSTs the request signed as a Standard Webhook
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1a,<base64 Ed25519>` by the engine key
 * over `id.timestamp.body`). The hook answers 200 with JSON `{"requestId","verdict"}`
 * (`approve` | `reject` | `retry`) and the same three headers, its `webhook-id` equal to the
 * request's and the signature by the hook's key pinned in the rule over `id.timestamp.answerBody`.
 * Anything else — timeout, other status, bad or missing signature, stale timestamp, another request
 * id, `retry` — is `unavailable`, and the rule's fallback applies.
 */
@Injectable()
export class HookClient {
  private readonly logger = new Logger('HookClient');

  constructor(@Inject(POLICY_ENGINE_CONFIG) private readonly config: PolicyEngineConfig) {}

  async decide(hook: ExternalHook & { readonly ruleId: string }, request: PolicyRequest): Promise<HookVerdictValue> {
    const id = `msg_${randomBytes(16).toString('hex')}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const body = hookRequestBody(request, hook.ruleId);
    const signature = Buffer.from(this.config.engineKey.sign(webhookSignedContent(id, timestamp, body))).toString('base64');
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), hook.timeoutMs);
    try {
      const response = await fetch(hook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1a,${signature}` },
        body,
        signal: abort.signal,
        redirect: 'error',
      });
      const text = await readLimited(response);
      if (response.status !== 200) return this.unavailable(hook, `status ${response.status}`);
      return this.verify(hook, request.id, id, response.headers, text);
    } catch (error) {
      return this.unavailable(hook, abort.signal.aborted ? `no answer within ${hook.timeoutMs} ms` : error instanceof Error ? error.message.slice(0, 200) : 'request failed');
    } finally {
      clearTimeout(timer);
    }
  }

  private verify(hook: ExternalHook & { ruleId: string }, requestId: string, sentId: string, headers: Headers, text: string | undefined): HookVerdictValue {
    if (text === undefined) return this.unavailable(hook, `answer over ${HOOK_MAX_RESPONSE_BYTES} bytes`);
    const id = headers.get('webhook-id');
    const timestamp = headers.get('webhook-timestamp');
    const signatures = headers.get('webhook-signature');
    if (id !== sentId) return this.unavailable(hook, 'answer webhook-id is not the request\'s');
    if (timestamp === null || !/^[0-9]{1,12}$/.test(timestamp)) return this.unavailable(hook, 'answer webhook-timestamp missing or malformed');
    if (Math.abs(Number(timestamp) - Date.now() / 1000) > HOOK_TIMESTAMP_TOLERANCE_S) return this.unavailable(hook, 'answer webhook-timestamp outside tolerance');
    const publicKey = hexToBytes(hook.publicKey);
    const content = webhookSignedContent(id, timestamp, text);
    const valid = (signatures ?? '')
      .split(' ')
      .filter((s) => s.startsWith('v1a,'))
      .some((s) => {
        const sig = Buffer.from(s.slice(4), 'base64');
        if (sig.length !== 64) return false;
        try {
          return ed25519.verify(sig, content, publicKey, { zip215: false });
        } catch {
          return false;
        }
      });
    if (!valid) return this.unavailable(hook, 'answer not signed by the pinned hook key');
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      return this.unavailable(hook, 'answer is not JSON');
    }
    const a = answer as { requestId?: unknown; verdict?: unknown };
    if (typeof answer !== 'object' || answer === null || a.requestId !== requestId) return this.unavailable(hook, 'answer names another request');
    if (a.verdict === 'approve' || a.verdict === 'reject') return a.verdict;
    return this.unavailable(hook, a.verdict === 'retry' ? 'hook asked to retry' : 'answer verdict is not approve, reject or retry');
  }

  private unavailable(hook: { ruleId: string; url: string }, why: string): 'unavailable' {
    this.logger.warn({ rule: hook.ruleId, reason: why }, 'external decision hook unavailable: the rule fallback applies');
    return 'unavailable';
  }
}

async function readLimited(response: Response): Promise<string | undefined> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Node's web ReadableStream is async-iterable; stop reading (and drop the connection) past the limit.
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > HOOK_MAX_RESPONSE_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
