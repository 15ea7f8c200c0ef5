import { ed25519 } from '@noble/curves/ed25519.js';
import { TlogInputError } from './errors';
import { concatBytes, utf8 } from './encoding';
import { SIG_TYPE_COSIGNATURE_V1, assertEd25519PublicKey, assertKeyName, assertNoteText, keyId, safeVerify, signatureLine, type NoteVerifier } from './note';

/**
 * C2SP tlog-cosignature, Ed25519 `cosignature/v1` (https://c2sp.org/tlog-cosignature): a note
 * signature whose bytes are `u64 timestamp (big-endian) || Ed25519 signature` over
 * `cosignature/v1\ntime <timestamp>\n<checkpoint text>`; key id type byte 0x04.
 */
export const COSIGNATURE_HEADER = 'cosignature/v1';
export const MAX_TIMESTAMP = (1n << 63n) - 1n;

/** The message a cosigner signs. `timestamp` in POSIX seconds. */
export function cosignatureMessage(checkpointText: string, timestamp: bigint): Uint8Array {
  assertNoteText('checkpoint', checkpointText);
  assertTimestamp(timestamp);
  return utf8(`${COSIGNATURE_HEADER}\ntime ${timestamp.toString()}\n${checkpointText}`);
}

function assertTimestamp(t: unknown): asserts t is bigint {
  if (typeof t !== 'bigint' || t < 0n || t > MAX_TIMESTAMP) throw new TlogInputError('timestamp', 'must be a bigint in 0..2^63-1');
}

export interface Cosigner {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  /** The signature line (`— name base64(...)\n`) to append to the checkpoint note. */
  cosign(checkpointText: string, timestamp: bigint): string;
}

/** A cosignature/v1 signer from a 32-byte Ed25519 seed. */
export function cosigner(name: string, seed: Uint8Array): Cosigner {
  assertKeyName('name', name);
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new TlogInputError('seed', 'must be 32 bytes');
  const sk = Uint8Array.from(seed);
  const publicKey = ed25519.getPublicKey(sk);
  const id = keyId(name, SIG_TYPE_COSIGNATURE_V1, publicKey);
  return {
    name,
    keyId: id,
    publicKey,
    cosign(checkpointText, timestamp) {
      const sig = ed25519.sign(cosignatureMessage(checkpointText, timestamp), sk);
      const ts = new Uint8Array(8);
      new DataView(ts.buffer).setBigUint64(0, timestamp, false);
      return signatureLine(name, id, concatBytes(ts, sig));
    },
  };
}

/** The timestamp of a cosignature/v1 signature body (key id already stripped), or a TlogInputError. */
export function cosignatureTimestamp(signature: Uint8Array): bigint {
  if (!(signature instanceof Uint8Array) || signature.length !== 72) throw new TlogInputError('cosignature', 'must be 8 + 64 bytes');
  const t = new DataView(signature.buffer, signature.byteOffset, 8).getBigUint64(0, false);
  assertTimestamp(t);
  return t;
}

/** A NoteVerifier for a witness's cosignature/v1 (use it with openNote beside the log's verifier). */
export function cosignatureVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  assertKeyName('name', name);
  assertEd25519PublicKey('publicKey', publicKey);
  const pk = Uint8Array.from(publicKey);
  return {
    name,
    keyId: keyId(name, SIG_TYPE_COSIGNATURE_V1, pk),
    sigType: SIG_TYPE_COSIGNATURE_V1,
    publicKey: pk,
    verify(text, signature) {
      if (signature.length !== 72) return false;
      let t: bigint;
      try {
        t = cosignatureTimestamp(signature);
      } catch {
        return false;
      }
      return safeVerify(signature.subarray(8), cosignatureMessage(text, t), pk);
    },
  };
}
