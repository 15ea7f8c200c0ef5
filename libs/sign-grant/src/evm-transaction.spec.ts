import { keccak256, serializeTransaction } from 'viem';
import { erc20TransferData, parseAddress, transactionSigningHash } from '@custody/chain-core';
import {
  checkGrant,
  decodeSignGrant,
  encodeSignGrant,
  encodeSignRequest,
  grantId,
  grantSigningBytes,
  GrantRefused,
  payloadTransaction,
  requestDigest,
  signGrant,
  SignGrantInputError,
  signingInput,
  type CheckGrantOptions,
  type EvmTransactionPayload,
  type SignRequest,
} from './index';
import {
  APPROVER_KEYS,
  ENGINE_PUBLIC,
  ENGINE_SEED,
  ERC20_PAYLOAD,
  EVM_REQUEST,
  grant,
  grantV2,
  ISSUED_AT,
  NATIVE_PAYLOAD,
  RECIPIENT,
  REQUEST,
  TOKEN,
  unsignedGrantV2,
} from '../test/test-only-fixtures';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const NATIVE_REQUEST: SignRequest = { ...EVM_REQUEST, requestId: 'wd-2026-000044', payload: NATIVE_PAYLOAD };

/** The same fields as a version 1 grant (no policyHash key at all). */
function asV1(unsigned: ReturnType<typeof unsignedGrantV2>): Record<string, unknown> {
  const { policyHash: _dropped, ...rest } = unsigned;
  void _dropped;
  return { ...rest, version: 1 };
}

function options(requestedSigningInput: Uint8Array, overrides: Partial<CheckGrantOptions> = {}): CheckGrantOptions {
  return { enginePublicKey: ENGINE_PUBLIC, approverKeys: APPROVER_KEYS, now: ISSUED_AT + 1000, requestedSigningInput, ...overrides };
}

function refusal(fn: () => unknown): GrantRefused {
  try {
    fn();
  } catch (e) {
    if (e instanceof GrantRefused) return e;
    throw new Error('expected GrantRefused', { cause: e });
  }
  throw new Error('expected GrantRefused, the grant was accepted');
}

function inputError(fn: () => unknown): SignGrantInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SignGrantInputError) return e;
    throw new Error('expected SignGrantInputError', { cause: e });
  }
  throw new Error('expected SignGrantInputError, it was accepted');
}

describe('evm-transaction payloads: the signing input is the EIP-1559 signing hash', () => {
  it.each([['native', NATIVE_PAYLOAD], ['ERC-20', ERC20_PAYLOAD]] as const)('%s: equals libs/chain-core and viem computed directly', (_n, payload) => {
    const direct = keccak256(
      serializeTransaction({
        type: 'eip1559',
        chainId: payload.chainId,
        nonce: payload.nonce,
        maxFeePerGas: payload.maxFeePerGas,
        maxPriorityFeePerGas: payload.maxPriorityFeePerGas,
        gas: payload.gas,
        to: payload.to as `0x${string}`,
        value: payload.value,
        data: payload.data.length ? (`0x${hex(payload.data)}` as const) : undefined,
      }),
    );
    expect(`0x${hex(signingInput(payload, 'ecdsa'))}`).toBe(direct);
    expect(hex(signingInput(payload, 'ecdsa'))).toBe(hex(transactionSigningHash(payloadTransaction(payload))));
  });

  it('is ECDSA only', () => {
    expect(inputError(() => signingInput(NATIVE_PAYLOAD, 'eddsa')).argument).toBe('scheme');
  });
});

