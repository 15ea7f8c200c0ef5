import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '@custody/config';
import { planCluster, portsFromBase, type ClusterOptions } from './cluster-plan';
import { loadOrCreateLocalSecrets, type LocalSecrets } from './local-secrets';

describe('planCluster', () => {
  let dir: string;
  let secrets: LocalSecrets;
  const options = (o: Partial<ClusterOptions> = {}): ClusterOptions => ({
    databaseUrl: new URL('postgres://postgres@127.0.0.1:5432/custody'),
    redisUrl: new URL('redis://127.0.0.1:6379'),
    signerCount: 3,
    host: '127.0.0.1',
    logLevel: 'info',
    secrets,
    ...o,
  });
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custody-plan-'));
    secrets = loadOrCreateLocalSecrets(dir, 3);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const approverKeysOf = (specs: ReturnType<typeof planCluster>): unknown[] => specs.filter((s) => s.app === 'signer').map((s) => JSON.parse(s.env.APPROVER_KEYS!) as unknown);

  it('pins the development approvers in every signer, and in no other service', () => {
    const specs = planCluster(options(), portsFromBase(8080));
    const expected = { 'dev-approver-1': secrets.approvers[0]!.publicKey, 'dev-approver-2': secrets.approvers[1]!.publicKey };
    expect(approverKeysOf(specs)).toEqual([expected, expected, expected]);
    for (const s of specs.filter((x) => x.app !== 'signer')) expect(s.env.APPROVER_KEYS).toBeUndefined();
  });

  it('adds the approvers an operator forwards in APPROVER_KEYS to the development ones', () => {
    const other = 'ab'.repeat(32);
    const specs = planCluster(options({ signerEnv: { APPROVER_KEYS: JSON.stringify({ treasurer: other }), SIGNER_MIN_APPROVALS: '2' } }), portsFromBase(8080));
    for (const keys of approverKeysOf(specs)) expect(keys).toEqual({ 'dev-approver-1': secrets.approvers[0]!.publicKey, 'dev-approver-2': secrets.approvers[1]!.publicKey, treasurer: other });
    expect(specs.find((s) => s.name === 'signer-1')!.env.SIGNER_MIN_APPROVALS).toBe('2');
  });

  it('refuses a forwarded APPROVER_KEYS that is not a JSON object, or gives a development approver another key', () => {
    const plan = (value: string) => () => planCluster(options({ signerEnv: { APPROVER_KEYS: value } }), portsFromBase(8080));
    expect(plan('{')).toThrow(ConfigError);
    expect(plan('{')).toThrow('APPROVER_KEYS is not valid JSON');
    expect(plan('["x"]')).toThrow('APPROVER_KEYS must be a JSON object');
    expect(plan(JSON.stringify({ 'dev-approver-2': 'cd'.repeat(32) }))).toThrow('APPROVER_KEYS gives dev-approver-2 another key than the development approver');
    // The same key again is no conflict.
    expect(plan(JSON.stringify({ 'dev-approver-2': secrets.approvers[1]!.publicKey }))).not.toThrow();
  });
});
