import { randomBytes } from 'node:crypto';
import { ConfigError } from '@custody/config';
import { identityFromSeed } from '@custody/peer-auth';
import { parseSignerConfig } from './config';

/** The signer's own floor on the sign grant version (SIGNER_MIN_GRANT_VERSION), parsed once at start-up. */
describe('SIGNER_MIN_GRANT_VERSION', () => {
  const seed = randomBytes(32);
  const identity = identityFromSeed(seed);
  const engine = identityFromSeed(randomBytes(32));
  const env = (extra: Record<string, string> = {}) => ({
    SIGNER_ID: '1',
    HTTP_PORT: '8091',
    GRPC_PORT: '50061',
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/custody_signer_1',
    REDIS_URL: 'redis://127.0.0.1:6379',
    SIGNER_IDENTITY_SEED: seed.toString('hex'),
    SIGNER_PEERS: JSON.stringify([{ id: 1, publicKey: Buffer.from(identity.publicKey).toString('hex'), address: '127.0.0.1:50061' }]),
    SIGNER_KEK: randomBytes(32).toString('hex'),
    POLICY_ENGINE_PUBLIC_KEY: Buffer.from(engine.publicKey).toString('hex'),
    ...extra,
  });

  it('defaults to 1 (version 1 message grants accepted) and takes 2', () => {
    expect(parseSignerConfig(env()).minGrantVersion).toBe(1);
    expect(parseSignerConfig(env({ SIGNER_MIN_GRANT_VERSION: '2' })).minGrantVersion).toBe(2);
  });

  it.each(['0', '3', 'two', '1.5'])('refuses %s, naming the variable', (value) => {
    expect(() => parseSignerConfig(env({ SIGNER_MIN_GRANT_VERSION: value }))).toThrow(ConfigError);
    expect(() => parseSignerConfig(env({ SIGNER_MIN_GRANT_VERSION: value }))).toThrow(/SIGNER_MIN_GRANT_VERSION/);
  });
});