describe('grant version 2', () => {
  it('an ERC-20 and a native grant pass the check with the digest of their fields, and round-trip through JSON', () => {
    for (const request of [EVM_REQUEST, NATIVE_REQUEST]) {
      const g = grantV2({ request });
      const json = encodeSignGrant(g);
      expect(decodeSignGrant(json)).toEqual(g);
      expect(encodeSignGrant(decodeSignGrant(json))).toBe(json);
      expect(() => checkGrant(decodeSignGrant(json), options(signingInput(request.payload, 'ecdsa')))).not.toThrow();
    }
  });

  it('a v2 grant of a message payload passes too', () => {
    expect(() => checkGrant(grantV2({ request: REQUEST }), options(signingInput(REQUEST.payload, 'ecdsa')))).not.toThrow();
  });

  it('refuses any other digest: another transaction (each field changed), the message kind of the same bytes, a raw digest', () => {
    const g = grantV2();
    const others: EvmTransactionPayload[] = [
      { ...ERC20_PAYLOAD, nonce: ERC20_PAYLOAD.nonce + 1 },
      { ...ERC20_PAYLOAD, chainId: 10 },
      { ...ERC20_PAYLOAD, maxFeePerGas: ERC20_PAYLOAD.maxFeePerGas + 1n },
      { ...ERC20_PAYLOAD, maxPriorityFeePerGas: 1n },
      { ...ERC20_PAYLOAD, gas: 65_001n },
      { ...ERC20_PAYLOAD, to: RECIPIENT },
      { ...ERC20_PAYLOAD, data: erc20TransferData(RECIPIENT, 2_500_001n), erc20: { recipient: RECIPIENT, amount: 2_500_001n } },
    ];
    for (const other of others) expect(refusal(() => checkGrant(g, options(signingInput(other, 'ecdsa')))).reason).toBe('digest-mismatch');
    expect(refusal(() => checkGrant(g, options(signingInput({ kind: 'message', hash: 'keccak256', message: ERC20_PAYLOAD.data }, 'ecdsa')))).reason).toBe('digest-mismatch');
    expect(refusal(() => checkGrant(g, options(new Uint8Array(32)))).reason).toBe('digest-mismatch');
  });

  it('binds the policy hash: changed after signing, the engine signature fails', () => {
    const g = grantV2();
    if (g.version !== 2) throw new Error('expected v2');
    const policyHash = Uint8Array.from(g.policyHash);
    policyHash[0] ^= 1;
    expect(refusal(() => checkGrant({ ...g, policyHash }, options(signingInput(ERC20_PAYLOAD, 'ecdsa')))).reason).toBe('bad-engine-signature');
  });

  it('binds the version: the same fields signed as v1 and v2 give different bytes (distinct domains)', () => {
    const v2 = grantSigningBytes(unsignedGrantV2({ request: REQUEST }));
    const v1 = grantSigningBytes(asV1(unsignedGrantV2({ request: REQUEST })) as never);
    expect(hex(v1)).not.toBe(hex(v2));
  });

  it('v1 stays accepted for message payloads unless the signer sets minGrantVersion 2', () => {
    const input = signingInput(REQUEST.payload, 'ecdsa');
    expect(() => checkGrant(grant(), options(input))).not.toThrow();
    expect(refusal(() => checkGrant(grant(), options(input, { minGrantVersion: 2 }))).reason).toBe('version-not-accepted');
    expect(() => checkGrant(grantV2({ request: REQUEST }), options(input, { minGrantVersion: 2 }))).not.toThrow();
    expect(inputError(() => checkGrant(grant(), options(input, { minGrantVersion: 3 as never }))).argument).toBe('options.minGrantVersion');
  });
});

