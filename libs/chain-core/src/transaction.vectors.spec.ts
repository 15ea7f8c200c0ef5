import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { parseTransaction, recoverTransactionAddress, type Hex } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import {
  addressFromPublicKey,
  parseAddress,
  recoverTransactionSender,
  signedTransactionBytes,
  transactionHash,
  transactionSigningHash,
  unsignedTransactionBytes,
  type Eip1559Transaction,
} from '../src';
import { EIP1559_VECTOR_CHAIN_ID, EIP1559_VECTORS, KEY_ADDRESSES } from '../test/vectors';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

/** Signs a digest with a single private key (the vectors' key): RFC 6979, low s, with the recovery id. */
function signDigest(digest: Uint8Array, privateKey: Uint8Array) {
  const recovered = secp256k1.sign(digest, privateKey, { prehash: false, format: 'recovered', lowS: true });
  return { signature: recovered.subarray(1), recoveryId: recovered[0]! };
}

describe('EIP-1559 transactions against the ethereumjs vectors (test/vectors.ts)', () => {
  it.each(EIP1559_VECTORS.map((v, i) => [i, v] as const))('vector %i: the signing hash, the signature and the signed envelope match', (_i, v) => {
    const tx: Eip1559Transaction = {
      chainId: EIP1559_VECTOR_CHAIN_ID,
      nonce: v.nonce,
      maxFeePerGas: v.maxFeePerGas,
      maxPriorityFeePerGas: v.maxPriorityFeePerGas,
      gas: v.gas,
      to: parseAddress(v.to),
      value: v.value,
      data: new Uint8Array(0),
    };
    const key = bytes(v.privateKey);
    const sig = signDigest(transactionSigningHash(tx), key);
    const raw = signedTransactionBytes(tx, sig, privateKeyToAddress(`0x${v.privateKey}`));
    expect(hex(raw)).toBe(v.signed);
    // The signing hash is keccak256 of the unsigned envelope, which is the signed one without (yParity, r, s).
    expect(hex(transactionSigningHash(tx))).toBe(hex(keccak_256(unsignedTransactionBytes(tx))));
    expect(hex(transactionHash(raw))).toBe(hex(keccak_256(bytes(v.signed))));
    expect(recoverTransactionSender(tx, sig)).toBe(privateKeyToAddress(`0x${v.privateKey}`));
  });

  it('viem parses the envelope back to the same fields and recovers the same sender (cross-check)', async () => {
    const v = EIP1559_VECTORS[0];
    const parsed = parseTransaction(`0x${v.signed}` as Hex);
    expect(parsed).toMatchObject({ chainId: EIP1559_VECTOR_CHAIN_ID, nonce: v.nonce, gas: v.gas, maxFeePerGas: v.maxFeePerGas, maxPriorityFeePerGas: v.maxPriorityFeePerGas, value: v.value });
    expect(await recoverTransactionAddress({ serializedTransaction: `0x${v.signed}` as `0x02${string}` })).toBe(privateKeyToAddress(`0x${v.privateKey}`));
  });
});

describe('addresses from public keys (test/vectors.ts)', () => {
  it.each(KEY_ADDRESSES.map((k) => [k.address, k] as const))('%s', (_a, k) => {
    const key = bytes(k.privateKey);
    expect(addressFromPublicKey(secp256k1.getPublicKey(key, true))).toBe(k.address);
    expect(addressFromPublicKey(secp256k1.getPublicKey(key, false))).toBe(k.address);
  });

  it('refuses bytes that are not a point, naming the argument', () => {
    expect(() => addressFromPublicKey(new Uint8Array(33))).toThrow(/invalid publicKey: is not a point/);
    expect(() => addressFromPublicKey(new Uint8Array(64))).toThrow(/invalid publicKey: must be a 33-byte/);
    const notOnCurve = secp256k1.getPublicKey(bytes(KEY_ADDRESSES[0].privateKey), false);
    notOnCurve[64] ^= 1;
    expect(() => addressFromPublicKey(notOnCurve)).toThrow(/not a point/);
  });
});
