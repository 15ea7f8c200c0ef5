/**
 * @custody/audit-log: the audit log's Postgres adapter. Other services call `appendAuditRecord(tx,
 * record)` inside their own transaction; the log's owner runs `AuditLogStore.integrate()` on an
 * interval and on demand, and serves proofs and exports from the stored tree nodes.
 */
export {
  appendAuditRecord,
  appendAuditRecords,
  AuditLogStore,
  AuditLogIntegrityError,
  AuditNotFoundError,
  type SqlExecutor,
  type StoredCheckpoint,
  type AuditRecordRow,
  type RecordFilter,
} from './audit-log.store';
export { DEFAULT_GRANT_HORIZON_MS, MAX_INCLUSION_PROOFS } from './audit-log.store';
export { AuditCheckpointer, type WitnessEndpoint, type CheckpointRound } from './checkpointer';
