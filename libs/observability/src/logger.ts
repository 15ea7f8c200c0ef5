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

/** Nest's logger interface on top of pino, so framework messages are JSON lines too. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: 'info' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, context?: string): void {
    if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message });
    else this.logger[level]({ context }, String(message));
  }
}
