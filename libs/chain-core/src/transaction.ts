import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hexToBytes, keccak256, serializeTransaction, type Address, type TransactionSerializableEIP1559 } from 'viem';
import { addressFromPublicKey, assertChecksummedAddress } from './address';
import { assertChainId } from './chains';
import { fail } from './errors';
import { assertBytes, assertOnlyKeys, assertSafeInteger, assertUint256, toHex, UINT256_LIMIT } from './validate';

/** Intrinsic gas of a transaction (Yellow Paper G_transaction): no transaction can use less. */
export const MIN_GAS = 21_000n;
/** EIP-7825 (Fusaka): a transaction's gas limit is capped at 2^24. */
export const MAX_GAS = 1n << 24n;
/** Calldata of at most 128 KiB (the transaction pool limit of the common clients). */
export const MAX_DATA_BYTES = 128 * 1024;

/**
 * An EIP-1559 (type 2) transaction as custody builds it: always with an empty access list and a
 * recipient (no contract creation). Amounts are bigint in wei; `nonce` is a safe integer.
 */
export interface Eip1559Transaction {
  readonly chainId: number;
  readonly nonce: number;
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly gas: bigint;
  /** The recipient (a token contract for an ERC-20 transfer), EIP-55. */
  readonly to: Address;
  readonly value: bigint;
  readonly data: Uint8Array;
}

/** An ECDSA signature as the signers return it: r ‖ s (64 bytes, big-endian) and the recovery id. */
export interface RecoverableSignature {
  readonly signature: Uint8Array;
  /** 0 or 1: the parity of R's y coordinate (EIP-2718 `yParity`). */
  readonly recoveryId: number;
}

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';
const TX_KEYS = ['chainId', 'nonce', 'maxFeePerGas', 'maxPriorityFeePerGas', 'gas', 'to', 'value', 'data'];
const HALF_ORDER = secp256k1.Point.Fn.ORDER >> 1n;

/**
 * Validates every field: chain id 1..2^53-1; nonce 0..2^53-1; fees and value bigint in 0..2^256-1 with
 * maxPriorityFeePerGas ≤ maxFeePerGas (EIP-1559) and gas·maxFeePerGas + value < 2^256 (the most the
 * sender can be charged); gas in 21000..2^24 (EIP-7825); `to` in EIP-55 form; data at most 128 KiB.
 */
export function assertEip1559Transaction(tx: unknown, argument = 'transaction'): asserts tx is Eip1559Transaction {
  if (typeof tx !== 'object' || tx === null || Array.isArray(tx)) fail(argument, 'must be an object');
  const t = tx as Record<string, unknown>;
  for (const k of Object.keys(t)) if (!TX_KEYS.includes(k)) fail(`${argument}.${k.slice(0, 40)}`, 'unknown field');
  assertChainId(t.chainId, `${argument}.chainId`);
  assertSafeInteger(t.nonce, `${argument}.nonce`, 0);
  assertUint256(t.maxFeePerGas, `${argument}.maxFeePerGas`);
  assertUint256(t.maxPriorityFeePerGas, `${argument}.maxPriorityFeePerGas`);
  if (t.maxPriorityFeePerGas > t.maxFeePerGas) fail(`${argument}.maxPriorityFeePerGas`, 'must not exceed maxFeePerGas');
  if (typeof t.gas !== 'bigint') fail(`${argument}.gas`, 'must be a bigint');
  if (t.gas < MIN_GAS || t.gas > MAX_GAS) fail(`${argument}.gas`, `must be in ${MIN_GAS}..${MAX_GAS}`);
  assertChecksummedAddress(t.to, `${argument}.to`);
  if (t.to === ZERO_ADDRESS) fail(`${argument}.to`, 'must not be the zero address (what is sent there is burnt)');
  assertUint256(t.value, `${argument}.value`);
  if (t.gas * t.maxFeePerGas + t.value >= UINT256_LIMIT) fail(`${argument}.value`, 'value + gas·maxFeePerGas must be below 2^256');
  assertBytes(t.data, `${argument}.data`, undefined, MAX_DATA_BYTES);
}

function serializable(tx: Eip1559Transaction): TransactionSerializableEIP1559 {
  return {
    type: 'eip1559',
    chainId: tx.chainId,
    nonce: tx.nonce,
    maxFeePerGas: tx.maxFeePerGas,
    maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
    gas: tx.gas,
    to: tx.to,
    value: tx.value,
    data: tx.data.length === 0 ? undefined : toHex(tx.data),
    accessList: [],
  };
}

const fromHex = (hex: `0x${string}`): Uint8Array => hexToBytes(hex);

/**
 * A validated copy of `tx`, each field read once: what is encoded is what was checked, even when the
 * given object has getters, is a Proxy, or shares its `data` buffer with code that changes it.
 */
function checkedCopy(tx: Eip1559Transaction, argument = 'transaction'): Eip1559Transaction {
  if (typeof tx !== 'object' || tx === null || Array.isArray(tx)) fail(argument, 'must be an object');
  for (const k of Object.keys(tx)) if (!TX_KEYS.includes(k)) fail(`${argument}.${k.slice(0, 40)}`, 'unknown field');
  const copy: Eip1559Transaction = {
    chainId: tx.chainId,
    nonce: tx.nonce,
    maxFeePerGas: tx.maxFeePerGas,
    maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
    gas: tx.gas,
    to: tx.to,
    value: tx.value,
    data: tx.data instanceof Uint8Array ? Uint8Array.from(tx.data) : tx.data,
  };
  assertEip1559Transaction(copy, argument);
  return copy;
}

