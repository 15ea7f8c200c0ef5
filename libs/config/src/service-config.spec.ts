import { ConfigError } from './config-error';
import { defaultMetricsPort, parseServiceConfig, redactUrl } from './service-config';

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
    [{ METRICS_PORT: 'ninety' }, 'METRICS_PORT must be an integer'],
    [{ METRICS_PORT: '65536' }, 'METRICS_PORT must be between 0 and 65535'],
    [{ METRICS_PORT: '-1' }, 'METRICS_PORT must be between 0 and 65535'],
    [{ METRICS_PORT: '9464.5' }, 'METRICS_PORT must be an integer'],
    [{ METRICS_PORT: '' }, 'METRICS_PORT is set but empty'],
    [{ METRICS_PORT: '8080' }, 'METRICS_PORT must differ from HTTP_PORT and GRPC_PORT (8080 is the HTTP port)'],
    [{ METRICS_PORT: '50051' }, 'METRICS_PORT must differ from HTTP_PORT and GRPC_PORT (50051 is the gRPC port)'],
    [{ GRPC_PORT: '8080' }, 'GRPC_PORT must differ from HTTP_PORT'],
  ])('rejects %j naming the variable', (override, message) => {
    const env = { ...valid, ...override };
    expect(() => parseServiceConfig(env, 'ledger')).toThrow(ConfigError);
    expect(() => parseServiceConfig(env, 'ledger')).toThrow(message);
  });

  describe('METRICS_PORT', () => {
    it('is the port given, its own', () => {
      expect(parseServiceConfig({ ...valid, METRICS_PORT: '9999' }, 'ledger').metricsPort).toBe(9999);
    });

    it('unset: a documented default per service, distinct on one machine', () => {
      const names = ['gateway', 'policy-engine', 'ledger', 'chain-indexer', 'signer-1', 'signer-2', 'signer-255'];
      expect(names.map((n) => parseServiceConfig(valid, n).metricsPort)).toEqual([9464, 9465, 9466, 9467, 9501, 9502, 9755]);
    });

    it('0: no metrics server at all', () => {
      expect(parseServiceConfig({ ...valid, METRICS_PORT: '0' }, 'gateway').metricsPort).toBeUndefined();
    });

    it('has no default for a service it does not know: then it is required', () => {
      expect(defaultMetricsPort('signer-0')).toBeUndefined();
      expect(defaultMetricsPort('signer-256')).toBeUndefined();
      expect(defaultMetricsPort('toString')).toBeUndefined();
      expect(() => parseServiceConfig(valid, 'reporting')).toThrow('METRICS_PORT is required but not set');
      expect(parseServiceConfig({ ...valid, METRICS_PORT: '9100' }, 'reporting').metricsPort).toBe(9100);
    });
  });

  it('never prints a password', () => {
    expect(redactUrl(new URL('postgres://u:secret@h/db'))).toBe('postgres://u:***@h/db');
    expect(() => parseServiceConfig({ ...valid, DATABASE_URL: 'mysql://u:secret@h/db' }, 'x')).not.toThrow(/secret/);
  });
});
