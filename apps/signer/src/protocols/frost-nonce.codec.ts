import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { decodePublishedCommitment, encodePublishedCommitment, type NonceRecord } from '@custody/mpc-core/frost';

/** A FROST nonce pair as the vault seals it (JSON of hex; the vault encrypts the whole). */
export function encodeNonceRecord(record: NonceRecord): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({ v: 1, c: bytesToHex(encodePublishedCommitment(record.commitment)), h: bytesToHex(record.hiding), b: bytesToHex(record.binding) }),
  );
}

export function decodeNonceRecord(bytes: Uint8Array): NonceRecord {
  const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as { v?: unknown; c?: unknown; h?: unknown; b?: unknown };
  if (value.v !== 1 || typeof value.c !== 'string' || typeof value.h !== 'string' || typeof value.b !== 'string') throw new Error('malformed nonce record');
  return { commitment: decodePublishedCommitment(hexToBytes(value.c)), hiding: hexToBytes(value.h), binding: hexToBytes(value.b) };
}

export function nonceRecordId(commitmentId: string): string {
  return `nonce.${commitmentId}`;
}
