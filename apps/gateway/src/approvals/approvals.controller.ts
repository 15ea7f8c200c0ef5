import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiClient } from '../auth/api-client';
import { Roles } from '../auth/roles.decorator';
import { parseBody } from '../http/validate';
import { pageSizeOf, queryParams } from '../http/query';
import { schema } from '../policies/policies.controller';
import { required } from '../policy-engine/caller';
import { CurrentClient } from '../system/current-client.decorator';
import { ApprovalsService, type ApprovalPage, type ApprovalView, type DecideInput } from './approvals.service';

const DECIDE = schema<DecideInput>({
  type: 'object',
  additionalProperties: false,
  required: ['signature'],
  properties: { signature: { type: 'string', maxLength: 128 }, grantSignature: { type: 'string', maxLength: 128 }, reason: { type: 'string', maxLength: 512 } },
});

/** REST `/v1/approvals`: what waits for me (the calling approver), approve or reject with my signature. */
@ApiTags('approvals')
@Controller('v1/approvals')
export class ApprovalsController {
  constructor(private readonly approvals: ApprovalsService) {}

  @Get()
  @Roles('approver')
  @ApiOperation({ operationId: 'ListApprovals', summary: 'Requests waiting for the calling approver, oldest first, with their decision trace' })
  list(@CurrentClient() client: ApiClient | undefined, @Query() query: Record<string, unknown>): Promise<ApprovalPage> {
    const q = queryParams(query, []);
    return this.approvals.list(required(client), pageSizeOf(q['page_size']), q['page_token'] ?? '');
  }

  @Post(':approvalId/approve')
  @HttpCode(200)
  @Roles('approver')
  @ApiOperation({ operationId: 'ApproveApproval', summary: "Approve: the approver's Ed25519 signature over approve_message (and grantSignature over grant_digest when the request will be signed)" })
  @ApiBody({ schema: DECIDE.schema as object })
  approve(@CurrentClient() client: ApiClient | undefined, @Param('approvalId') id: string, @Body() body: unknown): Promise<ApprovalView> {
    return this.approvals.decide(required(client), id, 'approve', parseBody(body, DECIDE));
  }

  @Post(':approvalId/reject')
  @HttpCode(200)
  @Roles('approver')
  @ApiOperation({ operationId: 'RejectApproval', summary: "Reject: the approver's Ed25519 signature over reject_message, with a reason" })
  @ApiBody({ schema: DECIDE.schema as object })
  reject(@CurrentClient() client: ApiClient | undefined, @Param('approvalId') id: string, @Body() body: unknown): Promise<ApprovalView> {
    return this.approvals.decide(required(client), id, 'reject', parseBody(body, DECIDE));
  }
}
