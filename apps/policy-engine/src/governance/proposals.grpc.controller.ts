import { Controller, Inject, Injectable, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { POSTGRES } from '@custody/platform';
import type { DataSource } from 'typeorm';
import { PolicyErrorsFilter } from '../api/policy-errors.filter';
import { proposalMessage } from '../api/policy.grpc.controller';
import { decoded } from '../api/request-decoding';
import { InvalidArgument } from '../errors';
import { autocommit, type Sql } from '../storage/transaction';
import { GovernanceService } from './governance.service';

const MAX_PROPOSALS = 1000;

/** SQL of the proposals list: ids, newest first. */
@Injectable()
export class ProposalsListRepository {
  private readonly sql: Sql;

  constructor(@Inject(POSTGRES) dataSource: DataSource) {
    this.sql = autocommit(dataSource);
  }

  async ids(status: 'open' | 'activated' | undefined): Promise<string[]> {
    const rows = await this.sql<{ proposal_id: string }>(
      `SELECT proposal_id FROM policy.proposals WHERE $1::text IS NULL OR status = $1 ORDER BY created_at DESC, proposal_id DESC LIMIT ${MAX_PROPOSALS}`,
      [status ?? null],
    );
    return rows.map((r) => r.proposal_id);
  }
}

/** custody.policy.v1.PolicyService/ListProposals: thin. */
@Controller()
@UseFilters(PolicyErrorsFilter)
export class ProposalsGrpcController {
  constructor(
    private readonly list: ProposalsListRepository,
    private readonly governance: GovernanceService,
  ) {}

  @GrpcMethod('PolicyService', 'ListProposals')
  async listProposals(raw: { status?: string }) {
    const r = decoded(raw);
    const status = r.status || undefined;
    if (status !== undefined && status !== 'open' && status !== 'activated') throw new InvalidArgument('status', 'must be "open", "activated" or empty');
    const proposals = [];
    for (const id of await this.list.ids(status)) proposals.push(proposalMessage(await this.governance.view(id)));
    return { proposals };
  }
}
