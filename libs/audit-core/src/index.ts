/**
 * @custody/audit-core: the audit log's records (canonical encoding, leaf hashes), its export file and
 * the offline verification behind `custody audit verify`. Pure: no I/O, no clock.
 */
export { AuditInputError } from './errors';
export {
  AUDIT_RECORD_TYPES,
  IDENT,
  MAX_RECORD_BYTES,
  validateRecord,
  canonicalJson,
  encodeRecord,
  decodeRecord,
  recordLeafHash,
  type AuditRecord,
  type AuditRecordType,
  type AuditValue,
} from './record';
export { EXPORT_FORMAT, formatExport, parseExport, type AuditExport } from './export-file';
export { checkSignedRequestChains, type SignGrantBody, type SigningSessionBody, type SignatureVerifier, type ChainKeys, type ChainResult } from './chain';
export { verifyExport, type VerifyExportOptions, type VerifyExportReport } from './verify';
export { witnessCheck, grantRecord, grantLeafHash, type WitnessState, type WitnessRequest, type WitnessDecision, type WitnessEvidence, type SignedGrantRef } from './witness';
