import { spawnSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { independentBip340Verify } from '../../../../libs/mpc-core/src/frost/test/helpers';

// Runs the BUILT command line (`npm test` builds first) as a child process.
const root = join(__dirname, '../../../..');
const bin = join(root, 'bin/custody.js');
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe('custody mpc eddsa / schnorr (built CLI)', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist/apps/cli/src/commands/mpc-frost.command.js'))) throw new Error('run `npm run build` first (npm test does)');
  });

  it('eddsa: one JSON line that crypto.verify accepts', () => {
    const r = run(['mpc', 'eddsa', '--parties', '3', '--threshold', '2', '--signers', '2,3', '--message', '68656c6c6f']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as { publicKey: string; signature: string };
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(out.publicKey, 'hex').toString('base64url') }, format: 'jwk' });
    expect(verify(null, Buffer.from('hello'), key, Buffer.from(out.signature, 'hex'))).toBe(true);
  });

  it('schnorr: an x-only key and a BIP340 signature', () => {
    const r = run(['mpc', 'schnorr', '--parties', '5', '--threshold', '3', '--signers', '1,4,5', '--message', 'ab'.repeat(32)]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { publicKey: string; signature: string };
    expect(independentBip340Verify(Buffer.from(out.signature, 'hex'), Buffer.from('ab'.repeat(32), 'hex'), Buffer.from(out.publicKey, 'hex'))).toBe(true);
  });

  it.each([
    [['--threshold', '4', '--signers', '1,2,3,4'], /greater than --parties/],
    [['--threshold', '1', '--signers', '1,2'], /at least 2/],
    [['--threshold', '2', '--signers', '1'], /threshold is 2/],
    [['--threshold', '2', '--signers', '1,9'], /unknown signer id 9/],
    [['--threshold', '2', '--signers', '1,2', '--message-override'], /unknown option/],
  ])('bad arguments %j: non-zero exit and a one-line reason', (args, reason) => {
    const base = ['mpc', 'eddsa', '--parties', '3', '--message', '00'];
    const r = run([...base, ...args]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(reason);
    expect(r.stdout).toBe('');
  });

  it('a message that is not hex: non-zero exit and one line', () => {
    const r = run(['mpc', 'schnorr', '--parties', '3', '--threshold', '2', '--signers', '1,2', '--message', 'zz']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--message must be hex/);
  });
});
