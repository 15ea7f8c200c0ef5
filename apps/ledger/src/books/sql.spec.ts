import { randomBytes } from 'node:crypto';
import { escapeLiteral } from 'pg';
import { arrayLiteral } from './books.repository';
import { sqlLiteral } from './sql';

describe('sqlLiteral', () => {
  it("is pg's escapeLiteral, for quotes, backslashes and every other character", () => {
    const samples = ['', 'plain', "it's", "''", '\\', 'a\\b', "\\'", ` E'x'`, '{"a":"b\\"c"}', 'ünïcødé ✓', '\u0001\n\t'];
    for (let i = 0; i < 200; i++) samples.push(String.fromCharCode(...randomBytes(16).map((b) => [39, 92, 34, b][b % 4]!)));
    for (const s of samples) expect(sqlLiteral(s)).toBe(escapeLiteral(s));
  });
});

describe('arrayLiteral', () => {
  it('quotes every element and escapes its quotes and backslashes; null is NULL', () => {
    expect(arrayLiteral([])).toBe('{}');
    expect(arrayLiteral(['a', 'b"c', 'd\\e', null, 'NULL', '', 7, 8n])).toBe('{"a","b\\"c","d\\\\e",NULL,"NULL","","7","8"}');
  });
});
