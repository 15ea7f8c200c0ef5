import fc from 'fast-check';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { parseTransaction, recoverTransactionAddress, toHex as viemHex } from 'viem';
import {
  addressFromPublicKey,
  assertEip1559Transaction,
  ChainInputError,
  erc20TransferTransaction,
  MAX_GAS,
  nativeTransferTransaction,
  parseAddress,
  recoverTransactionSender,
  signedTransactionBytes,
  transactionSigningHash,
  UINT256_LIMIT,
  type Eip1559Transaction,
} from '../src';

const TO = parseAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed');
const base: Eip1559Transaction = nativeTransferTransaction({ chainId: 31337, nonce: 3, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n, gas: 21_000n, to: TO, value: 10n ** 18n });
const N = secp256k1.Point.Fn.ORDER;

describe('transaction validation', () => {
  const bad: Array<[string, Partial<Record<keyof Eip1559Transaction, unknown>> & Record<string, unknown>, RegExp]> = [
    ['chain id 0', { chainId: 0 }, /transaction\.chainId/],
    ['a fractional chain id', { chainId: 1.5 }, /transaction\.chainId/],
    ['a negative nonce', { nonce: -1 }, /transaction\.nonce/],
    ['a nonce as bigint', { nonce: 1n }, /transaction\.nonce/],
    ['a fee as number', { maxFeePerGas: 1 }, /transaction\.maxFeePerGas: must be a bigint/],
    ['a negative value', { value: -1n }, /transaction\.value: must be ≥ 0/],
    ['value ≥ 2^256', { value: UINT256_LIMIT }, /transaction\.value/],
    ['priority fee above the max fee', { maxPriorityFeePerGas: 3_000_000_000n }, /maxPriorityFeePerGas: must not exceed/],
    ['gas below 21000', { gas: 20_999n }, /transaction\.gas: must be in/],
    ['gas above 2^24', { gas: MAX_GAS + 1n }, /transaction\.gas: must be in/],
    ['a lower-case to', { to: TO.toLowerCase() }, /transaction\.to/],
    ['data as hex text', { data: '0x' }, /transaction\.data/],
    ['an unknown field', { accessList: [] }, /transaction\.accessList: unknown field/],
    ['value + fees overflowing 2^256', { value: UINT256_LIMIT - 1n }, /transaction\.value: value \+ gas·maxFeePerGas/],
  ];
  it.each(bad)('refuses %s', (_n, change, message) => {
    expect(() => assertEip1559Transaction({ ...base, ...change })).toThrow(ChainInputError);
    expect(() => transactionSigningHash({ ...base, ...change } as Eip1559Transaction)).toThrow(message);
  });
});

describe('transfer builders', () => {
  const fees = { chainId: 1, nonce: 0, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n, gas: 21_000n };
  it('refuse a field they would otherwise ignore', () => {
    expect(() => nativeTransferTransaction({ ...fees, to: TO, value: 1n, data: new Uint8Array(4) } as never)).toThrow(/invalid transfer\.data: unknown field/);
    expect(() => erc20TransferTransaction({ ...fees, gas: 60_000n, token: TO, recipient: TO, amount: 1n, value: 5n } as never)).toThrow(/invalid transfer\.value: unknown field/);
    expect(() => nativeTransferTransaction(null as never)).toThrow(/invalid transfer: must be an object/);
  });

  it('validate what they build (the recipient in EIP-55 form)', () => {
    expect(() => nativeTransferTransaction({ ...fees, to: TO.toLowerCase() as typeof TO, value: 1n })).toThrow(/invalid transaction\.to/);
    expect(() => erc20TransferTransaction({ ...fees, gas: 60_000n, token: TO, recipient: TO, amount: -1n })).toThrow(/invalid amount/);
  });
});

