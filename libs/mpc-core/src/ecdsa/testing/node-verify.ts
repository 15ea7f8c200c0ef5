import { type KeyObject, createPublicKey } from 'node:crypto';

/**
 * TEST helper: a compressed secp256k1 public key as a node:crypto KeyObject (SPKI DER: the
 * id-ecPublicKey / secp256k1 algorithm identifier followed by the 33-byte point), so tests can check
 * signatures with `crypto.verify` independently of our code.
 */
export function nodePublicKeyFromCompressed(compressed: Uint8Array): KeyObject {
  const prefix = Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex');
  return createPublicKey({ key: Buffer.concat([prefix, Buffer.from(compressed)]), format: 'der', type: 'spki' });
}
