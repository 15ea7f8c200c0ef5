import { StartupCheckFailed } from '@custody/platform';
import { parseBootstrapFile } from '../auth/bootstrap';
import { pageQuery } from '../clients/clients.controller';
import { parseClientName } from '../clients/clients.service';
import { ApiError } from '../errors/api-error';
import { parseIdempotencyKey } from '../idempotency/idempotency.interceptor';

function code(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    if (error instanceof StartupCheckFailed) return 'startup';
    throw error;
  }
  return 'ok';
}

describe('gateway input grammars', () => {
  it('Idempotency-Key: a structured-field string or a token, nothing else', () => {
    expect(parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(parseIdempotencyKey('abc.DEF_1:2-3')).toBe('abc.DEF_1:2-3');
    expect(parseIdempotencyKey('"with space"')).toBe('with space');
    expect(code(() => parseIdempotencyKey(undefined))).toBe('idempotency-key-missing');
    expect(code(() => parseIdempotencyKey(''))).toBe('idempotency-key-missing');
    expect(code(() => parseIdempotencyKey('""'))).toBe('invalid-argument');
    expect(code(() => parseIdempotencyKey('a b'))).toBe('invalid-argument');
    expect(code(() => parseIdempotencyKey('"a\\"b"'))).toBe('invalid-argument');
    expect(code(() => parseIdempotencyKey('k'.repeat(256)))).toBe('invalid-argument');
  });

  it('list query: page_size 0..100 as digits, page_token once, no other parameter', () => {
    expect(pageQuery({})).toEqual({ pageSize: 0, pageToken: '' });
    expect(pageQuery({ page_size: '10', page_token: 'abc' })).toEqual({ pageSize: 10, pageToken: 'abc' });
    expect(code(() => pageQuery({ page_size: '-1' }))).toBe('invalid-argument');
    expect(code(() => pageQuery({ page_size: '1e3' }))).toBe('invalid-argument');
    expect(code(() => pageQuery({ page_token: ['a', 'b'] }))).toBe('invalid-argument');
    expect(code(() => pageQuery({ limit: '5' }))).toBe('unknown-field');
  });

  it('resource names: clients/{client_id}', () => {
    expect(parseClientName('clients/abc')).toBe('abc');
    expect(code(() => parseClientName('abc'))).toBe('invalid-argument');
    expect(code(() => parseClientName('clients/'))).toBe('invalid-argument');
    expect(code(() => parseClientName('clients/a/b'))).toBe('invalid-argument');
  });

  it('bootstrap file: {clientId, publicKey} exactly', () => {
    const key = 'ab'.repeat(32);
    expect(parseBootstrapFile(JSON.stringify({ clientId: 'admin', publicKey: key }))).toEqual({ clientId: 'admin', publicKey: key });
    expect(code(() => parseBootstrapFile('{'))).toBe('startup');
    expect(code(() => parseBootstrapFile('[]'))).toBe('startup');
    expect(code(() => parseBootstrapFile(JSON.stringify({ clientId: 'admin', publicKey: key, roles: ['admin'] })))).toBe('startup');
    expect(code(() => parseBootstrapFile(JSON.stringify({ clientId: 'a b', publicKey: key })))).toBe('startup');
    expect(code(() => parseBootstrapFile(JSON.stringify({ clientId: 'admin', publicKey: key.toUpperCase() })))).toBe('startup');
  });
});
