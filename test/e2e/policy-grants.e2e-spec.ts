import * as crypto from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { approvalMessage, BOOTSTRAP_FORMAT, POLICY_FORMAT, policyHash } from '@custody/policy-core';
import { checkGrant, decodeSignGrant, grantSigningBytes, requestDigest, signingInput, signRequestToJson, type SignRequest } from '@custody/sign-grant';
import { SignerCallError, type KeyInfo } from '@custody/signer-client';
import { startPolicyEngine, startSignerCluster, testPrincipal, type PolicyEngineProcess, type SignerCluster, type TestPrincipal } from '@custody/testing';

/**
 * Sign grants end to end: the policy engine issues a grant for a request its policy allowed once two
 * approvers signed; a real signer cluster (3 processes, pinning the engine's key and the approvers')
 * signs with it and refuses one the engine did not issue; the grant verifies under the engine's key
 * and any changed byte breaks it.
 */
jest.setTimeout(180_000);

const approvers = ['ap-1', 'ap-2'].map(testPrincipal) as [TestPrincipal, TestPrincipal];
const admin = testPrincipal('adm-1');
const bootstrap = {
  format: BOOTSTRAP_FORMAT,
  admins: { members: ['adm-1'], quorum: 1 },
  keys: Object.fromEntries([admin, ...approvers].map((p) => [p.id, p.publicKeyHex])),
  policy: {
    format: POLICY_FORMAT,
    metadata: { name: 'grants test' },
    approverGroups: { treasury: { members: ['ap-1', 'ap-2'] } },
    rules: [
      {
        id: 'two-approvals',
        match: { operation: ['message-signing'] },
        action: { type: 'require-approvals', combinator: 'all-of', groups: [{ group: 'treasury', quorum: 2 }], expiry: '1h', allowSelfApproval: false },
      },
    ],
  },
};

interface DecisionResponse {
  requestId: string;
  outcome: string;
  status: string;
  policyVersion: number;
  policyHash: string;
  grantJson: string;
  requestDigestHex: string;
}

function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]), format: 'der', type: 'spki' });
  return crypto.verify(null, message, key, signature);
}

