import * as fs from 'node:fs';
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

  /**
   * The value of a variable that is required or has a default. Set but blank (`NAME=''`) is an
   * error, never the default: an empty `DATABASE_URL` must not quietly become the shared database.
   * Optional variables (`optional*`, a secret's `_FILE` twin) still read blank as unset.
   */
  private present(name: string, hasFallback: boolean): string | undefined {
    const value = this.env[name];
    if (value !== undefined && value.trim() === '') {
      throw new ConfigError(name, hasFallback ? 'is set but empty (unset it to use the default)' : 'is required but empty');
    }
    return this.raw(name);
  }

  string(name: string, fallback?: string): string {
    const value = this.present(name, fallback !== undefined) ?? fallback;
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
    const value = this.present(name, fallback !== undefined);
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

  /**
   * A secret given either inline (`NAME`) or as a file (`NAME_FILE`, e.g. a mounted Kubernetes
   * Secret); exactly one of the two. Messages name the variable, never the value.
   */
  secret(name: string): string {
    const inline = this.raw(name);
    const file = this.raw(`${name}_FILE`);
    if (inline !== undefined && file !== undefined) throw new ConfigError(name, `and ${name}_FILE are both set; set only one`);
    if (inline !== undefined) return inline;
    if (file === undefined) throw new ConfigError(name, `is required but not set (nor ${name}_FILE)`);
    try {
      const contents = fs.readFileSync(file, 'utf8').trim();
      if (contents === '') throw new ConfigError(`${name}_FILE`, `points at an empty file (${file})`);
      return contents;
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`${name}_FILE`, `cannot be read (${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }

  /** A JSON value; `parse` validates its shape and may throw ConfigError itself. */
  json<T>(name: string, parse: (value: unknown) => T, fallback?: T): T {
    const value = this.present(name, fallback !== undefined);
    if (value === undefined) {
      if (fallback === undefined) throw new ConfigError(name, 'is required but not set');
      return fallback;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new ConfigError(name, 'is not valid JSON');
    }
    try {
      return parse(parsed);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(name, error instanceof Error ? error.message : 'is malformed');
    }
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    const value = this.present(name, fallback !== undefined) ?? fallback;
    if (value === undefined) throw new ConfigError(name, 'is required but not set');
    if (!(allowed as readonly string[]).includes(value)) {
      throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
    }
    return value as T;
  }
}
