import { ConfigError } from './config-error';
import { parseServiceConfig, redactUrl } from './service-config';

const valid = {
  HTTP_PORT: '8080',
  GRPC_PORT: '50051',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/custody',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

describe('parseServiceConfig', () => {
  it('parses a complete environment with defaults', () => {
    const config = parseServiceConfig(valid, 'ledger');
    expect(config.httpPort).toBe(8080);
    expect(config.host).toBe('127.0.0.1');
    expect(config.logLevel).toBe('info');
    expect(config.otlpEndpoint).toBeUndefined();
    expect(config.databaseUrl.hostname).toBe('127.0.0.1');
  });

  it.each([
    [{ DATABASE_URL: undefined }, 'DATABASE_URL is required'],
    [{ DATABASE_URL: 'mysql://x/y' }, 'DATABASE_URL must use postgres://'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL is not a valid URL'],
    [{ REDIS_URL: '' }, 'REDIS_URL is required'],
    [{ HTTP_PORT: 'eighty' }, 'HTTP_PORT must be an integer'],
    [{ GRPC_PORT: '70000' }, 'GRPC_PORT must be between 1 and 65535'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector' }, 'OTEL_EXPORTER_OTLP_ENDPOINT must use http://'],
  ])('rejects %j naming the variable', (override, message) => {
    const env = { ...valid, ...override };
    expect(() => parseServiceConfig(env, 'ledger')).toThrow(ConfigError);
    expect(() => parseServiceConfig(env, 'ledger')).toThrow(message);
  });

  it('never prints a password', () => {
    expect(redactUrl(new URL('postgres://u:secret@h/db'))).toBe('postgres://u:***@h/db');
    expect(() => parseServiceConfig({ ...valid, DATABASE_URL: 'mysql://u:secret@h/db' }, 'x')).not.toThrow(/secret/);
  });
});