describe('evm-transaction grants that do not validate (refused, naming the field)', () => {
  const sign = (payload: unknown, version: 1 | 2 = 2) =>
    signGrant(version === 1 ? (asV1(unsignedGrantV2({ request: { ...EVM_REQUEST, payload } as SignRequest })) as never) : unsignedGrantV2({ request: { ...EVM_REQUEST, payload } as SignRequest }), ENGINE_SEED);
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['an ERC-20 recipient that is not the call\'s', () => sign({ ...ERC20_PAYLOAD, erc20: { recipient: TOKEN, amount: 2_500_000n } }), /payload\.erc20\.recipient: is not the recipient/],
    ['an ERC-20 amount that is not the call\'s', () => sign({ ...ERC20_PAYLOAD, erc20: { recipient: RECIPIENT, amount: 1n } }), /payload\.erc20\.amount: is not the amount/],
    ['value on an ERC-20 transfer', () => sign({ ...ERC20_PAYLOAD, value: 1n }), /payload\.value: must be 0/],
    ['calldata without erc20 (an arbitrary contract call)', () => sign({ ...NATIVE_PAYLOAD, data: ERC20_PAYLOAD.data }), /payload\.data: must be empty/],
    ['erc20 with data that is not a transfer', () => sign({ ...ERC20_PAYLOAD, data: new Uint8Array(68) }), /payload\.data/],
    ['erc20 missing', () => sign({ ...NATIVE_PAYLOAD, erc20: undefined }), /payload\.erc20: missing/],
    ['a lower-case to', () => sign({ ...NATIVE_PAYLOAD, to: RECIPIENT.toLowerCase() }), /payload\.to: must be an address in its EIP-55/],
    ['a lower-case ERC-20 recipient', () => sign({ ...ERC20_PAYLOAD, erc20: { recipient: RECIPIENT.toLowerCase(), amount: 2_500_000n } }), /erc20\.recipient/],
    ['a negative value', () => sign({ ...NATIVE_PAYLOAD, value: -1n }), /payload\.value: must be ≥ 0/],
    ['gas as a number', () => sign({ ...NATIVE_PAYLOAD, gas: 21000 }), /payload\.gas/],
    ['gas below 21000', () => sign({ ...NATIVE_PAYLOAD, gas: 20_000n }), /payload\.gas: must be in/],
    ['priority fee above the max fee', () => sign({ ...NATIVE_PAYLOAD, maxPriorityFeePerGas: NATIVE_PAYLOAD.maxFeePerGas + 1n }), /maxPriorityFeePerGas/],
    ['chain id 0', () => sign({ ...NATIVE_PAYLOAD, chainId: 0 }), /payload\.chainId/],
    ['an unknown field', () => sign({ ...NATIVE_PAYLOAD, accessList: [] }), /payload\.accessList: unknown field/],
    ['a message field on a transaction', () => sign({ ...NATIVE_PAYLOAD, hash: 'keccak256' }), /payload\.hash: unknown field/],
    ['an unknown kind', () => sign({ ...NATIVE_PAYLOAD, kind: 'btc-transaction' }), /payload\.kind: must be one of/],
    ['EdDSA for a transaction', () => signGrant({ ...unsignedGrantV2({ request: { ...NATIVE_REQUEST, scheme: 'eddsa' } }) }, ENGINE_SEED), /scheme: must be 'ecdsa'/],
    ['a transaction in a version 1 grant', () => sign(NATIVE_PAYLOAD, 1), /version: must be 2 for a evm-transaction payload/],
    ['v2 without policyHash', () => signGrant({ ...unsignedGrantV2(), policyHash: undefined } as never, ENGINE_SEED), /policyHash: missing/],
    ['a 31-byte policyHash', () => signGrant({ ...unsignedGrantV2(), policyHash: new Uint8Array(31) }, ENGINE_SEED), /policyHash: must be 32 bytes/],
    ['policyHash on version 1', () => signGrant({ ...asV1(unsignedGrantV2({ request: REQUEST })), policyHash: new Uint8Array(32) } as never, ENGINE_SEED), /policyHash: unknown field/],
  ];
  it.each(cases)('%s', (_n, fn, message) => {
    const e = inputError(fn);
    expect(e.message).toMatch(message);
    expect(e.message.length).toBeLessThan(300);
  });
});