describe('signatures on transactions', () => {
  const key = Uint8Array.from(Buffer.from('4646464646464646464646464646464646464646464646464646464646464646', 'hex'));
  const from = addressFromPublicKey(secp256k1.getPublicKey(key));
  const sign = (tx: Eip1559Transaction) => {
    const rec = secp256k1.sign(transactionSigningHash(tx), key, { prehash: false, format: 'recovered' });
    return { signature: rec.subarray(1), recoveryId: rec[0]! };
  };

  it('refuses the wrong recovery id when the sender is given', () => {
    const sig = sign(base);
    expect(() => signedTransactionBytes(base, { ...sig, recoveryId: 1 - sig.recoveryId }, from)).toThrow(/invalid signature: recovers to 0x/);
    expect(() => signedTransactionBytes(base, sig, from)).not.toThrow();
  });

  it('refuses a high-s signature (EIP-2), r or s out of range, a bad recovery id', () => {
    const sig = sign(base);
    const s = BigInt(viemHex(sig.signature.subarray(32)));
    const high = Uint8Array.from(sig.signature);
    high.set(Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex'), 32);
    expect(() => signedTransactionBytes(base, { signature: high, recoveryId: 1 - sig.recoveryId })).toThrow(/EIP-2 low-s/);
    expect(() => signedTransactionBytes(base, { signature: new Uint8Array(64), recoveryId: 0 })).toThrow(/r must be in 1..n-1/);
    expect(() => signedTransactionBytes(base, { signature: sig.signature, recoveryId: 2 })).toThrow(/recoveryId: must be 0 or 1/);
    expect(() => signedTransactionBytes(base, { signature: sig.signature.subarray(1), recoveryId: 0 })).toThrow(/must be 64 bytes/);
  });

  it('property: any valid transaction signs, viem parses the envelope back to the same fields, and both recover the signer', async () => {
    const tx = fc.record({
      chainId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      nonce: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      maxFeePerGas: fc.bigInt({ min: 0n, max: 10n ** 30n }),
      priorityShare: fc.integer({ min: 0, max: 100 }),
      gas: fc.bigInt({ min: 21_000n, max: MAX_GAS }),
      value: fc.bigInt({ min: 0n, max: 10n ** 40n }),
      to: fc.uint8Array({ minLength: 20, maxLength: 20 }),
      data: fc.uint8Array({ maxLength: 100 }),
    });
    await fc.assert(
      fc.asyncProperty(tx, async (t) => {
        const candidate: Eip1559Transaction = {
          chainId: t.chainId,
          nonce: t.nonce,
          maxFeePerGas: t.maxFeePerGas,
          maxPriorityFeePerGas: (t.maxFeePerGas * BigInt(t.priorityShare)) / 100n,
          gas: t.gas,
          to: parseAddress(viemHex(t.to)),
          value: t.value,
          data: t.data,
        };
        const sig = sign(candidate);
        const raw = signedTransactionBytes(candidate, sig, from);
        const parsed = parseTransaction(viemHex(raw));
        expect(parsed.chainId).toBe(candidate.chainId);
        // viem leaves out the fields that are zero (RLP encodes them as the empty string).
        expect(parsed.nonce ?? 0).toBe(candidate.nonce);
        expect(parsed.maxFeePerGas ?? 0n).toBe(candidate.maxFeePerGas);
        expect(parsed.maxPriorityFeePerGas ?? 0n).toBe(candidate.maxPriorityFeePerGas);
        expect(parsed.gas).toBe(candidate.gas);
        expect(parsed.value ?? 0n).toBe(candidate.value);
        expect(parsed.to?.toLowerCase()).toBe(candidate.to.toLowerCase());
        expect(parsed.data ?? '0x').toBe(viemHex(candidate.data));
        expect(recoverTransactionSender(candidate, sig)).toBe(from);
        expect(await recoverTransactionAddress({ serializedTransaction: viemHex(raw) as `0x02${string}` })).toBe(from);
      }),
      { numRuns: 60, seed: 20261202 },
    );
  });

  it('distinct transactions have distinct signing hashes (each field is bound)', () => {
    const h = (tx: Eip1559Transaction) => Buffer.from(transactionSigningHash(tx)).toString('hex');
    const changes: Array<Partial<Eip1559Transaction>> = [
      { chainId: 1 }, { nonce: 4 }, { maxFeePerGas: base.maxFeePerGas + 1n }, { maxPriorityFeePerGas: 1n }, { gas: 21_001n },
      { to: parseAddress('0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359') }, { value: 1n }, { data: new Uint8Array([0]) },
    ];
    const hashes = new Set([h(base), ...changes.map((c) => h({ ...base, ...c }))]);
    expect(hashes.size).toBe(changes.length + 1);
  });
});
