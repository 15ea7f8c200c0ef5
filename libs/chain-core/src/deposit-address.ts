import { secp256k1 } from '@noble/curves/secp256k1.js';
import { derivePublicPath } from '@custody/mpc-core/derive/bip32';
import type { Address } from 'viem';
import { addressFromPublicKey } from './address';
import { fail } from './errors';
import { assertBytes } from './validate';

/** A wallet key's public half as the signers report it: its compressed public key and BIP32 chain code. */
export interface WalletPublicKey {
  /** 33 bytes, compressed secp256k1. */
  readonly publicKey: Uint8Array;
  /** 32 bytes. */
  readonly chainCode: Uint8Array;
}

export interface DepositAddress {
  /** The non-hardened BIP32 path from the wallet key. */
  readonly path: readonly number[];
  /** The child public key, 33 bytes compressed. */
  readonly publicKey: Uint8Array;
  readonly address: Address;
}

/** The most indices a deposit path may have (the sign grant's limit is 255; deposit paths are short). */
export const MAX_DEPOSIT_PATH_DEPTH = 16;

/**
 * The deposit address at a non-hardened path below a wallet key (BIP32 CKDpub, libs/mpc-core), from
 * the public key and chain code alone: no private key or share is involved, and the signers sign for
 * it with the same path in the grant (the tweak is applied at signing time). Hardened indices are
 * refused (they need a private key, which does not exist).
 */
export function depositAddress(wallet: WalletPublicKey, path: readonly number[]): DepositAddress {
  if (typeof wallet !== 'object' || wallet === null) fail('wallet', 'must be an object');
  assertBytes(wallet.publicKey, 'wallet.publicKey', 33);
  assertBytes(wallet.chainCode, 'wallet.chainCode', 32);
  const given: unknown = path;
  if (!Array.isArray(given)) fail('path', 'must be an array of indices');
  if (given.length > MAX_DEPOSIT_PATH_DEPTH) fail('path', `must have at most ${MAX_DEPOSIT_PATH_DEPTH} indices`);
  const indices: number[] = (given as unknown[]).map((index, i) => {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= 0x80000000) fail(`path[${i}]`, 'must be a non-hardened index in 0..2^31-1');
    return index;
  });
  let root;
  try {
    root = secp256k1.Point.fromBytes(wallet.publicKey);
  } catch {
    fail('wallet.publicKey', 'is not a point on secp256k1');
  }
  const child = derivePublicPath({ publicKey: root, chainCode: wallet.chainCode }, indices);
  const publicKey = child.publicKey.toBytes(true);
  return { path: indices, publicKey, address: addressFromPublicKey(publicKey) };
}
