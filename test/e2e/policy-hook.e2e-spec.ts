import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { approvalMessage, BOOTSTRAP_FORMAT, hookAnswerMessage, POLICY_FORMAT, proposalSubject, type HookVerdict, type PolicyRequest } from '@custody/policy-core';
import { startPolicyEngine, testPrincipal, type PolicyEngineProcess } from '@custody/testing';

/**
 * The external decision hook against a small real hook server on loopback: the engine's POST is a
 * Standard Webhook signed (v1a, Ed25519) with the engine key; only an answer signed by the hook's
 * pinned key for this very request counts; a bad signature, a timeout or "retry" applies the rule's
 * fallback.
 */
jest.setTimeout(120_000);

const hookKey = testPrincipal('hook');
const otherKey = testPrincipal('not-the-hook');
const admin = testPrincipal('adm-1');

interface Received {
  wallet: string;
  signatureValid: boolean;
  body: { ruleId: string; requestDigest: string; policy: { version: number; hash: string }; request: Record<string, unknown> };
}

let server: http.Server;
let inflightArrived: () => void = () => undefined;
let inflightRelease: Promise<void> = Promise.resolve();
let engine: PolicyEngineProcess;
const received: Received[] = [];

function answer(body: Received['body'], verdict: HookVerdict, key: Uint8Array): string {
  const r = body.request as { id: string; operation: PolicyRequest['operation']; createdAt: number; initiator: PolicyRequest['initiator']; source: PolicyRequest['source']; destination: PolicyRequest['destination']; asset: PolicyRequest['asset']; amount: string; attributes: Record<string, string> };
  const request: PolicyRequest = { id: r.id, operation: r.operation, createdAt: r.createdAt, initiator: r.initiator, source: r.source, destination: r.destination, asset: r.asset, amount: BigInt(r.amount), attributes: r.attributes };
  const message = hookAnswerMessage({ request, ruleId: body.ruleId, policyVersion: body.policy.version, policyHash: body.policy.hash }, verdict);
  return JSON.stringify({ verdict, signature: bytesToHex(ed25519.sign(message, key)) });
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      const timestamp = String(req.headers['webhook-timestamp']);
      const sig = String(req.headers['webhook-signature']).replace(/^v1a,/, '');
      const signatureValid = ed25519.verify(Buffer.from(sig, 'base64'), new TextEncoder().encode(`${id}.${timestamp}.${text}`), hexToBytes(engine.enginePublicKeyHex));
      const body = JSON.parse(text) as Received['body'];
      const wallet = (body.request.source as { walletId: string }).walletId;
      received.push({ wallet, signatureValid, body });
      const reply = (b: string) => res.writeHead(200, { 'content-type': 'application/json' }).end(b);
      if (wallet === 'w-approve') reply(answer(body, 'approve', hookKey.seed));
      else if (wallet === 'w-reject') reply(answer(body, 'reject', hookKey.seed));
      else if (wallet === 'w-retry') reply(answer(body, 'retry', hookKey.seed));
      else if (wallet === 'w-badsig') reply(answer(body, 'approve', otherKey.seed));
      else if (wallet === 'w-status') res.writeHead(500).end();
      else if (wallet === 'w-inflight') {
        inflightArrived();
        void inflightRelease.then(() => reply(answer(body, 'approve', hookKey.seed)));
      }
      // w-slow, w-slow-apply: never answer (the engine's timeout fires, whatever the machine's load).
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/decide`;
  // Answering hooks get a generous timeout (no timing in the assertions); silent ones a short one.
  const hook = (fallback: 'deny' | 'apply-action', timeoutMs = 20_000) => ({ url, publicKey: hookKey.publicKeyHex, timeoutMs, fallback });
  engine = await startPolicyEngine({
    bootstrap: {
      format: BOOTSTRAP_FORMAT,
      admins: { members: ['adm-1'], quorum: 1 },
      keys: { 'adm-1': admin.publicKeyHex },
      policy: {
        format: POLICY_FORMAT,
        metadata: { name: 'hook test' },
        approverGroups: {},
        rules: [
          { id: 'hook-or-apply', match: { operation: ['withdrawal'], source: { wallets: ['w-slow-apply'] } }, hook: hook('apply-action', 500), action: { type: 'allow' } },
          { id: 'hook-silent', match: { operation: ['withdrawal'], source: { wallets: ['w-slow'] } }, hook: hook('deny', 500), action: { type: 'allow' } },
          { id: 'inflight', match: { operation: ['withdrawal'], source: { wallets: ['w-inflight'] } }, hook: hook('deny'), action: { type: 'allow' } },
          { id: 'hook-or-deny', match: { operation: ['withdrawal'] }, hook: hook('deny'), action: { type: 'allow' } },
        ],
      },
    },
  });
});

afterAll(async () => {
  await engine?.stop();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

let n = 0;
async function evaluate(wallet: string): Promise<{ requestId: string; outcome: string; reason: string; matchedRule: string; policyVersion: number }> {
  return engine.call('Evaluate', {
    request: { requestId: `hook-${n++}-${Date.now()}`, operation: 'withdrawal', initiatorId: 'client-1', sourceWalletId: wallet, destinationAddress: '0x' + '33'.repeat(20), destinationChainId: 1, assetId: 'ETH', assetDecimals: 18, amount: '7' },
  });
}

describe('external decision hook (e2e, a real hook server on loopback)', () => {
  it.each([
    ['w-approve', 'allow', 'rule-allow'],
    ['w-reject', 'deny', 'hook-rejected'],
    ['w-badsig', 'deny', 'hook-unavailable'],
    ['w-retry', 'deny', 'hook-unavailable'],
    ['w-status', 'deny', 'hook-unavailable'],
    ['w-slow', 'deny', 'hook-unavailable'],
    ['w-slow-apply', 'allow', 'rule-allow'],
  ])('%s → %s (%s)', async (wallet, outcome, reason) => {
    const d = await evaluate(wallet);
    expect(d).toMatchObject({ outcome, reason });
    const call = received.find((r) => r.wallet === wallet && r.body.request.id === d.requestId);
    expect(call?.signatureValid).toBe(true);
    expect(call?.body.ruleId).toBe(wallet === 'w-slow-apply' ? 'hook-or-apply' : wallet === 'w-slow' ? 'hook-silent' : 'hook-or-deny');
  });

  it('keeps the verdict: a retry of the same request answers the stored decision without calling the hook again', async () => {
    const d = await evaluate('w-approve');
    const calls = received.length;
    const again = await engine.call<{ outcome: string }>('GetRequest', { requestId: d.requestId });
    expect(again.outcome).toBe('allow');
    expect(received.length).toBe(calls);
  });

  it('an evaluation in flight keeps its version while a new one is activated; the next evaluation names the new one', async () => {
    const arrived = new Promise<void>((resolve) => (inflightArrived = resolve));
    let release: () => void = () => undefined;
    inflightRelease = new Promise<void>((resolve) => (release = resolve));
    const inFlight = evaluate('w-inflight');
    await arrived; // the evaluation read version 1 and waits for the hook, inside its transaction
    const v2 = {
      format: POLICY_FORMAT,
      metadata: { name: 'hook test v2' },
      approverGroups: {},
      rules: [{ id: 'v2-allow', match: { operation: ['withdrawal'], source: { wallets: ['w-inflight'] } }, action: { type: 'allow' } }],
    };
    let p = await engine.call<{ proposalId: string; baseVersion: number; baseHash: string; contentHash: string; status: string }>('ProposeVersion', { proposalId: 'v2', document: JSON.stringify(v2), proposedBy: 'adm-1' });
    const message = approvalMessage(proposalSubject({ id: 'v2', kind: 'policy', base: { version: p.baseVersion, hash: p.baseHash }, contentHash: p.contentHash }, 'approve'));
    await engine.call('ApproveProposal', { proposalId: 'v2', adminId: 'adm-1', decision: 'approve', signature: ed25519.sign(message, admin.seed) });
    p = await engine.call('ActivateProposal', { proposalId: 'v2' });
    expect(p.status).toBe('activated');
    release();
    const d = await inFlight;
    expect(d).toMatchObject({ outcome: 'allow', matchedRule: 'inflight', policyVersion: 1 });
    const next = await evaluate('w-inflight');
    expect(next).toMatchObject({ outcome: 'allow', matchedRule: 'v2-allow', policyVersion: 2 });
  });
});
