import { ed25519 } from '@noble/curves/ed25519.js';
import { compilePolicy, evaluate, hookAnswerMessage, hookRequestBody, verifyHookAnswer, type ExternalHook } from './index';
import { context, doc, rule, testOnlyPublicKeyHex, testOnlySecretKey, withdrawal } from '../test/builders';

const HOOK: ExternalHook = { url: 'http://127.0.0.1:8080/decide', publicKey: testOnlyPublicKeyHex('hook'), timeoutMs: 1000, fallback: 'deny' };
const P = compilePolicy(doc([rule('hooked', { hook: HOOK })]), 3);
const REQ = withdrawal();
const SUBJECT = { request: REQ, ruleId: 'hooked', policyVersion: 3, policyHash: P.hash };
const sign = (verdict: 'approve' | 'reject' | 'retry', subject = SUBJECT, key = 'hook') => ed25519.sign(hookAnswerMessage(subject, verdict), testOnlySecretKey(key));

describe('external hook messages', () => {
  it('the request body is canonical JSON with amounts as strings', () => {
    const body = JSON.parse(hookRequestBody(SUBJECT)) as { request: { amount: string }; ruleId: string; policy: { version: number } };
    expect(body.request.amount).toBe('1000000000000000000');
    expect(body).toMatchObject({ ruleId: 'hooked', policy: { version: 3 } });
  });

  it('a signed verdict verifies under the pinned key and drives the decision', () => {
    const verdict = verifyHookAnswer(HOOK, SUBJECT, { verdict: 'approve', signature: sign('approve') });
    expect(verdict).toBe('approve');
    expect(evaluate(P, REQ, context({ hook: { ruleId: 'hooked', verdict: 'approve' } })).outcome).toBe('allow');
  });

  it.each([
    ['another key', { verdict: 'approve', signature: sign('approve', SUBJECT, 'mallory') }],
    ['a signature for another verdict', { verdict: 'approve', signature: sign('reject') }],
    ['an answer for another request', { verdict: 'approve', signature: sign('approve', { ...SUBJECT, request: withdrawal({ id: 'req-2' }) }) }],
    ['an answer for another policy version', { verdict: 'approve', signature: sign('approve', { ...SUBJECT, policyVersion: 2 }) }],
    ['an answer for another rule', { verdict: 'approve', signature: sign('approve', { ...SUBJECT, ruleId: 'other' }) }],
    ['an unknown verdict', { verdict: 'yes', signature: sign('approve') }],
    ['no signature', { verdict: 'approve', signature: 'abc' }],
  ])('%s is unavailable', (_name, answer) => {
    expect(verifyHookAnswer(HOOK, SUBJECT, answer)).toBe('unavailable');
  });
});
