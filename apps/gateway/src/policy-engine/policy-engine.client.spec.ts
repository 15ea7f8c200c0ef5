import { status } from '@grpc/grpc-js';
import { ERROR_TABLE } from '../errors/error-table';
import { engineErrorCode } from './policy-engine.client';
import { parsePolicyId, parsePolicyName } from '../policies/policies.service';
import { hexBytes, pageSizeOf, queryParams, timeOf } from '../http/query';

describe('policy-engine errors through the gateway error table', () => {
  it('maps every refusal of the engine to a 4xx / 503 of ours, and only the unexpected to internal', () => {
    const expected: Record<number, string> = {
      [status.INVALID_ARGUMENT]: 'invalid-argument',
      [status.NOT_FOUND]: 'not-found',
      [status.ALREADY_EXISTS]: 'already-exists',
      [status.FAILED_PRECONDITION]: 'failed-precondition',
      [status.PERMISSION_DENIED]: 'policy-refused',
      [status.UNAVAILABLE]: 'unavailable',
      [status.DEADLINE_EXCEEDED]: 'unavailable',
      [status.RESOURCE_EXHAUSTED]: 'unavailable',
    };
    for (const code of Object.values(status).filter((v): v is number => typeof v === 'number')) {
      const ours = engineErrorCode(code);
      expect({ code, ours }).toEqual({ code, ours: expected[code] ?? 'internal' });
      // Never a 500 for what the engine refused.
      if (ours !== 'internal') expect(ERROR_TABLE[ours].http === 503 || ERROR_TABLE[ours].http < 500).toBe(true);
    }
  });
});

describe('policy names and query inputs', () => {
  it('reads versions, the active one, drafts and proposals; refuses anything else naming the field', () => {
    expect(parsePolicyId('v12')).toEqual({ kind: 'version', version: 12 });
    expect(parsePolicyId('active')).toEqual({ kind: 'version', version: 0 });
    expect(parsePolicyId('-')).toEqual({ kind: 'draft' });
    expect(parsePolicyId('p-1')).toEqual({ kind: 'proposal', proposalId: 'p-1' });
    expect(() => parsePolicyId('v0x')).not.toThrow();
    expect(() => parsePolicyId('bad id')).toThrow(/policyId/);
    expect(() => parsePolicyName('versions/1')).toThrow(/name .* must be policies\/\{policy_id\}/);
  });

  it('refuses unknown or repeated query parameters, bad page sizes, times and hex', () => {
    expect(queryParams({ page_size: '5', tag: 'x' }, ['tag'])).toEqual({ page_size: '5', tag: 'x' });
    expect(() => queryParams({ colour: 'red' }, [])).toThrow(/unknown query parameter "colour"/);
    expect(() => queryParams({ tag: ['a', 'b'] }, ['tag'])).toThrow(/tag must be given once/);
    expect(pageSizeOf('100')).toBe(100);
    expect(() => pageSizeOf('101')).toThrow(/page_size/);
    expect(() => pageSizeOf('-1')).toThrow(/page_size/);
    expect(timeOf('2026-12-02T17:00:00Z', 'start_time')).toBe(Date.UTC(2026, 11, 2, 17));
    expect(() => timeOf('yesterday', 'start_time')).toThrow(/start_time/);
    expect(hexBytes('ab'.repeat(64), 'signature', 64)).toHaveLength(64);
    expect(() => hexBytes('ab', 'signature', 64)).toThrow(/signature must be 64 bytes/);
  });
});