/** The unsigned EIP-2718 envelope: 0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gas, to, value, data, accessList]) (EIP-1559). */
export function unsignedTransactionBytes(tx: Eip1559Transaction): Uint8Array {
  return fromHex(serializeTransaction(serializable(checkedCopy(tx))));
}

/** The 32-byte digest the key signs: Keccak-256 of {@link unsignedTransactionBytes} (EIP-1559, "signature_y_parity, signature_r, signature_s ... over keccak256(0x02 ‖ rlp(...))"). */
export function transactionSigningHash(tx: Eip1559Transaction): Uint8Array {
  return fromHex(keccak256(unsignedTransactionBytes(tx)));
}

function copySignature(sig: RecoverableSignature, argument: string): RecoverableSignature {
  if (typeof sig !== 'object' || sig === null) fail(argument, 'must be an object');
  const signature: unknown = sig.signature;
  return { signature: signature instanceof Uint8Array ? Uint8Array.from(signature) : (signature as Uint8Array), recoveryId: sig.recoveryId };
}

function splitSignature(sig: RecoverableSignature, argument: string): { r: bigint; s: bigint; yParity: 0 | 1 } {
  if (typeof sig !== 'object' || sig === null) fail(argument, 'must be an object');
  assertBytes(sig.signature, `${argument}.signature`, 64);
  if (sig.recoveryId !== 0 && sig.recoveryId !== 1) fail(`${argument}.recoveryId`, 'must be 0 or 1');
  const r = BigInt(toHex(sig.signature.subarray(0, 32)));
  const s = BigInt(toHex(sig.signature.subarray(32)));
  const n = secp256k1.Point.Fn.ORDER;
  if (r === 0n || r >= n) fail(`${argument}.signature`, 'r must be in 1..n-1');
  if (s === 0n || s >= n) fail(`${argument}.signature`, 's must be in 1..n-1');
  // EIP-2: a transaction with s > n/2 is invalid; it is refused here, not normalized.
  if (s > HALF_ORDER) fail(`${argument}.signature`, 's must be at most n/2 (EIP-2 low-s)');
  return { r, s, yParity: sig.recoveryId };
}

/**
 * The address that signed `tx` with `sig` (public-key recovery over the signing hash). Throws when
 * the signature does not recover to a point.
 */
export function recoverTransactionSender(tx: Eip1559Transaction, givenSig: RecoverableSignature, argument = 'signature'): Address {
  const hash = transactionSigningHash(tx);
  const sig = copySignature(givenSig, argument);
  const { yParity } = splitSignature(sig, argument);
  let publicKey: Uint8Array;
  try {
    publicKey = secp256k1.Signature.fromBytes(sig.signature, 'compact').addRecoveryBit(yParity).recoverPublicKey(hash).toBytes(true);
  } catch {
    fail(argument, 'does not recover to a public key');
  }
  return addressFromPublicKey(publicKey);
}

/**
 * The signed raw transaction to broadcast (`eth_sendRawTransaction`): 0x02 ‖ rlp([..., yParity, r, s]).
 * When `from` is given, the signature must recover to it (a wrong recovery id or key is caught here,
 * before a node refuses or, worse, charges another account).
 */
export function signedTransactionBytes(given: Eip1559Transaction, givenSig: RecoverableSignature, from?: Address): Uint8Array {
  const tx = checkedCopy(given);
  const sig = copySignature(givenSig, 'signature'); // read once: the signature recovered below is the one encoded
  const { r, s, yParity } = splitSignature(sig, 'signature');
  if (from !== undefined) {
    assertChecksummedAddress(from, 'from');
    const sender = recoverTransactionSender(tx, sig);
    if (sender !== from) fail('signature', `recovers to ${sender}, not ${from}`);
  }
  const word = (x: bigint) => `0x${x.toString(16).padStart(64, '0')}` as const;
  return fromHex(serializeTransaction(serializable(tx), { r: word(r), s: word(s), yParity }));
}

/** The transaction hash of a signed raw transaction: Keccak-256 of its bytes (EIP-2718). */
export function transactionHash(raw: Uint8Array): Uint8Array {
  assertBytes(raw, 'raw', undefined, MAX_DATA_BYTES + 1024);
  if (raw.length === 0) fail('raw', 'must not be empty');
  return fromHex(keccak256(raw));
}

export interface TransferFees {
  readonly chainId: number;
  readonly nonce: number;
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly gas: bigint;
}

/** A native-asset transfer (no calldata). Any field but the fees, `to` and `value` is refused. */
export const TRANSFER_FEE_KEYS = ['chainId', 'nonce', 'maxFeePerGas', 'maxPriorityFeePerGas', 'gas'] as const;

export function nativeTransferTransaction(fees: TransferFees & { readonly to: Address; readonly value: bigint }): Eip1559Transaction {
  assertOnlyKeys(fees, [...TRANSFER_FEE_KEYS, 'to', 'value'], 'transfer');
  const tx: Eip1559Transaction = {
    chainId: fees.chainId,
    nonce: fees.nonce,
    maxFeePerGas: fees.maxFeePerGas,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    gas: fees.gas,
    to: fees.to,
    value: fees.value,
    data: new Uint8Array(0),
  };
  assertEip1559Transaction(tx);
  return tx;
}
