import * as fs from 'node:fs';
import * as path from 'node:path';
import { status } from '@grpc/grpc-js';
import { google } from '@custody/proto';
import { ApiError, preview } from './api-error';
import { grpcStatusDetails, problemOf } from './error.filter';
import { ERROR_TABLE, errorReason, renderGatewayErrorTable, type ErrorCode } from './error-table';

describe('the gateway error table', () => {
  it('is the table in the README', () => {
    const readme = fs.readFileSync(path.join(__dirname, '../../../../README.md'), 'utf8');
    expect(readme).toContain(renderGatewayErrorTable());
  });

  it('answers 401 exactly with UNAUTHENTICATED and 403 with PERMISSION_DENIED, and bad input never with 5xx', () => {
    for (const [code, entry] of Object.entries(ERROR_TABLE)) {
      expect([code, entry.http === 401]).toEqual([code, entry.grpc === status.UNAUTHENTICATED]);
      expect([code, entry.http === 403]).toEqual([code, entry.grpc === status.PERMISSION_DENIED]);
      if (entry.http >= 500) expect(['not-implemented', 'unavailable', 'internal']).toContain(code);
    }
  });

  it('renders problem+json with type, title, status, detail, code and request id', () => {
    expect(problemOf(new ApiError('unknown-field', 'unknown field "x"'), 'rid')).toEqual({
      type: 'urn:custody:problem:unknown-field',
      title: ERROR_TABLE['unknown-field'].title,
      status: 400,
      detail: 'unknown field "x"',
      code: 'unknown-field',
      requestId: 'rid',
    });
  });

  it('encodes google.rpc.Status with one ErrorInfo for every code', () => {
    for (const code of Object.keys(ERROR_TABLE) as ErrorCode[]) {
      const decoded = google.rpc.Status.decode(grpcStatusDetails(code, 'why', 'rid'));
      expect(decoded.code).toBe(ERROR_TABLE[code].grpc);
      expect(decoded.message).toBe('why');
      const info = google.rpc.ErrorInfo.decode(decoded.details[0]!.value!);
      expect(info.reason).toBe(errorReason(code));
      expect(info.reason).toMatch(/^[A-Z][A-Z0-9_]{0,62}$/);
      expect(info.metadata).toEqual({ code, requestId: 'rid' });
    }
  });

  it('never carries a long input in full', () => {
    expect(new ApiError('invalid-argument', 'x'.repeat(5000)).message.length).toBeLessThanOrEqual(513);
    expect(preview('y'.repeat(1000))).toBe(`"${'y'.repeat(32)}"… (1000 characters)`);
  });
});
