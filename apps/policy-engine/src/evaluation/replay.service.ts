import { Injectable } from '@nestjs/common';
import { replay, velocityScopesFor, type CompiledPolicy, type HistoricalRequest, type ReplayReport } from '@custody/policy-core';
import { AddressBookRepository } from '../address-book/address-book.repository';
import { InvalidArgument } from '../errors';
import { GovernanceRepository } from '../governance/governance.repository';
import { registeredKeys } from '@custody/policy-core';
import { storedDecisionSummary } from './evaluation-record';
import { requestFromJson } from './request-input';
import { RequestsRepository } from './requests.repository';

export const REPLAY_DEFAULT_LIMIT = 1000;

/**
 * Replay: a draft (a stored version or a document) evaluated over the stored requests of a time
 * range, each with the velocity usage it saw (reservations live at its evaluation time, from
 * Postgres) and today's address book; reports every request whose verdict would change.
 */
@Injectable()
export class ReplayService {
  constructor(
    private readonly requests: RequestsRepository,
    private readonly addressBook: AddressBookRepository,
    private readonly governance: GovernanceRepository,
  ) {}

  async replay(draft: CompiledPolicy, from: number, to: number, limit: number, maxRequests: number): Promise<ReplayReport> {
    if (!Number.isSafeInteger(from) || from < 0) throw new InvalidArgument('from_time', 'must be milliseconds since the epoch');
    if (!Number.isSafeInteger(to) || to <= from) throw new InvalidArgument('to_time', 'must be after from_time');
    const cap = limit === 0 ? Math.min(REPLAY_DEFAULT_LIMIT, maxRequests) : limit;
    if (!Number.isInteger(cap) || cap < 1 || cap > maxRequests) throw new InvalidArgument('limit', `must be 1..${maxRequests}`);
    const approvers = registeredKeys((await this.governance.governance()).document);
    const history: HistoricalRequest[] = [];
    for (const stored of await this.requests.requestsBetween(from, to, cap)) {
      const evaluation = await this.requests.latestEvaluation(stored.requestId);
      if (!evaluation) continue;
      const request = requestFromJson(stored.body);
      const entries = request.destination ? await this.addressBook.entriesFor(request.destination.chainId, request.destination.address) : [];
      const scopes = velocityScopesFor(draft, request, entries);
      const usage = await this.requests.usageAt(scopes.map((s) => ({ key: s.key, windowMs: s.windowMs })), stored.createdAtMs, stored.requestId);
      history.push({
        request,
        context: { now: stored.createdAtMs, addressBook: entries, velocityUsage: usage, approvals: [], approvers },
        decision: storedDecisionSummary(evaluation.decision),
      });
    }
    return replay(draft, history);
  }
}
