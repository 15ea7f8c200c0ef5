import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { custody } from '@custody/proto';
import { Roles } from '../auth/roles.decorator';
import { AuditService, parseRecordName, type AuditCheckpointView, type AuditRecordPage, type AuditRecordProofView } from './audit.service';

/** 64-bit fields arrive as numbers or Long objects from the generated decoder; as a decimal string. */
function u64(value: unknown): string {
  return value === undefined || value === null ? '' : String(value as string | number);
}

/** gRPC `custody.v1.AuditService`: the same service as REST `/v1/audit/…` (role `auditor` only). */
@Controller()
export class AuditGrpcController {
  constructor(private readonly audit: AuditService) {}

  @GrpcMethod('AuditService', 'ListAuditRecords')
  @Roles('auditor')
  list(r: custody.v1.IListAuditRecordsRequest): Promise<AuditRecordPage> {
    return this.audit.list(
      { type: r.type ?? '', wallet: r.wallet ?? '', client: r.client ?? '', requestId: r.requestId ?? '', startTime: r.startTime ?? '', endTime: r.endTime ?? '', startIndex: u64(r.startIndex), endIndex: u64(r.endIndex) },
      r.pageSize ?? 0,
      r.pageToken ?? '',
      { view: r.view ?? '', treeSize: u64(r.treeSize) },
    );
  }

  @GrpcMethod('AuditService', 'GetAuditRecord')
  @Roles('auditor')
  get(r: custody.v1.IGetAuditRecordRequest): Promise<AuditRecordProofView> {
    return this.audit.get(parseRecordName(r.name ?? ''));
  }

  @GrpcMethod('AuditService', 'GetLatestCheckpoint')
  @Roles('auditor')
  checkpoint(): Promise<AuditCheckpointView> {
    return this.audit.latestCheckpoint();
  }

  @GrpcMethod('AuditService', 'GetConsistencyProof')
  @Roles('auditor')
  consistency(r: custody.v1.IGetConsistencyProofRequest) {
    return this.audit.consistency(u64(r.firstSize), u64(r.secondSize));
  }

  @GrpcMethod('AuditService', 'ExportAuditLog')
  @Roles('auditor')
  export(r: custody.v1.IExportAuditLogRequest) {
    return this.audit.export(u64(r.size));
  }

  @GrpcMethod('AuditService', 'GetProofBundle')
  @Roles('auditor')
  bundle(r: custody.v1.IGetProofBundleRequest) {
    return this.audit.bundle(r.subject ?? '');
  }
}
