import { createPublicKey, verify } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { CliUsageError } from '../cli-error';
import { parseEcdsaOptions, runEcdsa } from './mpc-ecdsa.command';
import type { ProgressStream } from '../progress';
// PUBLIC test-only primes, handed out by the injected generator in place of fresh ones.
import { TEST_ONLY_SAFE_PRIMES_1024 } from '../../../../libs/mpc-core/test/fixtures/test-only-safe-primes';

const base = { parties: '3', threshold: '2', signers: '1,3', message: '68656c6c6f', hash: 'sha256', paillierBits: '2048' };

function spki(compressedHex: string) {
  const prefix = '3036301006072a8648ce3d020106052b8104000a032200';
  return createPublicKey({ key: Buffer.from(prefix + compressedHex, 'hex'), format: 'der', type: 'spki' });
}

describe('custody mpc ecdsa', () => {
  it.each([
    [{ signers: '1' }, /threshold is 2/],
    [{ signers: '1,4' }, /unknown signer id 4/],
    [{ threshold: '4' }, /greater than --parties/],
    [{ threshold: '1' }, /at least 2/],
    [{ message: 'xyz' }, /hex/],
    [{ message: 'abc' }, /hex/],
    [{ hash: 'md5' }, /sha256, keccak256 or none/],
    [{ hash: 'none' }, /32-byte/],
    [{ paillierBits: '1024' }, /refused/],
    [{ signers: '1,1' }, /duplicate/],
    [{ path: "m/0'" }, /hardened/],
    [{ path: 'x/1' }, /--path/],
  ])('refuses %p with a one-line reason', (patch, reason) => {
    expect(() => parseEcdsaOptions({ ...base, ...patch })).toThrow(CliUsageError);
    expect(() => parseEcdsaOptions({ ...base, ...patch })).toThrow(reason);
  });

  it('signs with test-only primes: the JSON line verifies with node:crypto (sha256) and noble (keccak256)', async () => {
    // No generation with --test-only-primes, so no progress either.
    const quiet: string[] = [];
    const noGeneration = (): Promise<bigint> => Promise.reject(new Error('must not generate'));
    const out = JSON.parse(await runEcdsa({ ...parseEcdsaOptions({ ...base, parties: '2', signers: '1,2' }), testOnlyPrimes: true }, { progress: { write: (c: string) => quiet.push(c) }, generateSafePrime: noGeneration })) as Record<string, string | number>;
    expect(quiet).toEqual([]);
    expect(Object.keys(out)).toEqual(['publicKey', 'r', 's', 'recovery', 'der', 'hash']);
    expect(verify('sha256', Buffer.from('hello'), spki(out.publicKey as string), Buffer.from(out.der as string, 'hex'))).toBe(true);
    const k = JSON.parse(await runEcdsa({ ...parseEcdsaOptions({ ...base, parties: '2', signers: '1,2', hash: 'keccak256' }), testOnlyPrimes: true })) as Record<string, string>;
    expect(k.hash).toBe('keccak256');
    expect(secp256k1.verify(Buffer.from(k.r + k.s, 'hex'), keccak_256(Buffer.from('hello')), Buffer.from(k.publicKey, 'hex'), { prehash: false })).toBe(true);
    const c = JSON.parse(await runEcdsa({ ...parseEcdsaOptions({ ...base, parties: '2', signers: '1,2', path: 'm/44/0/7' }), testOnlyPrimes: true })) as Record<string, string>;
    expect(verify('sha256', Buffer.from('hello'), spki(c.publicKey), Buffer.from(c.der, 'hex'))).toBe(true);
  }, 60000);

  describe('progress while generating safe primes', () => {
    /** A generator that hands out the TEST-ONLY primes, one per call, and counts the calls. */
    function fixtureGenerator(): { generate: (bits: number) => Promise<bigint>; bits: number[] } {
      const queue = TEST_ONLY_SAFE_PRIMES_1024.slice(0, 2).flatMap(([p, q]) => [p, q]);
      const bits: number[] = [];
      return {
        bits,
        generate: (b: number) => {
          bits.push(b);
          const prime = queue.shift();
          return prime === undefined ? Promise.reject(new Error('no fixture prime left')) : Promise.resolve(prime);
        },
      };
    }
    const stderr = (isTTY: boolean): ProgressStream & { lines: () => string[] } => {
      const chunks: string[] = [];
      return { isTTY, write: (c: string) => chunks.push(c), lines: () => chunks.join('').split('\n') };
    };

    it('reports each prime on stderr (plain lines when it is not a terminal) and writes nothing to stdout; the signature verifies', async () => {
      const gen = fixtureGenerator();
      const err = stderr(false);
      const stdout = jest.spyOn(process.stdout, 'write');
      let t = 0;
      try {
        const out = JSON.parse(await runEcdsa(parseEcdsaOptions({ ...base, parties: '2', signers: '1,2' }), { progress: err, generateSafePrime: gen.generate, now: () => (t += 1000) })) as Record<string, string>;
        expect(verify('sha256', Buffer.from('hello'), spki(out.publicKey!), Buffer.from(out.der!, 'hex'))).toBe(true);
        expect(stdout).not.toHaveBeenCalled();
      } finally {
        stdout.mockRestore();
      }
      expect(gen.bits).toEqual([1024, 1024, 1024, 1024]);
      const lines = err.lines();
      expect(lines[0]).toMatch(/^custody: generating 4 safe primes of 1024 bits \(two per party's Paillier key; .*--test-only-primes skips it/);
      expect(lines.slice(1, 5).map((l) => l.replace(/after [\d.]+ s/, 'after T'))).toEqual([1, 2, 3, 4].map((n) => `custody: ${n}/4 safe primes of 1024 bits found after T`));
      expect(lines[5]).toMatch(/^custody: 4 safe primes of 1024 bits generated in [\d.]+ s$/);
    }, 60000);

    it('in a terminal, redraws one line and ends it; a failed generation ends the line and rejects', async () => {
      const err = stderr(true);
      const failing = (): Promise<bigint> => Promise.reject(new Error('no entropy'));
      await expect(runEcdsa(parseEcdsaOptions({ ...base, parties: '2', signers: '1,2' }), { progress: err, generateSafePrime: failing, now: () => 0 })).rejects.toThrow('no entropy');
      const text = err.lines().join('\n');
      expect(text).toContain('\r\x1b[2Kcustody: generating 4 safe primes of 1024 bits: 0/4 found, 0.0 s');
      expect(text.endsWith('0/4 found, 0.0 s\n')).toBe(true);
      expect(text).not.toContain('generated in');
    });
  });
});
