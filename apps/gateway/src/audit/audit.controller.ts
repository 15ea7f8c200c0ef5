import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { ApiError } from '../errors/api-error';
import { pageSizeOf, queryParams } from '../http/query';
import { AuditService, recordIndexOf, type AuditCheckpointView, type AuditRecordPage, type AuditRecordProofView } from './audit.service';

/** REST `/v1/audit/…`: the auditor's API (role `auditor` only; no other role reads the log). */
@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('records')
  @Roles('auditor')
  @ApiOperation({ operationId: 'ListAuditRecords', summary: 'Records in log order; filters type, wallet, client, request_id, start_time, end_time (RFC 3339)' })
  list(@Query() query: Record<string, unknown>): Promise<AuditRecordPage> {
    const q = queryParams(query, ['type', 'wallet', 'client', 'request_id', 'start_time', 'end_time']);
    return this.audit.list({ type: q['type'], wallet: q['wallet'], client: q['client'], requestId: q['request_id'], startTime: q['start_time'], endTime: q['end_time'] }, pageSizeOf(q['page_size']), q['page_token'] ?? '');
  }

  @Get('records/:recordIndex')
  @Roles('auditor')
  @ApiOperation({ operationId: 'GetAuditRecord', summary: 'One record with its inclusion proof at the latest checkpoint and the same as a C2SP tlog-proof' })
  get(@Param('recordIndex') index: string): Promise<AuditRecordProofView> {
    return this.audit.get(recordIndexOf(index));
  }

  @Get('checkpoint')
  @Roles('auditor')
  @ApiOperation({ operationId: 'GetLatestCheckpoint', summary: 'The latest checkpoint: a C2SP signed note with the witnesses’ cosignatures' })
  checkpoint(@Query() query: Record<string, unknown>): Promise<AuditCheckpointView> {
    if (Object.keys(query).length > 0) throw new ApiError('unknown-field', 'GetLatestCheckpoint takes no query parameters');
    return this.audit.latestCheckpoint();
  }

  @Get('consistency-proof')
  @Roles('auditor')
  @ApiOperation({ operationId: 'GetConsistencyProof', summary: 'RFC 9162 consistency proof from first_size to second_size (default the latest checkpoint)' })
  consistency(@Query() query: Record<string, unknown>) {
    const q = queryParams(query, ['first_size', 'second_size']);
    if (q['page_size'] !== undefined || q['page_token'] !== undefined) throw new ApiError('unknown-field', 'GetConsistencyProof is not a list');
    return this.audit.consistency(q['first_size'], q['second_size']);
  }

  @Get('export')
  @Roles('auditor')
  @Header('content-type', 'application/jsonl; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="custody-audit-export.jsonl"')
  @ApiProduces('application/jsonl')
  @ApiOperation({ operationId: 'ExportAuditLog', summary: 'The file `custody audit verify` checks: records 0..size-1 and the checkpoint of that size (default the latest)' })
  async export(@Query() query: Record<string, unknown>): Promise<string> {
    const q = queryParams(query, ['size']);
    if (q['page_size'] !== undefined || q['page_token'] !== undefined) throw new ApiError('unknown-field', 'ExportAuditLog is not a list');
    return (await this.audit.export(q['size'])).content;
  }

  @Get('proof-bundle')
  @Roles('auditor')
  @Header('content-disposition', 'attachment; filename="custody-proof-bundle.json"')
  @ApiOperation({ operationId: 'GetProofBundle', summary: 'C2SP tlog-proof bundles (record, inclusion proof, cosigned checkpoint) of every record of a subject: withdrawals/{id}, policies/{id}, requests/{id}, auditRecords/{index}' })
  bundle(@Query() query: Record<string, unknown>) {
    const q = queryParams(query, ['subject']);
    if (q['page_size'] !== undefined || q['page_token'] !== undefined) throw new ApiError('unknown-field', 'GetProofBundle is not a list');
    if (!q['subject']) throw new ApiError('invalid-argument', 'subject is required');
    return this.audit.bundle(q['subject']);
  }
}
