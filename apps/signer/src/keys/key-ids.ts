import { bytesToHex } from '@noble/hashes/utils.js';
import { systemRng } from '@custody/mpc-core';

/** A new key id: `key-` and 16 random bytes in hex. */
export function newKeyId(): string {
  return `key-${bytesToHex(systemRng(16))}`;
}

/** The vault record id of a key's share of one generation (binds the sealed share to both). */
export function shareRecordId(keyId: string, generation: number): string {
  return `${keyId}.g${generation}`;
}
