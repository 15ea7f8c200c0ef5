import { bytesToHex } from '@noble/hashes/utils.js';
import { identityFromSeed } from '@custody/peer-auth';

/** scripts/k8s-dev-keygen.js (the dev overlay's keygen Jobs): what it writes, and what it keeps. */
interface Plan {
  secret: string;
  configMap: string;
  seeds: string[];
  publish: string;
  copy: string[];
}
interface KeygenModule {
  readPlan(env: Record<string, string | undefined>): Plan;
  keygenPatch(plan: Plan, data: Record<string, string> | undefined, env: Record<string, string | undefined>, random?: (n: number) => Buffer): { data: Record<string, string>; made: string[]; publicKey: string };
  ed25519PublicKeyHex(seed: Buffer): string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const keygen = require('../../scripts/k8s-dev-keygen.js') as KeygenModule;

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const env = {
  KEYGEN_SECRET: 'signer-1-keys',
  KEYGEN_CONFIGMAP: 'signer-1-identity',
  KEYGEN_SEEDS: 'SIGNER_IDENTITY_SEED,SIGNER_KEK',
  KEYGEN_PUBLISH: 'SIGNER_IDENTITY_SEED',
  KEYGEN_COPY: 'DATABASE_URL,REDIS_URL',
  DATABASE_URL: 'postgres://custody_signer_1@postgres-signer-1:5432/custody_signer_1',
  REDIS_URL: 'redis://redis:6379',
};

describe('dev keygen (k8s/overlays/dev)', () => {
  const plan = keygen.readPlan(env);

  it('makes every missing seed, copies the connection strings, and publishes the identity public key the signer derives', () => {
    const patch = keygen.keygenPatch(plan, undefined, env);
    expect(patch.made).toEqual(['SIGNER_IDENTITY_SEED', 'SIGNER_KEK']);
    const seedHex = Buffer.from(patch.data.SIGNER_IDENTITY_SEED!, 'base64').toString();
    expect(seedHex).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(patch.data.SIGNER_KEK!, 'base64').toString()).toMatch(/^[0-9a-f]{64}$/);
    expect(patch.data.SIGNER_KEK).not.toBe(patch.data.SIGNER_IDENTITY_SEED);
    expect(Buffer.from(patch.data.DATABASE_URL!, 'base64').toString()).toBe(env.DATABASE_URL);
    expect(patch.publicKey).toBe(bytesToHex(identityFromSeed(Buffer.from(seedHex, 'hex')).publicKey));
  });

  it('keeps keys already in the Secret (a new key-encryption key would lose every sealed share)', () => {
    const first = keygen.keygenPatch(plan, undefined, env);
    const again = keygen.keygenPatch(plan, first.data, env);
    expect(again).toEqual({ data: {}, made: [], publicKey: first.publicKey });
    const onlyKekMissing = keygen.keygenPatch(plan, { ...first.data, SIGNER_KEK: '' }, env);
    expect(onlyKekMissing.made).toEqual(['SIGNER_KEK']);
    expect(Object.keys(onlyKekMissing.data)).toEqual(['SIGNER_KEK']);
  });

  it('refuses a malformed key instead of replacing it, without printing it', () => {
    const secretValue = 'abcd'.repeat(4);
    expect(() => keygen.keygenPatch(plan, { SIGNER_IDENTITY_SEED: b64(secretValue) }, env)).toThrow(/signer-1-keys has a SIGNER_IDENTITY_SEED that is not 32 bytes of hex/);
    expect(() => keygen.keygenPatch(plan, { SIGNER_IDENTITY_SEED: b64(secretValue) }, env)).not.toThrow(new RegExp(secretValue));
  });

  it('refuses an incomplete plan, naming the variable', () => {
    expect(() => keygen.readPlan({ ...env, KEYGEN_SECRET: undefined })).toThrow('KEYGEN_SECRET is required');
    expect(() => keygen.readPlan({ ...env, KEYGEN_PUBLISH: 'SIGNER_KEY' })).toThrow('KEYGEN_PUBLISH must be one of KEYGEN_SEEDS');
    expect(() => keygen.readPlan({ ...env, REDIS_URL: undefined })).toThrow('REDIS_URL is required');
  });
});
