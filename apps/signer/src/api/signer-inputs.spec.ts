import { InvalidInputError } from '@custody/mpc-core';
import { echo, identifier, MAX_TIMEOUT_MS, MIN_TIMEOUT_MS, presignArguments, sessionTimeout, signArguments, signerSet, threshold } from './signer-inputs';

function refusal(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('not refused');
}

describe('signer API inputs', () => {
  describe('echo', () => {
    it('shows a short value in full, quoted, and a long one as its first 32 characters and its length', () => {
      expect(echo('key-1')).toBe('"key-1"');
      expect(echo('a\u0000b')).toBe('"a\\u0000b"');
      const shown = echo('k'.repeat(100_000));
      expect(shown).toBe(`"${'k'.repeat(32)}"… (100000 chars)`);
    });
  });

  describe('identifier (the sign-grant grammar)', () => {
    it.each(['k', 'key-0123abcd', 'a.b:c_d-e', 'k'.repeat(128)])('takes %j', (id) => {
      expect(identifier('keyId', id)).toBe(id);
    });

    it.each([
      ['empty', ''],
      ['129 characters', 'k'.repeat(129)],
      ['100,000 characters', 'k'.repeat(100_000)],
      ['a NUL byte', 'key\u0000'],
      ['a space', 'key 1'],
      ['a slash', 'key/1'],
      ['a newline', 'key\n'],
      ['non-ASCII', 'clé'],
      ['a number', 7],
      ['undefined', undefined],
    ])('refuses %s, naming the argument and echoing at most 32 characters', (_what, id) => {
      const error = refusal(() => identifier('keyId', id));
      expect(error.argument).toBe('keyId');
      expect(error.message.length).toBeLessThan(200);
    });
  });

  describe('signer sets', () => {
    it('sorts on entry', () => {
      expect(signerSet('signers', [3, 1], 1)).toEqual([1, 3]);
    });

    it.each([
      ['a duplicate', [1, 1], /signer 1 is listed twice/],
      ['a duplicate among others', [1, 2, 2], /listed twice/],
      ['one signer', [1], /at least 2/],
      ['no signers', [], /at least 2/],
      ['0', [0, 1], /1\.\.255/],
      ['256', [1, 256], /1\.\.255/],
      ['a fraction', [1, 1.5], /1\.\.255/],
      ['a string', [1, '2'], /got string/],
      ['not the node asked', [2, 3], /must include signer 1/],
      ['more than 255', Array.from({ length: 256 }, (_, i) => i + 1), /at most 255/],
      ['not a list', 'all', /list/],
    ])('refuses %s', (_what, set, message) => {
      const error = refusal(() => signerSet('signers', set, 1));
      expect(error.argument).toMatch(/^signers/);
      expect(error.message).toMatch(message);
    });

    it('asks for at least `min` signers', () => {
      expect(refusal(() => signerSet('participants', [1, 2], 1, 3)).message).toMatch(/at least 3/);
    });
  });

  describe('timeoutMs', () => {
    it('takes 0 or unset as the node default, and the bounds themselves', () => {
      expect(sessionTimeout(0)).toBeUndefined();
      expect(sessionTimeout(undefined)).toBeUndefined();
      expect(sessionTimeout(MIN_TIMEOUT_MS)).toBe(MIN_TIMEOUT_MS);
      expect(sessionTimeout(MAX_TIMEOUT_MS)).toBe(MAX_TIMEOUT_MS);
    });

    it.each([1, MIN_TIMEOUT_MS - 1, MAX_TIMEOUT_MS + 1, -5, 1.5, Number.NaN])('refuses %p naming the range', (t) => {
      const error = refusal(() => sessionTimeout(t));
      expect(error.argument).toBe('timeoutMs');
      expect(error.message).toContain(`${MIN_TIMEOUT_MS}..${MAX_TIMEOUT_MS}`);
    });
  });

  it('checks a threshold against the participants', () => {
    expect(threshold(2, 3)).toBe(2);
    expect(threshold(3, 3)).toBe(3);
    for (const t of [0, 1, 4, 2.5]) expect(refusal(() => threshold(t, 3)).argument).toBe('threshold');
  });

  it('bounds the signing input of Sign', () => {
    expect(signArguments([2, 1], new Uint8Array(32), 0, 1)).toEqual({ participants: [1, 2], timeoutMs: undefined });
    expect(refusal(() => signArguments([1, 2], new Uint8Array(64 * 1024 + 1), 0, 1)).argument).toBe('signingInput');
  });

  it('checks every Presign argument', () => {
    expect(presignArguments('key-1', [2, 1], 3, 5000, 1)).toEqual({ keyId: 'key-1', participants: [1, 2], count: 3, timeoutMs: 5000 });
    expect(refusal(() => presignArguments('key-1', [1, 1], 1, 0, 1)).argument).toBe('signers');
    expect(refusal(() => presignArguments('key\u0000', [1, 2], 1, 0, 1)).argument).toBe('keyId');
    expect(refusal(() => presignArguments('key-1', [1, 2], 0, 0, 1)).argument).toBe('count');
    expect(refusal(() => presignArguments('key-1', [1, 2], 101, 0, 1)).argument).toBe('count');
    expect(refusal(() => presignArguments('key-1', [1, 2], 1, 1, 1)).argument).toBe('timeoutMs');
  });
});