describe('evm-transaction JSON that does not decode (refused, naming the field)', () => {
  const doc = () => JSON.parse(encodeSignGrant(grantV2())) as { request: { payload: Record<string, unknown> } } & Record<string, unknown>;
  const withPayload = (change: Record<string, unknown>) => {
    const d = doc();
    return { ...d, request: { ...d.request, payload: { ...d.request.payload, ...change } } };
  };
  const cases: Array<[string, unknown, RegExp]> = [
    ['gas as a JSON number', withPayload({ gas: 65000 }), /payload\.gas: must be a decimal string/],
    ['a fee with a leading zero', withPayload({ maxFeePerGas: '030000000000' }), /payload\.maxFeePerGas: must be a decimal string/],
    ['a negative value', withPayload({ value: '-1' }), /payload\.value: must be a decimal string/],
    ['a value in hex', withPayload({ value: '0x10' }), /payload\.value/],
    ['a 79-digit value', withPayload({ value: '1'.repeat(79) }), /payload\.value/],
    ['a value of 2^256', withPayload({ value: (1n << 256n).toString() }), /payload\.value/],
    ['0x-prefixed data', withPayload({ data: `0x${'00'.repeat(68)}` }), /payload\.data: must be lower-case hex/],
    ['an amount as a number', withPayload({ erc20: { recipient: RECIPIENT, amount: 2500000 } }), /erc20\.amount: must be a decimal string/],
    ['erc20 as a string', withPayload({ erc20: 'transfer' }), /erc20: must be an object or null/],
    ['a nonce as a string', withPayload({ nonce: '42' }), /payload\.nonce/],
    ['policyHash upper-case', { ...doc(), policyHash: (doc().policyHash as string).toUpperCase() }, /policyHash: must be lower-case hex/],
    ['policyHash missing', { ...doc(), policyHash: undefined }, /policyHash: missing/],
  ];
  it.each(cases)('%s', (_n, value, message) => {
    const e = inputError(() => decodeSignGrant(JSON.stringify(value)));
    expect(e.argument).toMatch(/^grant/);
    expect(e.message).toMatch(message);
  });
});

describe('version 2 encodings, pinned (snapshots: a change here breaks every deployed engine and signer)', () => {
  it('pins the ERC-20 request encoding, its digest, the signing input, the grant bytes, signature, id and JSON', () => {
    const g = grantV2();
    expect(hex(encodeSignRequest(EVM_REQUEST))).toMatchSnapshot('erc20 request encoding');
    expect(hex(requestDigest(EVM_REQUEST))).toMatchSnapshot('erc20 request digest');
    expect(hex(signingInput(ERC20_PAYLOAD, 'ecdsa'))).toMatchSnapshot('erc20 signing input');
    expect(hex(grantSigningBytes(g))).toMatchSnapshot('v2 grant signing bytes');
    expect(hex(g.engineSignature)).toMatchSnapshot('v2 engine signature');
    expect(hex(grantId(g))).toMatchSnapshot('v2 grant id');
    expect(encodeSignGrant(g)).toMatchSnapshot('v2 grant JSON text');
  });

  it('pins the native request encoding and signing input', () => {
    expect(hex(encodeSignRequest(NATIVE_REQUEST))).toMatchSnapshot('native request encoding');
    expect(hex(signingInput(NATIVE_PAYLOAD, 'ecdsa'))).toMatchSnapshot('native signing input');
  });

  it('starts an evm request encoding with its own domain, and a v2 grant with custody/sign-grant/v2', () => {
    const tag = (b: Uint8Array) => Buffer.from(b).subarray(4, 4 + Buffer.from(b).readUInt32BE(0)).toString();
    expect(tag(encodeSignRequest(EVM_REQUEST))).toBe('custody/sign-request/evm-transaction/v1');
    expect(tag(grantSigningBytes(unsignedGrantV2()))).toBe('custody/sign-grant/v2');
    expect(tag(encodeSignRequest(REQUEST))).toBe('custody/sign-request/v1');
  });

  it('the ERC-20 payload of the fixtures is what chain-core builds for that transfer', () => {
    expect(parseAddress(ERC20_PAYLOAD.to)).toBe(TOKEN);
    expect(hex(ERC20_PAYLOAD.data)).toBe(hex(erc20TransferData(RECIPIENT, 2_500_000n)));
  });
});
