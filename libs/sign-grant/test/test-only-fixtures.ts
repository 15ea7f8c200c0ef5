/**
 * TEST-ONLY keys and grants. These seeds are public; never configure them anywhere but tests.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { erc20TransferData, parseAddress } from '@custody/chain-core';
import { approveRequest, signGrant, type EvmTransactionPayload, type MessagePayload, type SignGrant, type SignGrantV1, type SignGrantV2, type SignRequest } from '../src';

export const testOnlySeed = (name: string): Uint8Array => sha256(utf8ToBytes(`TEST-ONLY sign-grant key ${name}`));
export const testOnlyPublic = (name: string): Uint8Array => ed25519.getPublicKey(testOnlySeed(name));

export const ENGINE_SEED = testOnlySeed('policy-engine');
export const ENGINE_PUBLIC = testOnlyPublic('policy-engine');
export const ISSUED_AT = 1_767_225_600_000; // 2026-01-01T00:00:00Z
export const EXPIRES_AT = ISSUED_AT + 5 * 60 * 1000;

export const APPROVER_KEYS: ReadonlyMap<string, Uint8Array> = new Map([
  ['alice@ops', testOnlyPublic('alice')],
  ['bob@ops', testOnlyPublic('bob')],
  ['carol@risk', testOnlyPublic('carol')],
]);

export const REQUEST: SignRequest & { readonly payload: MessagePayload } = {
  requestId: 'wd-2026-000042',
  keyId: 'key-ecdsa-0001',
  scheme: 'ecdsa',
  derivationPath: [0, 7],
  payload: { kind: 'message', hash: 'keccak256', message: utf8ToBytes('TEST-ONLY withdrawal 1.5 ETH to 0xabc') },
};

export function approval(name: string, approverId: string, request: SignRequest = REQUEST) {
  return { approverId, signature: approveRequest(request, testOnlySeed(name)) };
}

type UnsignedV1 = Omit<SignGrantV1, 'engineSignature'>;
type UnsignedV2 = Omit<SignGrantV2, 'engineSignature'>;

export function unsignedGrant(overrides: Partial<UnsignedV1> = {}): UnsignedV1 {
  return {
    version: 1,
    request: REQUEST,
    policyVersion: 'policy-7',
    approvals: [approval('alice', 'alice@ops'), approval('bob', 'bob@ops')],
    requiredApprovals: 2,
    issuedAt: ISSUED_AT,
    expiresAt: EXPIRES_AT,
    ...overrides,
  };
}

export function grant(overrides: Partial<UnsignedV1> = {}, engineSeed = ENGINE_SEED): SignGrant {
  return signGrant(unsignedGrant(overrides), engineSeed);
}

/** TEST-ONLY addresses (EIP-55 test vectors: nobody's keys). */
export const TOKEN = parseAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed');
export const RECIPIENT = parseAddress('0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359');
export const POLICY_HASH = sha256(utf8ToBytes('TEST-ONLY policy-7 content'));

const FEES = { chainId: 1, nonce: 42, maxFeePerGas: 30_000_000_000n, maxPriorityFeePerGas: 1_500_000_000n };

export const NATIVE_PAYLOAD: EvmTransactionPayload = {
  kind: 'evm-transaction',
  ...FEES,
  gas: 21_000n,
  to: RECIPIENT,
  value: 1_500_000_000_000_000_000n,
  data: new Uint8Array(0),
  erc20: null,
};

export const ERC20_PAYLOAD: EvmTransactionPayload = {
  kind: 'evm-transaction',
  ...FEES,
  gas: 65_000n,
  to: TOKEN,
  value: 0n,
  data: erc20TransferData(RECIPIENT, 2_500_000n),
  erc20: { recipient: RECIPIENT, amount: 2_500_000n },
};

export const EVM_REQUEST: SignRequest & { readonly payload: EvmTransactionPayload } = {
  requestId: 'wd-2026-000043',
  keyId: 'key-ecdsa-0001',
  scheme: 'ecdsa',
  derivationPath: [0, 7],
  payload: ERC20_PAYLOAD,
};

export function unsignedGrantV2(overrides: Partial<UnsignedV2> = {}): UnsignedV2 {
  const request = overrides.request ?? EVM_REQUEST;
  return {
    version: 2,
    request,
    policyVersion: 'policy-7',
    policyHash: POLICY_HASH,
    approvals: [approval('alice', 'alice@ops', request), approval('bob', 'bob@ops', request)],
    requiredApprovals: 2,
    issuedAt: ISSUED_AT,
    expiresAt: EXPIRES_AT,
    ...overrides,
  };
}

export function grantV2(overrides: Partial<UnsignedV2> = {}, engineSeed = ENGINE_SEED): SignGrant {
  return signGrant(unsignedGrantV2(overrides), engineSeed);
}
