/**
 * @custody/transparency-log: RFC 9162 Merkle trees and the C2SP transparency-log formats
 * (signed-note, tlog-checkpoint, tlog-cosignature cosignature/v1, tlog-proof). Pure: no I/O, no clock.
 */
export { TlogInputError, TlogVerificationError } from './errors';
export { decodeBase64Strict, encodeBase64 } from './encoding';
export {
  HASH_SIZE,
  EMPTY_ROOT,
  hashLeaf,
  hashChildren,
  rangeHash,
  rootHash,
  rootFromLeafHashes,
  memoryAccessor,
  inclusionProof,
  consistencyProof,
  rootFromInclusionProof,
  verifyInclusion,
  verifyConsistency,
  equalBytes,
  splitPoint,
  type NodeAccessor,
} from './merkle';
export {
  SIG_TYPE_ED25519,
  SIG_TYPE_COSIGNATURE_V1,
  MAX_SIGNATURES,
  keyId,
  keyIdHex,
  parseNote,
  openNote,
  signNote,
  signatureLine,
  addSignatureLines,
  ed25519NoteVerifier,
  ed25519NoteSigner,
  parseVerifierKey,
  formatVerifierKey,
  parseSignerKey,
  formatSignerKey,
  assertKeyName,
  type NoteSignature,
  type ParsedNote,
  type NoteVerifier,
  type NoteSigner,
  type OpenedNote,
  type VerifierKey,
} from './note';
export { formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint';
export { COSIGNATURE_HEADER, cosignatureMessage, cosigner, cosignatureVerifier, cosignatureTimestamp, type Cosigner } from './cosignature';
export { TLOG_PROOF_HEADER, formatTlogProof, parseTlogProof, verifyTlogProof, type TlogProof, type VerifiedTlogProof } from './tlog-proof';
export { verifierFromKey } from './keys';
