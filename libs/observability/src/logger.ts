import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/**
 * Field names whose values never reach a log line, at any depth we know of. Shares, nonces,
 * presignatures and key-encryption keys must not be logged in the first place; this is the net
 * under that rule, not the rule itself.
 */
export const REDACTED_FIELDS: readonly string[] = [
  'share',
  'secretShare',
  'keyShare',
  'nonce',
  'nonces',
  'presignature',
  'kek',
  'keyEncryptionKey',
  'privateKey',
  'secret',
  'password',
  'authorization',
  'apiKey',
];

const redactPaths = REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

/** Structured JSON logs (pino) for one service, to stdout. */
export function createLogger(serviceName: string, level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: serviceName,
      level,
      base: { service: serviceName, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/**
 * Nest's logger interface on top of pino, so framework messages are JSON lines too. Our code logs
 * as `logger.warn({ fields }, 'what happened')`; Nest appends the class name as the last argument.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: 'info' | 'warn' | 'error' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]): void {
    const strings = rest.filter((r): r is string => typeof r === 'string');
    if (typeof message === 'object' && message !== null) {
      // ({ fields }, 'text', 'Context') or ({ fields }, 'Context')
      const context = strings.length >= 2 ? strings[strings.length - 1] : undefined;
      this.logger[level]({ ...(message as Record<string, unknown>), ...(context ? { context } : {}) }, strings[0] ?? '');
    } else {
      // ('text', 'Context') or ('text', stack, 'Context') from Nest itself
      const context = strings.length >= 1 ? strings[strings.length - 1] : undefined;
      const stack = strings.length >= 2 ? strings[0] : undefined;
      this.logger[level]({ ...(context ? { context } : {}), ...(stack ? { stack } : {}) }, String(message));
    }
  }
}
