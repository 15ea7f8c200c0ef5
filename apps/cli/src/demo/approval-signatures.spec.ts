import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { approvalMessage, policyRequestDigest, type PolicyRequest } from '@custody/policy-core';
import { requestDigest, signRequestToJson, type SignRequest } from '@custody/sign-grant';
import { approvalSignatures, type ApprovalView } from './approval-signatures';

const seed = new Uint8Array(32).fill(7); // TEST-ONLY approver seed
const publicKey = ed25519.getPublicKey(seed);

const request: PolicyRequest = {
  id: 'wd_1.a1',
  operation: 'withdrawal',
  createdAt: 1_796_000_000_000,
  initiator: { id: 'dev-operator', groups: [] },
  source: { walletId: 'w-1', tags: ['hot'] },
  destination: { address: `0x${'12'.repeat(20)}`, chainId: 31337 },
  asset: { id: 'anvil:ETH', decimals: 18 },
  amount: 2n * 10n ** 18n,
  chainId: 31337,
};
const signRequest: SignRequest = { requestId: 'wd_1.a1', keyId: 'key-1', scheme: 'ecdsa', derivationPath: [0], payload: { kind: 'message', hash: 'keccak256', message: utf8ToBytes('demo') } };

function view(over: Partial<ApprovalView> = {}): ApprovalView {
  const digest = policyRequestDigest(request);
  return {
    name: 'approvals/wd_1.a1',
    state: 'pending-approval',
    operation: 'withdrawal',
    initiator: 'dev-operator',
    requestDigest: bytesToHex(digest),
    policyVersion: 1,
    policyHash: 'ab'.repeat(32),
    approveMessage: bytesToHex(approvalMessage({ requestId: 'wd_1.a1', requestDigest: digest, policyVersion: 1, policyHash: 'ab'.repeat(32), decision: 'approve' })),
    signRequest: JSON.stringify(signRequestToJson(signRequest)),
    grantDigest: bytesToHex(requestDigest(signRequest)),
    trace: '{}',
    decisions: [],
    requestBody: JSON.stringify({ ...request, amount: request.amount!.toString() }),
    ...over,
  };
}

describe('approvalSignatures (custody demo approves as a development approver)', () => {
  it('signs the approval message and the grant digest it recomputed from the request shown', () => {
    const v = view();
    const body = approvalSignatures(v, seed);
    expect(ed25519.verify(hexToBytes(body.signature), hexToBytes(v.approveMessage), publicKey)).toBe(true);
    expect(ed25519.verify(hexToBytes(body.grantSignature!), hexToBytes(v.grantDigest), publicKey)).toBe(true);
  });

  it('gives no grant signature for a request that will not be signed', () => {
    expect(approvalSignatures(view({ signRequest: '', grantDigest: '' }), seed).grantSignature).toBeUndefined();
  });

  it('refuses bytes the gateway gave that are not those of the request it shows', () => {
    const other = JSON.stringify({ ...request, amount: '1' });
    expect(() => approvalSignatures(view({ requestBody: other }), seed)).toThrow('the request digest the gateway gave is not the digest of the request it shows');
    expect(() => approvalSignatures(view({ approveMessage: '00'.repeat(40) }), seed)).toThrow('the approval message the gateway gave is not the one for this request');
    expect(() => approvalSignatures(view({ grantDigest: '00'.repeat(32) }), seed)).toThrow('the grant digest the gateway gave is not the digest of the signing request it shows');
  });
});
