/** Where progress goes: stderr in the CLI (a fake in tests). */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

/** How often a terminal's progress line is redrawn while nothing else happens. */
export const TTY_REDRAW_MS = 1000;

const CLEAR_LINE = '\r\x1b[2K';

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

/**
 * Progress of a long wait for `total` items (safe primes), on stderr, never on stdout (which carries
 * the command's result). In a terminal: one line redrawn in place, with the elapsed time ticking
 * every second, ended by a newline. Otherwise (a pipe, a log file, CI): one plain line when it
 * starts, one per item found, one at the end; no control characters.
 */
export class CountProgress {
  private found = 0;
  private startedAt = 0;
  private ticker: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(
    private readonly out: ProgressStream,
    private readonly total: number,
    /** e.g. `safe prime(s) of 1024 bits`. */
    private readonly what: string,
    private readonly now: () => number = Date.now,
  ) {}

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  private elapsed(): string {
    return seconds(this.now() - this.startedAt);
  }

  private redraw(): void {
    this.out.write(`${CLEAR_LINE}custody: generating ${this.total} ${this.what}: ${this.found}/${this.total} found, ${this.elapsed()}`);
  }

  /** `hint`: said once, before the wait (e.g. how to skip it). */
  start(hint: string): void {
    this.startedAt = this.now();
    this.out.write(`custody: generating ${this.total} ${this.what} (${hint})\n`);
    if (this.tty) {
      this.redraw();
      this.ticker = setInterval(() => this.redraw(), TTY_REDRAW_MS);
      this.ticker.unref();
    }
  }

  /** One more item found. */
  step(): void {
    if (this.finished) return;
    this.found += 1;
    if (this.tty) this.redraw();
    else this.out.write(`custody: ${this.found}/${this.total} ${this.what} found after ${this.elapsed()}\n`);
  }

  /** The wait is over: `ok` false when it failed (the caller reports why). */
  finish(ok: boolean): void {
    if (this.finished) return;
    this.finished = true;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    if (this.tty) {
      this.redraw();
      this.out.write('\n');
    }
    if (ok) this.out.write(`custody: ${this.total} ${this.what} generated in ${this.elapsed()}\n`);
  }
}