describe('sign grants: the engine issues, real signers check (e2e)', () => {
  let signers: SignerCluster;
  let engine: PolicyEngineProcess;
  let key: KeyInfo;
  let approverKeys: Map<string, Uint8Array>;

  beforeAll(async () => {
    signers = await startSignerCluster(3, {
      APPROVER_KEYS: JSON.stringify(Object.fromEntries(approvers.map((a) => [a.id, a.publicKeyHex]))),
      SIGNER_MIN_APPROVALS: '2',
      SIGNER_NONCE_POOL_SIZE: '2',
      SIGNER_PRESIGN_POOL_SIZE: '0',
    });
    engine = await startPolicyEngine({ bootstrap, engineSeedFile: signers.secrets.policyEngine.seedFile });
    key = await signers.client(1).createKey('eddsa', 2, [1, 2, 3]);
    approverKeys = new Map(approvers.map((a) => [a.id, hexToBytes(a.publicKeyHex)]));
  });

  afterAll(async () => {
    await engine?.stop();
    await signers?.destroy();
  });

  /** A message-signing request through the engine, approved by both approvers; returns the grant. */
  async function approvedGrant(message: Uint8Array): Promise<{ grantJson: string; request: SignRequest; decision: DecisionResponse }> {
    const requestId = `msg-${bytesToHex(randomBytes(6))}`;
    const request: SignRequest = { requestId, keyId: key.keyId, scheme: 'eddsa', derivationPath: [], payload: { kind: 'message', message, hash: 'none' } };
    const d = await engine.call<DecisionResponse>('Evaluate', {
      request: { requestId, operation: 'message-signing', initiatorId: 'client-1', signRequestJson: JSON.stringify(signRequestToJson(request)) },
    });
    expect(d).toMatchObject({ outcome: 'needs-approval', grantJson: '' });
    let last = d;
    for (const a of approvers) {
      const policySig = ed25519.sign(approvalMessage({ requestId, requestDigest: hexToBytes(d.requestDigestHex), policyVersion: d.policyVersion, policyHash: d.policyHash, decision: 'approve' }), a.seed);
      const grantSig = ed25519.sign(requestDigest(request), a.seed);
      last = await engine.call<DecisionResponse>('SubmitApproval', { requestId, approverId: a.id, decision: 'approve', signature: policySig, grantSignature: grantSig });
    }
    expect(last).toMatchObject({ outcome: "allow", status: "allowed" });
    expect(last.grantJson).not.toBe('');
    return { grantJson: last.grantJson, request, decision: last };
  }

  it('a real signer cluster signs with a grant the engine issued; node:crypto verifies the signature', async () => {
    const message = randomBytes(40);
    const { grantJson, decision } = await approvedGrant(message);
    const grant = decodeSignGrant(grantJson);
    expect(grant.version).toBe(2);
    expect(grant.policyVersion).toBe('v1');
    expect(grant.version === 2 && bytesToHex(grant.policyHash)).toBe(policyHash(bootstrap.policy as never));
    expect(decision.policyHash).toBe(policyHash(bootstrap.policy as never));
    expect(grant.approvals.map((a) => a.approverId).sort()).toEqual(['ap-1', 'ap-2']);
    // GetRequest returns the same grant.
    expect((await engine.call<DecisionResponse>('GetRequest', { requestId: grant.request.requestId })).grantJson).toBe(grantJson);
    const result = await signers.client(2).sign(new TextEncoder().encode(grantJson), [2, 3], signingInput(grant.request.payload, 'eddsa'));
    expect(ed25519Verify(key.publicKey, message, result.signature)).toBe(true);
  });

  it('the grant verifies under the engine key; changing any byte breaks it', async () => {
    const { grantJson } = await approvedGrant(randomBytes(16));
    const grant = decodeSignGrant(grantJson);
    const enginePublicKey = hexToBytes(engine.enginePublicKeyHex);
    const options = { enginePublicKey, approverKeys, now: Date.now(), requestedSigningInput: signingInput(grant.request.payload, 'eddsa'), minApprovals: 2 };
    expect(() => checkGrant(grant, options)).not.toThrow();
    const signed = grantSigningBytes(grant);
    expect(ed25519Verify(enginePublicKey, signed, grant.engineSignature)).toBe(true);
    for (let i = 0; i < signed.length; i++) {
      const changed = Uint8Array.from(signed);
      changed[i] ^= 0x01;
      expect(ed25519Verify(enginePublicKey, changed, grant.engineSignature)).toBe(false);
    }
    for (let i = 0; i < 64; i++) {
      const sig = Uint8Array.from(grant.engineSignature);
      sig[i] ^= 0x80;
      expect(() => checkGrant({ ...grant, engineSignature: sig }, options)).toThrow(/bad-engine-signature|malformed/);
    }
    // Changing the text of the grant: every field the signer decodes is covered.
    const text = JSON.parse(grantJson) as Record<string, unknown>;
    expect(() => checkGrant(decodeSignGrant(JSON.stringify({ ...text, expiresAt: (text.expiresAt as number) + 1 })), options)).toThrow(/bad-engine-signature/);
    expect(() => checkGrant(decodeSignGrant(JSON.stringify({ ...text, policyVersion: 'v2' })), options)).toThrow(/bad-engine-signature/);
  });

  it('signers refuse a grant the engine did not issue, and a request without its approvals gets no grant', async () => {
    const { grantJson } = await approvedGrant(randomBytes(16));
    const grant = JSON.parse(grantJson) as { request: { payload: { message: string } }; [k: string]: unknown };
    // Same grant, other message: the engine signature no longer matches.
    const forged = JSON.stringify({ ...grant, request: { ...grant.request, payload: { ...grant.request.payload, message: bytesToHex(randomBytes(16)) } } });
    const decodedForged = decodeSignGrant(forged);
    const error = await signers
      .client(1)
      .sign(new TextEncoder().encode(forged), [1, 2], signingInput(decodedForged.request.payload, 'eddsa'))
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(SignerCallError);
    expect((error as SignerCallError).details).toMatch(/bad-engine-signature/);

    // One approval only: no grant. An approval of a signable request without its grant signature is refused.
    const requestId = `msg-${bytesToHex(randomBytes(6))}`;
    const request: SignRequest = { requestId, keyId: key.keyId, scheme: 'eddsa', derivationPath: [], payload: { kind: 'message', message: randomBytes(8), hash: 'none' } };
    const d = await engine.call<DecisionResponse>('Evaluate', { request: { requestId, operation: 'message-signing', initiatorId: 'client-1', signRequestJson: JSON.stringify(signRequestToJson(request)) } });
    const policySig = ed25519.sign(approvalMessage({ requestId, requestDigest: hexToBytes(d.requestDigestHex), policyVersion: d.policyVersion, policyHash: d.policyHash, decision: 'approve' }), approvers[0].seed);
    const refused = await engine.call('SubmitApproval', { requestId, approverId: 'ap-1', decision: 'approve', signature: policySig }).then(
      () => undefined,
      (e: { code: number; details: string }) => e,
    );
    expect(refused).toMatchObject({ code: status.INVALID_ARGUMENT });
    expect(refused!.details).toMatch(/grant_signature/);
    const wrongGrantSig = ed25519.sign(requestDigest({ ...request, requestId: 'other' }), approvers[0].seed);
    const bad = await engine.call('SubmitApproval', { requestId, approverId: 'ap-1', decision: 'approve', signature: policySig, grantSignature: wrongGrantSig }).then(
      () => undefined,
      (e: { code: number }) => e,
    );
    expect(bad).toMatchObject({ code: status.PERMISSION_DENIED });
    const one = await engine.call<DecisionResponse>('SubmitApproval', { requestId, approverId: 'ap-1', decision: 'approve', signature: policySig, grantSignature: ed25519.sign(requestDigest(request), approvers[0].seed) });
    expect(one).toMatchObject({ status: 'pending-approval', grantJson: '' });
  });
});
