import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { hexToBytes } from '@noble/hashes/utils.js';
import { hookRequestBody, verifyHookAnswer, type ExternalHook, type HookSubject } from '@custody/policy-core';
import type { PolicyEngineConfig } from '../config';
import { POLICY_ENGINE_CONFIG } from '../tokens';

/** The largest hook answer read, in bytes. */
export const HOOK_MAX_RESPONSE_BYTES = 64 * 1024;

export type HookVerdictValue = 'approve' | 'reject' | 'unavailable';

/**
 * The webhook message a signature covers (Standard Webhooks, `v1a` = Ed25519):
 * `<webhook-id>.<webhook-timestamp>.<body>` in UTF-8.
 */
export function webhookSignedContent(id: string, timestamp: string, body: string): Uint8Array {
  return new TextEncoder().encode(`${id}.${timestamp}.${body}`);
}

/**
 * The external decision hook client. The engine POSTs policy-core's `hookRequestBody` (canonical
 * JSON: the request, its digest, the rule, the policy version and hash) as a Standard Webhook:
 * headers `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature: v1a,<base64>`,
 * Ed25519 by the engine's key over `<id>.<timestamp>.<body>` (Standard Webhooks' v1a scheme).
 * The hook answers 200 with JSON `{"verdict": "approve" | "reject" | "retry", "signature": "<128 hex>"}`,
 * the signature by the hook's key pinned in the rule over policy-core's `hookAnswerMessage` (bound to
 * the request id and digest, the rule, the policy version and hash, and the verdict, so an answer
 * cannot be replayed for another request). Anything else — no answer within the rule's timeout,
 * another status, a bad signature, `retry`, over 64 KiB — is `unavailable`: the rule's fallback applies.
 */
@Injectable()
export class HookClient {
  private readonly logger = new Logger('HookClient');

  constructor(@Inject(POLICY_ENGINE_CONFIG) private readonly config: PolicyEngineConfig) {}

  async decide(hook: ExternalHook & { readonly ruleId: string }, subject: HookSubject): Promise<HookVerdictValue> {
    const id = `msg_${randomBytes(16).toString('hex')}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const body = hookRequestBody(subject);
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
      if (text === undefined) return this.unavailable(hook, `answer over ${HOOK_MAX_RESPONSE_BYTES} bytes`);
      let answer: { verdict?: unknown; signature?: unknown };
      try {
        answer = JSON.parse(text) as { verdict?: unknown; signature?: unknown };
      } catch {
        return this.unavailable(hook, 'answer is not JSON');
      }
      const sig = typeof answer?.signature === 'string' && /^[0-9a-f]{128}$/.test(answer.signature) ? hexToBytes(answer.signature) : undefined;
      const verdict = verifyHookAnswer(hook, subject, { verdict: answer?.verdict, signature: sig });
      if (verdict === 'approve' || verdict === 'reject') return verdict;
      return this.unavailable(hook, verdict === 'retry' ? 'the hook asked to retry' : 'answer not signed by the pinned hook key for this request');
    } catch (error) {
      return this.unavailable(hook, abort.signal.aborted ? `no answer within ${hook.timeoutMs} ms` : error instanceof Error ? error.message.slice(0, 200) : 'request failed');
    } finally {
      clearTimeout(timer);
    }
  }

  private unavailable(hook: { ruleId: string }, why: string): 'unavailable' {
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
