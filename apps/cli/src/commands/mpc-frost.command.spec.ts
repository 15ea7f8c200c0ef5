import { createPublicKey, verify } from 'node:crypto';
import { CliUsageError } from '../cli-error';
import { parseFrostOptions, runFrost } from './mpc-frost.command';
import { independentBip340Verify, testOnlySeededRng } from '../../../../libs/mpc-core/src/frost/test/helpers';

const ok = { parties: '3', threshold: '2', signers: '2,3', message: 'deadbeef' };

function ed25519Key(raw: string) {
  // SPKI: the fixed Ed25519 prefix 302a300506032b6570032100 followed by the raw key
  return createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(raw, 'hex')]), format: 'der', type: 'spki' });
}

describe('custody mpc eddsa / schnorr', () => {
  it('eddsa prints a 32-byte key and a 64-byte signature that node:crypto accepts', () => {
    const out = JSON.parse(runFrost(parseFrostOptions('ed25519', ok), testOnlySeededRng('cli-ed'))) as { publicKey: string; signature: string };
    expect(Object.keys(out).sort()).toEqual(['publicKey', 'signature']);
    expect(out.publicKey).toMatch(/^[0-9a-f]{64}$/);
    expect(out.signature).toMatch(/^[0-9a-f]{128}$/);
    expect(verify(null, Buffer.from('deadbeef', 'hex'), ed25519Key(out.publicKey), Buffer.from(out.signature, 'hex'))).toBe(true);
    const child = JSON.parse(runFrost(parseFrostOptions('ed25519', { ...ok, derive: '5' }), testOnlySeededRng('cli-ed'))) as { publicKey: string; signature: string };
    expect(child.publicKey).not.toBe(out.publicKey);
    expect(verify(null, Buffer.from('deadbeef', 'hex'), ed25519Key(child.publicKey), Buffer.from(child.signature, 'hex'))).toBe(true);
  });

  it('schnorr prints an x-only key and a BIP340 signature (independent verifier), also for a Taproot output key', () => {
    for (const extra of [{}, { taproot: true }, { taproot: true, merkleRoot: 'ab'.repeat(32) }, { derive: '9', taproot: true }]) {
      const out = JSON.parse(runFrost(parseFrostOptions('bip340', { ...ok, signers: '1,3', ...extra }), testOnlySeededRng('cli-tr'))) as { publicKey: string; signature: string };
      expect(out.publicKey).toMatch(/^[0-9a-f]{64}$/);
      expect(out.signature).toMatch(/^[0-9a-f]{128}$/);
      expect(independentBip340Verify(Buffer.from(out.signature, 'hex'), Buffer.from('deadbeef', 'hex'), Buffer.from(out.publicKey, 'hex'))).toBe(true);
    }
  });

  it.each([
    [{ threshold: '4' }, /greater than --parties/],
    [{ threshold: '1' }, /at least 2/],
    [{ signers: '2' }, /threshold is 2/],
    [{ signers: '2,7' }, /unknown signer id 7/],
    [{ signers: '2,2' }, /duplicate/],
    [{ signers: 'x,2' }, /--signers must be/],
    [{ message: 'xyz' }, /--message must be hex/],
    [{ message: 'abc' }, /--message must be hex/],
    [{ parties: '-3' }, /--parties must be/],
    [{ derive: '4294967295' }, /below 2\^31/],
  ])('refuses %j with a one-line reason', (bad, reason) => {
    let error: unknown;
    try {
      parseFrostOptions('ed25519', { ...ok, ...bad });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).not.toContain('\n');
  });

  it('refuses Taproot options for eddsa and a bad merkle root', () => {
    expect(() => parseFrostOptions('ed25519', { ...ok, taproot: true })).toThrow(CliUsageError);
    expect(() => parseFrostOptions('bip340', { ...ok, taproot: true, merkleRoot: 'ab' })).toThrow(/32 bytes/);
    expect(() => parseFrostOptions('bip340', { ...ok, merkleRoot: 'ab'.repeat(32) })).toThrow(/needs --taproot/);
  });
});
