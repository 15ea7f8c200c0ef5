import { secp256k1 } from '@noble/curves/secp256k1.js';
import { getAddress, hexToBytes, isAddress, type Address } from 'viem';
import { publicKeyToAddress } from 'viem/accounts';
import { fail, preview } from './errors';
import { toHex } from './validate';

export type { Address } from 'viem';

const LOWER = /^0x[0-9a-f]{40}$/;
const ANY_CASE = /^0x[0-9a-fA-F]{40}$/;

/**
 * Parses an address given by a person or a client: `0x` and 40 hex digits, either all lower-case or
 * in its EIP-55 mixed-case checksum form (which for some addresses is all upper-case). A mixed-case
 * string with a wrong checksum is refused, never "fixed": it is most likely a typo. Returns the
 * EIP-55 form.
 */
export function parseAddress(value: unknown, argument = 'address'): Address {
  if (typeof value !== 'string' || !ANY_CASE.test(value)) fail(argument, `must be 0x and 40 hex digits, got ${preview(value)}`);
  if (LOWER.test(value)) return getAddress(value);
  if (!isAddress(value, { strict: true })) fail(argument, `has a wrong EIP-55 checksum: ${preview(value)}`);
  return getAddress(value);
}

/** True for an address in its EIP-55 form exactly (the one form custody stores and signs). */
export function isChecksummedAddress(value: unknown): value is Address {
  return typeof value === 'string' && ANY_CASE.test(value) && getAddress(value) === value;
}

/** Refuses anything but the EIP-55 form (for canonical data: grants, stored records). */
export function assertChecksummedAddress(value: unknown, argument = 'address'): asserts value is Address {
  if (!isChecksummedAddress(value)) fail(argument, `must be an address in its EIP-55 checksum form, got ${preview(value)}`);
}

/** The 20 bytes of an address. */
export function addressToBytes(address: Address, argument = 'address'): Uint8Array {
  const a = parseAddress(address, argument);
  return hexToBytes(a);
}

/** The EIP-55 address of 20 bytes. */
export function addressFromBytes(bytes: Uint8Array, argument = 'address'): Address {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 20) fail(argument, 'must be 20 bytes');
  return getAddress(toHex(bytes));
}

/**
 * The Ethereum address of a secp256k1 public key (compressed, 33 bytes, or uncompressed, 65 bytes):
 * the last 20 bytes of Keccak-256 over the uncompressed point without its 0x04 prefix (Yellow Paper,
 * eq. 284), in EIP-55 form. The point is decoded and checked to be on the curve first.
 */
export function addressFromPublicKey(publicKey: Uint8Array, argument = 'publicKey'): Address {
  if (!(publicKey instanceof Uint8Array) || (publicKey.length !== 33 && publicKey.length !== 65)) {
    fail(argument, 'must be a 33-byte compressed or 65-byte uncompressed secp256k1 public key');
  }
  let uncompressed: Uint8Array;
  try {
    uncompressed = secp256k1.Point.fromBytes(publicKey).toBytes(false);
  } catch {
    fail(argument, 'is not a point on secp256k1');
  }
  return publicKeyToAddress(toHex(uncompressed));
}
