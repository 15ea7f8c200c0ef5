import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { ApiError } from '../errors/api-error';
import { pageSizeOf, queryParams } from '../http/query';
import { AUDIT_RECORD_VIEWS, AuditService, MAX_AUDIT_PAGE, recordIndexOf, type AuditCheckpointView, type AuditRecordPage, type AuditRecordProofView } from './audit.service';

/** REST `/v1/audit/…`: the auditor's API (role `auditor` only; no other role reads the log). */
@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('records')
  @Roles('auditor')
  @ApiOperation({
    operationId: 'ListAuditRecords',
    summary: 'Records in log order; filters type, wallet, client, request_id, start_time, end_time (RFC 3339), start_index, end_index. view=full: each record with its inclusion proof against one checkpoint (tree_size, default the latest), returned once as `checkpoint`',
  })
  @ApiQuery({ name: 'type', required: false, description: 'a record type' })
  @ApiQuery({ name: 'wallet', required: false })
  @ApiQuery({ name: 'client', required: false, description: 'the acting API client (or approver, service)' })
  @ApiQuery({ name: 'request_id', required: false })
  @ApiQuery({ name: 'start_time', required: false, description: 'RFC 3339, inclusive' })
  @ApiQuery({ name: 'end_time', required: false, description: 'RFC 3339, exclusive' })
  @ApiQuery({ name: 'start_index', required: false, description: 'records at or after this index (0: no bound)', schema: { type: 'string', pattern: '^[0-9]{1,15}$' } })
  @ApiQuery({ name: 'end_index', required: false, description: 'records before this index (0: no bound); above start_index', schema: { type: 'string', pattern: '^[0-9]{1,15}$' } })
  @ApiQuery({ name: 'view', required: false, enum: [...AUDIT_RECORD_VIEWS], description: 'basic (default) or full: each record with `inclusionProof` (RFC 9162, base64) in the tree of the response’s `checkpoint`; empty for a record at or beyond its size' })
  @ApiQuery({ name: 'tree_size', required: false, description: 'view=full: the size of the checkpoint to prove against (a checkpointed size; default the latest; else 404 not-found)', schema: { type: 'string', pattern: '^[0-9]{1,15}$' } })
  @ApiQuery({ name: 'page_size', required: false, description: `1..${MAX_AUDIT_PAGE} (default 50), with either view` })
  @ApiQuery({ name: 'page_token', required: false })
  list(@Query() query: Record<string, unknown>): Promise<AuditRecordPage> {
    const q = queryParams(query, ['type', 'wallet', 'client', 'request_id', 'start_time', 'end_time', 'start_index', 'end_index', 'view', 'tree_size']);
    return this.audit.list(
      { type: q['type'], wallet: q['wallet'], client: q['client'], requestId: q['request_id'], startTime: q['start_time'], endTime: q['end_time'], startIndex: q['start_index'], endIndex: q['end_index'] },
      pageSizeOf(q['page_size'], MAX_AUDIT_PAGE),
      q['page_token'] ?? '',
      { view: q['view'], treeSize: q['tree_size'] },
    );
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
