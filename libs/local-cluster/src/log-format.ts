/**
 * Human-readable lines from the services' pino JSON logs, for `custody up` in a terminal:
 * `signer-2       | 12:00:01.234 INFO  signer-2 listening http=… grpc=…`. A line that is not a
 * JSON object (a one-line start-up error) is kept as it is, behind the same prefix.
 */
export interface LogFormatOptions {
  /** ANSI colours (only when writing to a terminal). */
  readonly color: boolean;
  /** Width of the name column. */
  readonly nameWidth: number;
}

const LEVEL_COLOR: Record<string, string> = { fatal: '35', error: '31', warn: '33', info: '32', debug: '36', trace: '90' };
const NUMERIC_LEVEL: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const OMITTED = new Set(['level', 'time', 'pid', 'hostname', 'service', 'name', 'msg', 'v']);

function paint(color: boolean, code: string, text: string): string {
  return color ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v !== null && typeof v === 'object') {
    const err = v as { type?: unknown; message?: unknown };
    if (typeof err.message === 'string') return JSON.stringify(typeof err.type === 'string' ? `${err.type}: ${err.message}` : err.message);
    return JSON.stringify(v);
  }
  return String(v);
}

function clock(time: unknown): string {
  if (typeof time === 'string' && /T\d{2}:\d{2}:\d{2}/.test(time)) return time.slice(time.indexOf('T') + 1, time.indexOf('T') + 13);
  if (typeof time === 'number') return new Date(time).toISOString().slice(11, 23);
  return '';
}

/** `name | ` and the line made readable. */
export function formatLogLine(name: string, line: string, options: LogFormatOptions): string {
  return paint(options.color, '1', name.padEnd(options.nameWidth)) + ' | ' + formatLogBody(line, options.color);
}

/** One pino JSON line as `time LEVEL message key=value …`; any other line unchanged. */
export function formatLogBody(line: string, color: boolean): string {
  const options = { color };
  const prefix = '';
  let record: unknown;
  if (line.startsWith('{')) {
    try {
      record = JSON.parse(line);
    } catch {
      record = undefined;
    }
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return prefix + line;
  const r = record as Record<string, unknown>;
  const level = typeof r.level === 'number' ? (NUMERIC_LEVEL[r.level] ?? String(r.level)) : typeof r.level === 'string' ? r.level : 'info';
  const fields = Object.entries(r)
    .filter(([k]) => !OMITTED.has(k))
    .map(([k, v]) => `${paint(options.color, '90', `${k}=`)}${value(v)}`);
  const parts = [clock(r.time), paint(options.color, LEVEL_COLOR[level] ?? '0', level.toUpperCase().padEnd(5)), typeof r.msg === 'string' ? r.msg : '', ...fields];
  return prefix + parts.filter((p) => p.length > 0).join(' ');
}
