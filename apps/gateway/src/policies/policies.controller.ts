import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { JSONSchemaType } from 'ajv';
import type { ApiClient } from '../auth/api-client';
import { Roles } from '../auth/roles.decorator';
import { bodySchema, parseBody, type BodySchema } from '../http/validate';
import { pageSizeOf, queryParams } from '../http/query';
import { required } from '../policy-engine/caller';
import { CurrentClient } from '../system/current-client.decorator';
import { parsePolicyId, PoliciesService, type PolicyPage, type PolicyReportView, type PolicyView } from './policies.service';

/** A body schema whose optional properties Ajv's JSONSchemaType would otherwise want as nullable. */
export function schema<T>(s: object): BodySchema<T> {
  return bodySchema<T>(s as unknown as JSONSchemaType<T>);
}

const DOC = { type: 'string', maxLength: 1024 * 1024 };
const PROPOSE = schema<{ document: string; policyId?: string }>({ type: 'object', additionalProperties: false, required: ['document'], properties: { document: DOC, policyId: { type: 'string', maxLength: 128 } } });
const APPROVE = schema<{ decision?: string; signature: string }>({ type: 'object', additionalProperties: false, required: ['signature'], properties: { decision: { type: 'string', maxLength: 16 }, signature: { type: 'string', maxLength: 128 } } });
const EMPTY = schema<Record<string, never>>({ type: 'object', additionalProperties: false, properties: {} });
const DIFF = schema<{ other?: string }>({ type: 'object', additionalProperties: false, properties: { other: { type: 'string', maxLength: 140 } } });
const LINT = schema<{ document?: string }>({ type: 'object', additionalProperties: false, properties: { document: DOC } });
const DRY_RUN = schema<{ request: string; document?: string }>({ type: 'object', additionalProperties: false, required: ['request'], properties: { request: { type: 'string', maxLength: 64 * 1024 }, document: DOC } });
const REPLAY = schema<{ startTime?: string; endTime?: string; limit?: number; document?: string }>({
  type: 'object',
  additionalProperties: false,
  properties: { startTime: { type: 'string', maxLength: 40 }, endTime: { type: 'string', maxLength: 40 }, limit: { type: 'integer', minimum: 0, maximum: 10000 }, document: DOC },
});

/** POST bodies may be empty where every field is optional. */
function orEmpty(body: unknown): unknown {
  return body === undefined ? {} : body;
}

/** REST `/v1/policies`: proposals and versions (see PoliciesService). `:policyId` is `v<n>`, `active`, `-` (a draft) or a proposal id. */
@ApiTags('policies')
@Controller('v1/policies')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Post()
  @Roles('compliance-admin')
  @ApiOperation({ operationId: 'ProposePolicy', summary: 'Propose a policy document; the caller must be a current admin of the policy engine (compliance-admin)' })
  @ApiBody({ schema: PROPOSE.schema as object })
  propose(@CurrentClient() client: ApiClient | undefined, @Body() body: unknown): Promise<PolicyView> {
    return this.policies.propose(required(client), parseBody(body, PROPOSE));
  }

  @Post(':policyId/approve')
  @HttpCode(200)
  @Roles('compliance-admin', 'admin')
  @ApiOperation({ operationId: 'ApprovePolicy', summary: "Approve or reject a proposal with the admin's Ed25519 signature over its approve_message / reject_message" })
  @ApiBody({ schema: APPROVE.schema as object })
  approve(@CurrentClient() client: ApiClient | undefined, @Param('policyId') policyId: string, @Body() body: unknown): Promise<PolicyView> {
    return this.policies.approve(required(client), parsePolicyId(policyId), parseBody(body, APPROVE));
  }

  @Post(':policyId/activate')
  @HttpCode(200)
  @Roles('compliance-admin', 'admin')
  @ApiOperation({ operationId: 'ActivatePolicy', summary: 'Activate a proposal that has its admin quorum' })
  @ApiBody({ schema: EMPTY.schema as object })
  activate(@Param('policyId') policyId: string, @Body() body: unknown): Promise<PolicyView> {
    parseBody(orEmpty(body), EMPTY);
    return this.policies.activate(parsePolicyId(policyId));
  }

  @Get(':policyId')
  @Roles('compliance-admin', 'auditor', 'admin', 'approver')
  @ApiOperation({ operationId: 'GetPolicy', summary: 'A version (v<n>, active) or a proposal' })
  get(@Param('policyId') policyId: string): Promise<PolicyView> {
    return this.policies.get(parsePolicyId(policyId));
  }

  @Get()
  @Roles('compliance-admin', 'auditor', 'admin', 'approver')
  @ApiOperation({ operationId: 'ListPolicies', summary: 'Stored policy versions, newest first (kind=proposal: proposals, state=open|activated)' })
  list(@Query() query: Record<string, unknown>): Promise<PolicyPage> {
    const q = queryParams(query, ['kind', 'state']);
    return this.policies.list(pageSizeOf(q['page_size']), q['page_token'] ?? '', q['kind'] ?? '', q['state'] ?? '');
  }

  @Post(':policyId/diff')
  @HttpCode(200)
  @Roles('compliance-admin', 'auditor', 'admin', 'approver')
  @ApiOperation({ operationId: 'DiffPolicy', summary: 'The changes from `other` (a version; default a proposal’s base, or the active version) to this policy' })
  @ApiBody({ schema: DIFF.schema as object })
  diff(@Param('policyId') policyId: string, @Body() body: unknown): Promise<PolicyReportView> {
    const b = parseBody(orEmpty(body), DIFF);
    return this.policies.diff(parsePolicyId(policyId), b.other ? parsePolicyId(b.other.replace(/^policies\//, ''), 'other') : undefined);
  }

  @Post(':policyId/lint')
  @HttpCode(200)
  @Roles('compliance-admin', 'auditor', 'admin', 'approver')
  @ApiOperation({ operationId: 'LintPolicy', summary: 'Lint a policy (or a draft document with policy "-")' })
  @ApiBody({ schema: LINT.schema as object })
  lint(@Param('policyId') policyId: string, @Body() body: unknown): Promise<PolicyReportView> {
    return this.policies.lint(parsePolicyId(policyId), parseBody(orEmpty(body), LINT).document);
  }

  @Post(':policyId/dry-run')
  @HttpCode(200)
  @Roles('compliance-admin', 'auditor', 'admin', 'approver')
  @ApiOperation({ operationId: 'DryRunPolicy', summary: 'Evaluate a hypothetical request (JSON) under this policy; nothing is stored' })
  @ApiBody({ schema: DRY_RUN.schema as object })
  dryRun(@Param('policyId') policyId: string, @Body() body: unknown): Promise<PolicyReportView> {
    const b = parseBody(body, DRY_RUN);
    return this.policies.dryRun(parsePolicyId(policyId), b.request, b.document);
  }

  @Post(':policyId/replay')
  @HttpCode(200)
  @Roles('compliance-admin', 'auditor', 'admin', 'approver')
  @ApiOperation({ operationId: 'ReplayPolicy', summary: 'Replay stored requests of a time range under this policy; lists the requests whose verdict would change' })
  @ApiBody({ schema: REPLAY.schema as object })
  replay(@Param('policyId') policyId: string, @Body() body: unknown): Promise<PolicyReportView> {
    return this.policies.replay(parsePolicyId(policyId), parseBody(orEmpty(body), REPLAY), Date.now());
  }
}
