import { createPublicKey, verify } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { CliUsageError } from '../cli-error';
import { parseEcdsaOptions, runEcdsa } from './mpc-ecdsa.command';

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
    const out = JSON.parse(await runEcdsa({ ...parseEcdsaOptions({ ...base, parties: '2', signers: '1,2' }), testOnlyPrimes: true })) as Record<string, string | number>;
    expect(Object.keys(out)).toEqual(['publicKey', 'r', 's', 'recovery', 'der', 'hash']);
    expect(verify('sha256', Buffer.from('hello'), spki(out.publicKey as string), Buffer.from(out.der as string, 'hex'))).toBe(true);
    const k = JSON.parse(await runEcdsa({ ...parseEcdsaOptions({ ...base, parties: '2', signers: '1,2', hash: 'keccak256' }), testOnlyPrimes: true })) as Record<string, string>;
    expect(k.hash).toBe('keccak256');
    expect(secp256k1.verify(Buffer.from(k.r + k.s, 'hex'), keccak_256(Buffer.from('hello')), Buffer.from(k.publicKey, 'hex'), { prehash: false })).toBe(true);
    const c = JSON.parse(await runEcdsa({ ...parseEcdsaOptions({ ...base, parties: '2', signers: '1,2', path: 'm/44/0/7' }), testOnlyPrimes: true })) as Record<string, string>;
    expect(verify('sha256', Buffer.from('hello'), spki(c.publicKey), Buffer.from(c.der, 'hex'))).toBe(true);
  }, 60000);
});
