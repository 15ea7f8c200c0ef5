import { ConfigError } from './config-error';
import { EnvReader } from './env-parser';

describe('EnvReader: a variable set but empty', () => {
  it('is an error for a URL with a default, never the default (DATABASE_URL=\'\')', () => {
    const read = new EnvReader({ DATABASE_URL: '' });
    expect(() => read.url('DATABASE_URL', ['postgres'], 'postgres://127.0.0.1/custody')).toThrow(ConfigError);
    expect(() => read.url('DATABASE_URL', ['postgres'], 'postgres://127.0.0.1/custody')).toThrow('DATABASE_URL is set but empty');
    expect(() => new EnvReader({ DATABASE_URL: '  ' }).url('DATABASE_URL', ['postgres'], 'postgres://127.0.0.1/custody')).toThrow('DATABASE_URL is set but empty');
  });

  it('is an error for the other readers with a default', () => {
    const read = new EnvReader({ LOG_LEVEL: '', PORT: '', HOST: '', J: '' });
    expect(() => read.oneOf('LOG_LEVEL', ['info', 'warn'], 'info')).toThrow('LOG_LEVEL is set but empty');
    expect(() => read.integer('PORT', { min: 1, max: 2 }, 1)).toThrow('PORT is set but empty');
    expect(() => read.string('HOST', '127.0.0.1')).toThrow('HOST is set but empty');
    expect(() => read.json('J', (v) => v, {})).toThrow('J is set but empty');
  });

  it('says "required but empty" for a required one', () => {
    expect(() => new EnvReader({ REDIS_URL: '' }).url('REDIS_URL', ['redis'])).toThrow('REDIS_URL is required but empty');
  });

  it('is unset for an optional one', () => {
    const read = new EnvReader({ OTEL_EXPORTER_OTLP_ENDPOINT: '', NOTE: '' });
    expect(read.optionalUrl('OTEL_EXPORTER_OTLP_ENDPOINT', ['http'])).toBeUndefined();
    expect(read.optionalString('NOTE')).toBeUndefined();
  });

  it('unset still takes the default', () => {
    expect(new EnvReader({}).url('DATABASE_URL', ['postgres'], 'postgres://127.0.0.1/custody').pathname).toBe('/custody');
  });
});
