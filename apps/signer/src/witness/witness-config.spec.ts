import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ConfigError } from '@custody/config';
import { identityFromSeed } from '@custody/peer-auth';
import { formatVerifierKey } from '@custody/transparency-log';
import { parseSignerConfig } from '../config';

/** AUDIT_LOG_KEY, WITNESS_GRANT_BOUND_MS and the derived witness key. */
describe('witness configuration', () => {
  const seed = randomBytes(32);
  const identity = identityFromSeed(seed);
  const env = (extra: Record<string, string> = {}, identitySeedText = seed.toString('hex')) => ({
    SIGNER_ID: '2',
    HTTP_PORT: '8091',
    GRPC_PORT: '50061',
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/custody_signer_2',
    REDIS_URL: 'redis://127.0.0.1:6379',
    SIGNER_IDENTITY_SEED: identitySeedText,
    SIGNER_PEERS: JSON.stringify([{ id: 2, publicKey: Buffer.from(identity.publicKey).toString('hex'), address: '127.0.0.1:50061' }]),
    SIGNER_KEK: randomBytes(32).toString('hex'),
    POLICY_ENGINE_PUBLIC_KEY: Buffer.from(identityFromSeed(randomBytes(32)).publicKey).toString('hex'),
    ...extra,
  });
  const logKey = formatVerifierKey('custody.test/audit', 0x01, ed25519.getPublicKey(randomBytes(32)));

  it('defaults: no log, a 10 s bound, a witness key distinct from the identity key', () => {
    const c = parseSignerConfig(env());
    expect(c.auditLogKey).toBeUndefined();
    expect(c.witnessGrantBoundMs).toBe(10_000);
    expect(c.witness.name).toBe('signer-2.witness.custody');
    expect(Buffer.from(c.witness.publicKey).equals(Buffer.from(identity.publicKey))).toBe(false);
    // Derived from the seed, not its spelling: hex and base64 of the same seed give the same key.
    expect(Buffer.from(parseSignerConfig(env({}, seed.toString('base64'))).witness.publicKey)).toEqual(Buffer.from(c.witness.publicKey));
    expect(JSON.stringify(c.witness)).not.toContain(seed.toString('hex'));
  });

  it('takes a log key and a bound, and refuses bad ones naming the variable', () => {
    const c = parseSignerConfig(env({ AUDIT_LOG_KEY: logKey, WITNESS_GRANT_BOUND_MS: '0' }));
    expect(c.auditLogKey).toBe(logKey);
    expect(c.witnessGrantBoundMs).toBe(0);
    expect(() => parseSignerConfig(env({ AUDIT_LOG_KEY: 'not-a-key' }))).toThrow(/AUDIT_LOG_KEY/);
    expect(() => parseSignerConfig(env({ AUDIT_LOG_KEY: logKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+') }))).toThrow(ConfigError);
    expect(() => parseSignerConfig(env({ WITNESS_GRANT_BOUND_MS: '-1' }))).toThrow(/WITNESS_GRANT_BOUND_MS/);
  });
});
