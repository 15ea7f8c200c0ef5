import * as fs from 'node:fs';
import * as path from 'node:path';
import { status } from '@grpc/grpc-js';
import { PolicyInputError, PolicyValidationError } from '@custody/policy-core';
import { SignGrantInputError } from '@custody/sign-grant';
import { AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied } from '../errors';
import { renderPolicyErrorTable } from './policy-error-table';
import { toGrpcError } from './policy-errors.filter';

describe('the policy engine error table', () => {
  it.each<[unknown, status]>([
    [new InvalidArgument('request.amount', 'bad'), status.INVALID_ARGUMENT],
    [new PolicyInputError('request.id', 'bad'), status.INVALID_ARGUMENT],
    [new SignGrantInputError('grant', 'bad'), status.INVALID_ARGUMENT],
    [new PolicyValidationError([{ path: '/rules/3/condition', message: 'syntax error at 7' }]), status.INVALID_ARGUMENT],
    [new NotFound('request', 'r1'), status.NOT_FOUND],
    [new AlreadyExists('request', 'r1'), status.ALREADY_EXISTS],
    [new FailedPrecondition('no quorum'), status.FAILED_PRECONDITION],
    [new PermissionDenied('not an admin'), status.PERMISSION_DENIED],
    [new Error('a bug with a secret in it'), status.INTERNAL],
  ])('%s → %s', (error, code) => {
    const mapped = toGrpcError(error);
    expect(mapped.code).toBe(code);
    if (code === status.INTERNAL) expect(mapped.message).toBe('internal error');
  });

  it('names the JSON path of every document problem, bounded', () => {
    const issues = Array.from({ length: 50 }, (_, i) => ({ path: `/rules/${i}/condition`, message: 'x'.repeat(100) }));
    const mapped = toGrpcError(new PolicyValidationError(issues));
    expect(mapped.message).toContain('/rules/0/condition');
    expect(mapped.message.length).toBeLessThanOrEqual(1024);
  });

  it('is the table the README shows', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(renderPolicyErrorTable());
  });

  it('never echoes a long id in full', () => {
    expect(new NotFound('request', 'x'.repeat(10_000)).message.length).toBeLessThan(120);
  });
});
