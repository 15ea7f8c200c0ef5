import { cosignatureVerifier } from './cosignature';
import { SIG_TYPE_ED25519, ed25519NoteVerifier, parseVerifierKey, type NoteVerifier } from './note';

/** A NoteVerifier from a vkey string: type 0x01 → Ed25519 note signature, 0x04 → cosignature/v1. */
export function verifierFromKey(vkey: string): NoteVerifier {
  const k = parseVerifierKey(vkey);
  return k.sigType === SIG_TYPE_ED25519 ? ed25519NoteVerifier(k.name, k.publicKey) : cosignatureVerifier(k.name, k.publicKey);
}
