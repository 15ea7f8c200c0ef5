import { CountProgress, type ProgressStream } from './progress';

function stream(isTTY: boolean): ProgressStream & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY, write: (c: string) => chunks.push(c), text: () => chunks.join('') };
}

describe('CountProgress', () => {
  it('not a terminal: plain lines (start, one per item with the elapsed time, end), no control characters', () => {
    const out = stream(false);
    let t = 1_000;
    const p = new CountProgress(out, 3, 'safe primes of 1024 bits', () => t);
    p.start('a hint');
    t += 2_500;
    p.step();
    t += 1_000;
    p.step();
    t += 12_345;
    p.step();
    p.finish(true);
    expect(out.text()).toBe(
      [
        'custody: generating 3 safe primes of 1024 bits (a hint)',
        'custody: 1/3 safe primes of 1024 bits found after 2.5 s',
        'custody: 2/3 safe primes of 1024 bits found after 3.5 s',
        'custody: 3/3 safe primes of 1024 bits found after 15.8 s',
        'custody: 3 safe primes of 1024 bits generated in 15.8 s',
        '',
      ].join('\n'),
    );
    expect(out.text()).not.toContain('\r');
    expect(out.text()).not.toContain('\x1b');
  });

  it('a terminal: one line redrawn in place, ended by a newline, then the summary', () => {
    const out = stream(true);
    let t = 0;
    const p = new CountProgress(out, 2, 'primes', () => t);
    p.start('hint');
    t = 1_000;
    p.step();
    t = 2_000;
    p.step();
    p.finish(true);
    const text = out.text();
    expect(text.startsWith('custody: generating 2 primes (hint)\n')).toBe(true);
    expect(text).toContain('\r\x1b[2Kcustody: generating 2 primes: 0/2 found, 0.0 s');
    expect(text).toContain('\r\x1b[2Kcustody: generating 2 primes: 1/2 found, 1.0 s');
    expect(text).toContain('\r\x1b[2Kcustody: generating 2 primes: 2/2 found, 2.0 s');
    expect(text.endsWith('2/2 found, 2.0 s\ncustody: 2 primes generated in 2.0 s\n')).toBe(true);
    // Exactly two line ends: after the start line and after the progress line.
    expect(text.split('\n')).toHaveLength(4);
  });

  it('a failure ends the terminal line without a summary, and later steps say nothing', () => {
    const out = stream(true);
    const p = new CountProgress(out, 2, 'primes', () => 0);
    p.start('hint');
    p.finish(false);
    const before = out.text();
    expect(before.endsWith('0/2 found, 0.0 s\n')).toBe(true);
    expect(before).not.toContain('generated in');
    p.step();
    p.finish(true);
    expect(out.text()).toBe(before);
  });
});
