import { ConfigError } from './config-error';

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Readers of single environment variables. Each throws {@link ConfigError} naming the variable;
 * values of variables marked secret are never included in a message.
 */
export class EnvReader {
  constructor(private readonly env: Environment) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback?: string): string {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) throw new ConfigError(name, 'is required but not set');
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  /** A URL whose scheme is one of `protocols` (without the colon). */
  url(name: string, protocols: readonly string[], fallback?: string): URL {
    const value = this.string(name, fallback);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(name, 'is not a valid URL');
    }
    const scheme = parsed.protocol.replace(/:$/, '');
    if (!protocols.includes(scheme)) {
      throw new ConfigError(name, `must use ${protocols.map((p) => `${p}://`).join(' or ')}, not ${scheme}://`);
    }
    return parsed;
  }

  optionalUrl(name: string, protocols: readonly string[]): URL | undefined {
    return this.raw(name) === undefined ? undefined : this.url(name, protocols);
  }

  integer(name: string, bounds: { min: number; max: number }, fallback?: number): number {
    const value = this.raw(name);
    if (value === undefined) {
      if (fallback === undefined) throw new ConfigError(name, 'is required but not set');
      return fallback;
    }
    if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `must be an integer, got "${value}"`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < bounds.min || n > bounds.max) {
      throw new ConfigError(name, `must be between ${bounds.min} and ${bounds.max}, got ${value}`);
    }
    return n;
  }

  port(name: string, fallback?: number): number {
    return this.integer(name, { min: 1, max: 65535 }, fallback);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) throw new ConfigError(name, 'is required but not set');
    if (!(allowed as readonly string[]).includes(value)) {
      throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
    }
    return value as T;
  }
}
