import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '@custody/config';
import { chainNodePort, DEFAULT_PORTS, SERVICE_APPS, planCluster, portsFromBase, portsFromList, portSpan, type ClusterOptions } from './cluster-plan';
import { planChainNode } from './local-chain';
import { freePorts } from './free-port';
import { assertPortsFree, PortBusyError } from './port-check';
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

  it('points the gateway at the ledger and policy engine outboxes and gives it the development webhook key', () => {
    const specs = planCluster(options(), portsFromBase(8080));
    const gateway = specs.find((s) => s.app === 'gateway')!;
    expect(gateway.env.LEDGER_GRPC_ADDRESS).toBe(`127.0.0.1:${specs.find((s) => s.app === 'ledger')!.grpcPort}`);
    expect(gateway.env.POLICY_ENGINE_GRPC_ADDRESS).toBe(`127.0.0.1:${specs.find((s) => s.app === 'policy-engine')!.grpcPort}`);
    expect(gateway.env.GATEWAY_WEBHOOK_SIGNING_KEY_FILE).toBe(path.join(dir, 'gateway-webhook.signing-seed'));
    expect(fs.readFileSync(gateway.env.GATEWAY_WEBHOOK_SIGNING_KEY_FILE!, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(fs.statSync(gateway.env.GATEWAY_WEBHOOK_SIGNING_KEY_FILE!).mode & 0o777).toBe(0o600);
    for (const s of specs.filter((x) => x.app !== 'gateway')) expect(s.env.GATEWAY_WEBHOOK_SIGNING_KEY_FILE).toBeUndefined();
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

  it('configures the withdrawal pipeline and the chain indexer for the local chain it is given', () => {
    const specs = planCluster(options({ chainRpcUrl: new URL('http://127.0.0.1:8101'), chainId: 31337 }), portsFromBase(8080));
    const gateway = specs.find((s) => s.app === 'gateway')!;
    expect(JSON.parse(gateway.env.PIPELINE_CHAINS!)).toEqual([{ chain: 'anvil', chainId: 31337, rpcUrl: 'http://127.0.0.1:8101/', maxFeePerGasCap: '100000000000', sweepMinWei: '10000000000000000' }]);
    expect(gateway.env.GATEWAY_CHAIN_INDEXERS).toBe('anvil=127.0.0.1:8090');
    const indexer = specs.find((s) => s.app === 'chain-indexer')!;
    expect([indexer.env.CHAIN_RPC_URL, indexer.env.CHAIN_NAME, indexer.env.CHAIN_ID]).toEqual(['http://127.0.0.1:8101/', 'anvil', '31337']);
    for (const s of specs.filter((x) => x.app !== 'gateway')) expect(s.env.PIPELINE_CHAINS).toBeUndefined();
    // The pipeline's queues are the cluster's own: keyed by its database, not shared with another cluster on the same Redis.
    expect(gateway.env.GATEWAY_REDIS_PREFIX).toBe('gateway:custody:');
    expect(planCluster(options({ signersOnly: true }), portsFromBase(8080)).some((s) => s.env.PIPELINE_CHAINS !== undefined)).toBe(false);
  });

  it('plans anvil on the port after the last signer, with its chain id, mixed mining and its state file', () => {
    const node = planChainNode({ binary: '/bin/anvil', host: '127.0.0.1', port: chainNodePort(8080, 3), chainId: 31337, stateFile: '/tmp/s/anvil-state.json' });
    expect(node).toMatchObject({ name: 'anvil', rpcPort: 8101, rpcUrl: 'http://127.0.0.1:8101', chainId: 31337 });
    expect(node.entry).toMatch(/dist\/libs\/local-cluster\/src\/chain-node-main\.js$/);
    expect(node.args.join(' ')).toBe('/bin/anvil --host 127.0.0.1 --port 8101 --chain-id 31337 --mixed-mining --block-time 2 --state /tmp/s/anvil-state.json --quiet');
  });

  describe('ports', () => {
    it('gives process k HTTP base+3k, gRPC base+3k+1 and metrics base+3k+2, and says so in its environment', () => {
      const specs = planCluster(options(), DEFAULT_PORTS);
      expect(specs.map((s) => [s.name, s.httpPort, s.grpcPort, s.metricsPort])).toEqual([
        ['gateway', 8080, 8081, 8082],
        ['policy-engine', 8083, 8084, 8085],
        ['ledger', 8086, 8087, 8088],
        ['chain-indexer', 8089, 8090, 8091],
        ['signer-1', 8092, 8093, 8094],
        ['signer-2', 8095, 8096, 8097],
        ['signer-3', 8098, 8099, 8100],
      ]);
      for (const s of specs) expect([s.env.HTTP_PORT, s.env.GRPC_PORT, s.env.METRICS_PORT]).toEqual([String(s.httpPort), String(s.grpcPort), String(s.metricsPort)]);
    });

    it.each([3, 5, 255])('with %i signers, uses exactly the portSpan ports from the base (anvil\'s the last), none twice', (signerCount) => {
      const base = 1024;
      const plan = portsFromBase(base);
      const names = [...SERVICE_APPS, ...Array.from({ length: signerCount }, (_, i) => `signer-${i + 1}`)];
      const ports = [...names.flatMap((name, i) => [plan.http(name, i), plan.grpc(name, i), plan.metrics(name, i)]), chainNodePort(base, signerCount)];
      expect(new Set(ports).size).toBe(ports.length);
      expect(ports.length).toBe(portSpan(signerCount));
      expect(Math.min(...ports)).toBe(base);
      expect(Math.max(...ports)).toBe(base + portSpan(signerCount) - 1);
    });

    it('portsFromList hands process i the i-th three ports, and refuses a short list', () => {
      const list = Array.from({ length: portSpan(3) - 1 }, (_, i) => 20_000 + 7 * i);
      const specs = planCluster(options(), portsFromList(list));
      expect(specs.flatMap((s) => [s.httpPort, s.grpcPort, s.metricsPort])).toEqual(list);
      expect(() => planCluster(options(), portsFromList(list.slice(0, -1)))).toThrow('port list too short');
    });

    it('assertPortsFree names a busy metrics port and the process that needs it', async () => {
      const holder = net.createServer();
      await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
      const busy = (holder.address() as net.AddressInfo).port;
      try {
        const [http, grpc] = await freePorts(2);
        const specs = planCluster(options({ signersOnly: true, signerCount: 3 }), portsFromList([http!, grpc!, busy, 1, 2, 3, 4, 5, 6]));
        await expect(assertPortsFree(specs.slice(0, 1))).rejects.toThrow(new PortBusyError(busy, '127.0.0.1', 'signer-1 metrics', 'in use by another process'));
      } finally {
        await new Promise((resolve) => holder.close(resolve));
      }
    });
  });
});
