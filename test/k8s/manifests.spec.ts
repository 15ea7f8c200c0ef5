import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigError, parseServiceConfig } from '@custody/config';
import { parseChainIndexerConfig } from '../../apps/chain-indexer/src/config';
import { parseGatewayConfig } from '../../apps/gateway/src/config';
import { parseLedgerConfig } from '../../apps/ledger/src/config';
import { parsePolicyEngineConfig } from '../../apps/policy-engine/src/config';
import { parseSignerConfig } from '../../apps/signer/src/config';
import { listedFiles, renderKustomization, type K8sObject } from './support/kustomize';

/**
 * The rendered output of every overlay (k8s/overlays/*), checked for what keeps the threshold: each
 * signer its own workload, ServiceAccount, Secret and NetworkPolicy; no key material committed; keys
 * made at apply time (dev) or taken from a secret store (production); liveness that asks neither
 * Postgres nor Redis; signers on different nodes with a disruption budget; restricted egress;
 * /metrics on its own port; a migration Job with a TTL that the services wait for; resources on
 * every container; no unused volume. Plus the references: every Secret, ConfigMap, key, port,
 * selector and ServiceAccount named exists, and each app gets an environment its config parser accepts.
 */
const ROOT = path.join(__dirname, '..', '..');
const K8S = path.join(ROOT, 'k8s');
const OVERLAYS = fs.readdirSync(path.join(K8S, 'overlays')).sort();
const SIGNER_COUNT = 3;
const THRESHOLD = 2;
/** Each service's migration owner (migrations/index.ts): the schema it waits for. */
const SCHEMA_OWNER: Record<string, string> = { gateway: 'gateway', 'policy-engine': 'policy', ledger: 'ledger', 'chain-indexer': 'chain-indexer' };
/** Connection strings: the only Secret values a repository may hold (and then without a password). */
const CONNECTION_KEYS = new Set(['DATABASE_URL', 'REDIS_URL']);
/** Pods of the deployment's environment, not of these manifests. */
const EXTERNAL_APPS = new Set(['postgres', 'redis', 'evm-node']);

type Labels = Record<string, string>;
interface KeyRef {
  name: string;
  key: string;
  optional?: boolean;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef; fieldRef?: { fieldPath: string } };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
  grpc?: { port: number };
  exec?: unknown;
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
}
interface Volume {
  name: string;
  secret?: { secretName: string; items?: Array<{ key: string; path: string }> };
  configMap?: { name: string; items?: Array<{ key: string; path: string }> };
  projected?: { sources: Array<{ secret?: { name: string; items?: Array<{ key: string; path: string }> }; configMap?: { name: string } }> };
  emptyDir?: unknown;
}
interface LabelSelector {
  matchLabels?: Labels;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  affinity?: { podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: Array<{ topologyKey: string; labelSelector: LabelSelector }> } };
  topologySpreadConstraints?: Array<{ topologyKey: string; maxSkew: number; whenUnsatisfiable: string; labelSelector: LabelSelector }>;
}
/** A pod template of a Deployment, StatefulSet or Job. */
interface Pod {
  owner: K8sObject;
  labels: Labels;
  annotations: Record<string, string>;
  spec: PodSpec;
}
interface PeerRule {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
}
interface NetworkPolicyRule {
  from?: PeerRule[];
  to?: PeerRule[];
  ports?: Array<{ port?: string | number; protocol?: string }>;
}
interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: string[];
  ingress?: NetworkPolicyRule[];
  egress?: NetworkPolicyRule[];
}

const matches = (selector: LabelSelector | undefined, labels: Labels = {}): boolean =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

class Rendered {
  readonly pods: Pod[];

  constructor(readonly objects: K8sObject[]) {
    this.pods = objects
      .filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind))
      .map((owner) => {
        const template = (owner.spec as { template: { metadata: { labels: Labels; annotations?: Record<string, string> }; spec: PodSpec } }).template;
        return { owner, labels: template.metadata.labels, annotations: template.metadata.annotations ?? {}, spec: template.spec };
      });
  }

  kind(kind: string): K8sObject[] {
    return this.objects.filter((o) => o.kind === kind);
  }

  find(kind: string, name: string): K8sObject | undefined {
    return this.objects.find((o) => o.kind === kind && o.metadata.name === name);
  }

  /** The signer pods, by SIGNER_ID. */
  signers(): Map<number, Pod> {
    const found = new Map<number, Pod>();
    for (const pod of this.pods) {
      const id = pod.spec.containers[0]!.env?.find((e) => e.name === 'SIGNER_ID')?.value;
      if (id !== undefined) {
        expect({ duplicate: found.has(Number(id)) }).toEqual({ duplicate: false });
        found.set(Number(id), pod);
      }
    }
    return found;
  }

  keygenJobs(): Array<{ job: K8sObject; env: Record<string, string> }> {
    return this.kind('Job').flatMap((job) => {
      const c = (job.spec as { template: { spec: PodSpec } }).template.spec.containers[0]!;
      if (!c.command?.join(' ').includes('scripts/k8s-dev-keygen.js')) return [];
      return [{ job, env: Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? ''])) }];
    });
  }

  externalSecrets(): Array<{ es: K8sObject; target: string; keys: string[]; store: string }> {
    return this.kind('ExternalSecret').map((es) => {
      const spec = es.spec as { target?: { name?: string }; data?: Array<{ secretKey: string }>; secretStoreRef: { name: string; kind?: string } };
      return { es, target: spec.target?.name ?? es.metadata.name, keys: (spec.data ?? []).map((d) => d.secretKey), store: `${spec.secretStoreRef.kind ?? 'SecretStore'}/${spec.secretStoreRef.name}` };
    });
  }

  /** The keys a Secret will have once applied: committed, made by a keygen Job, or synced from the store. */
  secretKeys(name: string): string[] | undefined {
    const keys = new Set<string>();
    let exists = false;
    const secret = this.find('Secret', name);
    if (secret) {
      exists = true;
      for (const k of Object.keys({ ...(secret.data as object), ...(secret.stringData as object) })) keys.add(k);
    }
    for (const { env } of this.keygenJobs()) {
      if (env.KEYGEN_SECRET !== name) continue;
      for (const k of [...env.KEYGEN_SEEDS!.split(','), ...(env.KEYGEN_COPY ?? '').split(',')].filter(Boolean)) keys.add(k);
    }
    for (const es of this.externalSecrets()) {
      if (es.target !== name) continue;
      exists = true;
      for (const k of es.keys) keys.add(k);
    }
    return exists ? [...keys] : undefined;
  }

  configMapKeys(name: string): string[] | undefined {
    const cm = this.find('ConfigMap', name);
    if (!cm) return undefined;
    const keys = new Set(Object.keys((cm.data as object | undefined) ?? {}));
    if (this.keygenJobs().some(({ env }) => env.KEYGEN_CONFIGMAP === name)) keys.add('PUBLIC_KEY');
    return [...keys];
  }
}

function containersOf(pod: Pod): Container[] {
  return [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
}

function secretsReferenced(pod: Pod): Set<string> {
  const names = new Set<string>();
  for (const c of containersOf(pod)) {
    for (const from of c.envFrom ?? []) if (from.secretRef) names.add(from.secretRef.name);
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) names.add(e.valueFrom.secretKeyRef.name);
  }
  for (const v of pod.spec.volumes ?? []) {
    if (v.secret) names.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) if (s.secret) names.add(s.secret.name);
  }
  return names;
}

function portNumber(container: Container, port: string | number): number | undefined {
  return typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort;
}

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
function ed25519PublicKeyHex(seedHex: string): string {
  const key = crypto.createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(seedHex, 'hex')]), format: 'der', type: 'pkcs8' });
  const spki = crypto.createPublicKey(key).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32).toString('hex');
}

/**
 * What the cluster holds once applied: every Secret key filled as its producer would (fresh random
 * keys for seeds and key-encryption keys, the committed or keygen-copied connection strings, test
 * URLs for what a store holds), and every identity ConfigMap holding the public key of its holder's seed.
 */
function applied(r: Rendered): { secret: (name: string) => Record<string, string>; configMap: (name: string) => Record<string, string> } {
  const secrets = new Map<string, Record<string, string>>();
  const secret = (name: string): Record<string, string> => {
    let values = secrets.get(name);
    if (values) return values;
    values = {};
    const committed = r.find('Secret', name);
    const keygen = r.keygenJobs().find(({ env }) => env.KEYGEN_SECRET === name)?.env;
    for (const key of r.secretKeys(name) ?? []) {
      const fixed = (committed?.stringData as Labels | undefined)?.[key] ?? keygen?.[key];
      if (fixed !== undefined && CONNECTION_KEYS.has(key)) values[key] = fixed;
      else if (key === 'DATABASE_URL') values[key] = `postgres://${name}:store-password@postgres:5432/${name.replace(/-/g, '_')}`;
      else if (key === 'REDIS_URL') values[key] = 'rediss://:store-password@redis:6379';
      else values[key] = crypto.randomBytes(32).toString('hex');
    }
    secrets.set(name, values);
    return values;
  };
  const configMap = (name: string): Record<string, string> => {
    const data: Record<string, string> = { ...((r.find('ConfigMap', name)?.data as Labels | undefined) ?? {}) };
    const holder = name.replace(/-identity$/, '');
    if (name.endsWith('-identity') && !data.PUBLIC_KEY) {
      const seed = secret(`${holder}-keys`).SIGNER_IDENTITY_SEED ?? secret(`${holder}-keys`).POLICY_ENGINE_SIGNING_SEED ?? crypto.randomBytes(32).toString('hex');
      data.PUBLIC_KEY = ed25519PublicKeyHex(seed);
    }
    return data;
  };
  return { secret, configMap };
}

/** A container's environment as the kubelet builds it: envFrom, then env with $(VAR) expansion; *_FILE of a mounted Secret read. */
function environmentOf(pod: Pod, c: Container, cluster: ReturnType<typeof applied>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    Object.assign(env, from.configMapRef ? cluster.configMap(from.configMapRef.name) : cluster.secret(from.secretRef!.name));
  }
  for (const e of c.env ?? []) {
    const s = e.valueFrom?.secretKeyRef;
    const m = e.valueFrom?.configMapKeyRef;
    if (s) env[e.name] = cluster.secret(s.name)[s.key] ?? '';
    else if (m) env[e.name] = cluster.configMap(m.name)[m.key] ?? '';
    else if (e.valueFrom) throw new Error(`${pod.owner.metadata.name}/${c.name}: ${e.name} has an unexpected valueFrom`);
    else env[e.name] = (e.value ?? '').replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
  }
  for (const [name, file] of Object.entries(env)) {
    if (!name.endsWith('_FILE')) continue;
    const mount = (c.volumeMounts ?? []).find((m) => file.startsWith(`${m.mountPath}/`));
    const volume = pod.spec.volumes?.find((v) => v.name === mount?.name);
    if (mount && volume?.configMap) {
      // A public file (e.g. the policy engine's bootstrap document): it must be a key of the ConfigMap; the app reads the path.
      const relative = file.slice(mount.mountPath.length + 1);
      const key = volume.configMap.items ? volume.configMap.items.find((i) => i.path === relative)?.key : relative;
      if (key === undefined || !(key in cluster.configMap(volume.configMap.name))) throw new Error(`${pod.owner.metadata.name}/${c.name}: ${file} is not a key of ConfigMap ${volume.configMap.name}`);
      continue;
    }
    if (!mount || !volume?.secret) throw new Error(`${pod.owner.metadata.name}/${c.name}: ${name} is not in a mounted Secret`);
    const relative = file.slice(mount.mountPath.length + 1);
    const key = volume.secret.items ? volume.secret.items.find((i) => i.path === relative)?.key : relative;
    const value = key === undefined ? undefined : cluster.secret(volume.secret.secretName)[key];
    if (value === undefined) throw new Error(`${pod.owner.metadata.name}/${c.name}: ${file} is not a key of ${volume.secret.secretName}`);
    delete env[name];
    env[name.slice(0, -'_FILE'.length)] = value;
  }
  return env;
}

function kubectlAvailable(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
}

describe('k8s manifests', () => {
  it('have a dev and a production overlay, and every file under k8s/ is listed by a kustomization', () => {
    expect(OVERLAYS).toEqual(expect.arrayContaining(['dev', 'production']));
    const listed = new Set(OVERLAYS.flatMap((o) => listedFiles(path.join(K8S, 'overlays', o))).map((f) => path.relative(K8S, path.resolve(f))));
    const onDisk = fs.readdirSync(K8S, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml'));
    expect(onDisk.filter((f) => !listed.has(f))).toEqual([]);
  });

  it('commit no key material: no 32-byte hex or base64 value in any file under k8s/', () => {
    for (const file of fs.readdirSync(K8S, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml'))) {
      const text = fs.readFileSync(path.join(K8S, file), 'utf8');
      expect({ file, hex: text.match(/\b[0-9a-fA-F]{64}\b/g) ?? [], base64: text.match(/\b[A-Za-z0-9+/]{43}=/g) ?? [] }).toEqual({ file, hex: [], base64: [] });
    }
  });

  it('the base alone holds no Secret', () => {
    expect(renderKustomization(path.join(K8S, 'base')).filter((o) => o.kind === 'Secret' || o.kind === 'ExternalSecret')).toEqual([]);
  });

  it('the test renderer refuses a kustomization feature it does not implement', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-'));
    try {
      fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\npatches:\n  - path: p.yaml\n');
      expect(() => renderKustomization(dir)).toThrow(/field "patches" is not supported/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.each(OVERLAYS)('overlay %s, rendered', (overlay) => {
    const dir = path.join(K8S, 'overlays', overlay);
    const r = new Rendered(renderKustomization(dir));
    const signers = r.signers();
    const workloads = r.pods.filter((p) => p.owner.kind !== 'Job');
    const signerIds = Array.from({ length: SIGNER_COUNT }, (_, i) => i + 1);

    it('equals `kubectl kustomize` (checked where kubectl is installed)', () => {
      if (!kubectlAvailable()) return;
      const out = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
      expect(out.stderr).toBe('');
      const theirs = parseAllDocuments(out.stdout).map((d) => d.toJS() as K8sObject);
      const key = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;
      const sort = (list: K8sObject[]): K8sObject[] => [...list].sort((a, b) => key(a).localeCompare(key(b)));
      expect(sort(r.objects)).toEqual(sort(theirs));
    });

    it('runs each signer as its own workload (one replica) with its own ServiceAccount, no API token', () => {
      expect([...signers.keys()].sort()).toEqual(signerIds);
      const owners = new Set([...signers.values()].map((p) => p.owner.metadata.name));
      expect(owners.size).toBe(SIGNER_COUNT);
      for (const [id, pod] of signers) {
        expect({ id, kind: pod.owner.kind, replicas: (pod.owner.spec as { replicas: number }).replicas }).toEqual({ id, kind: 'StatefulSet', replicas: 1 });
        const account = pod.spec.serviceAccountName;
        expect(account).toBeDefined();
        expect(r.find('ServiceAccount', account!)).toBeDefined();
        expect(r.pods.filter((p) => p.spec.serviceAccountName === account).map((p) => p.owner.metadata.name)).toEqual([pod.owner.metadata.name]);
        const tokenMounted = pod.spec.automountServiceAccountToken ?? (r.find('ServiceAccount', account!) as { automountServiceAccountToken?: boolean }).automountServiceAccountToken ?? true;
        expect({ id, tokenMounted }).toEqual({ id, tokenMounted: false });
      }
    });

    it("mounts in each signer only its own Secret, and no other signer's or service's pod can read it", () => {
      const own = new Map<number, string>();
      for (const [id, pod] of signers) {
        const referenced = [...secretsReferenced(pod)];
        expect({ id, referenced }).toEqual({ id, referenced: [expect.stringMatching(/.+/)] });
        own.set(id, referenced[0]!);
      }
      expect(new Set(own.values()).size).toBe(SIGNER_COUNT);
      for (const [id, secret] of own) {
        const readers = r.pods.filter((p) => secretsReferenced(p).has(secret)).map((p) => p.owner.metadata.name);
        const keygen = r.keygenJobs().filter(({ env }) => env.KEYGEN_SECRET === secret).map(({ job }) => job.metadata.name);
        expect({ id, readers: readers.filter((n) => !keygen.includes(n)) }).toEqual({ id, readers: [signers.get(id)!.owner.metadata.name] });
        expect(r.secretKeys(secret)).toEqual(expect.arrayContaining(['SIGNER_IDENTITY_SEED', 'SIGNER_KEK', 'DATABASE_URL']));
      }
    });

    it('commits no key: every Secret value is a connection string without a password, and every signer key is made at apply time or synced from a store', () => {
      for (const secret of r.kind('Secret')) {
        for (const [key, value] of Object.entries({ ...(secret.data as Labels), ...(secret.stringData as Labels) })) {
          expect({ secret: secret.metadata.name, key, allowed: CONNECTION_KEYS.has(key) }).toEqual({ secret: secret.metadata.name, key, allowed: true });
          expect({ secret: secret.metadata.name, key, password: new URL(secret.data ? Buffer.from(value, 'base64').toString() : value).password }).toEqual({ secret: secret.metadata.name, key, password: '' });
        }
      }
      const text = JSON.stringify(r.objects);
      expect(text.match(/[0-9a-fA-F]{64}/g) ?? []).toEqual([]);
      const storesUsed = new Map<string, string>();
      for (const [id, pod] of signers) {
        const secret = [...secretsReferenced(pod)][0]!;
        const keygens = r.keygenJobs().filter(({ env }) => env.KEYGEN_SECRET === secret);
        const external = r.externalSecrets().filter((e) => e.target === secret);
        expect({ id, producers: keygens.length + external.length }).toEqual({ id, producers: 1 });
        for (const { job, env } of keygens) {
          expect(env.KEYGEN_SEEDS!.split(',').sort()).toEqual(['SIGNER_IDENTITY_SEED', 'SIGNER_KEK']);
          expect(env.KEYGEN_PUBLISH).toBe('SIGNER_IDENTITY_SEED');
          // The Job's account may get and patch exactly this Secret and its identity ConfigMap.
          const account = (job.spec as { template: { spec: PodSpec } }).template.spec.serviceAccountName!;
          const bindings = r.kind('RoleBinding').filter((b) => (b.subjects as Array<{ kind: string; name: string }>).some((s) => s.kind === 'ServiceAccount' && s.name === account));
          expect(bindings).toHaveLength(1);
          expect(r.kind('RoleBinding').filter((b) => (b.roleRef as { name: string }).name === (bindings[0]!.roleRef as { name: string }).name)).toHaveLength(1);
          const role = r.find('Role', (bindings[0]!.roleRef as { name: string }).name)!;
          const rules = role.rules as Array<{ apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] }>;
          const granted = rules.flatMap((rule) => rule.resources.flatMap((res) => (rule.resourceNames ?? ['*']).flatMap((n) => rule.verbs.map((v) => `${v} ${res}/${n}`))));
          expect(granted.sort()).toEqual([`get configmaps/${env.KEYGEN_CONFIGMAP}`, `get secrets/${secret}`, `patch configmaps/${env.KEYGEN_CONFIGMAP}`, `patch secrets/${secret}`].sort());
          expect(r.find('ClusterRoleBinding', account)).toBeUndefined();
        }
        for (const e of external) {
          expect(e.keys.sort()).toEqual(['DATABASE_URL', 'REDIS_URL', 'SIGNER_IDENTITY_SEED', 'SIGNER_KEK']);
          expect({ id, storeSharedWith: storesUsed.get(e.store) }).toEqual({ id, storeSharedWith: undefined });
          storesUsed.set(e.store, secret);
        }
      }
    });

    it("gives the policy engine its grant-signing seed from its own Secret (one producer) and its bootstrap file from a ConfigMap; the identity it publishes is that seed's", () => {
      const cluster = applied(r);
      const engine = workloads.find((p) => p.owner.metadata.name === 'policy-engine')!;
      const c = engine.spec.containers[0]!;
      const env = environmentOf(engine, c, cluster);
      const config = parsePolicyEngineConfig(env);
      expect(config.bootstrapFile).toBe('/etc/custody/bootstrap/bootstrap.json');
      expect(r.find('ConfigMap', 'policy-engine-bootstrap')).toBeDefined();
      expect([...secretsReferenced(engine)].sort()).toEqual(['custody-services', 'policy-engine-keys']);
      const producers = r.keygenJobs().filter(({ env: e }) => e.KEYGEN_SECRET === 'policy-engine-keys').length + r.externalSecrets().filter((e) => e.target === 'policy-engine-keys').length;
      expect(producers).toBe(1);
      // No other workload reads the engine's seed.
      expect(r.pods.filter((p) => p.owner.kind !== 'Job' && secretsReferenced(p).has('policy-engine-keys')).map((p) => p.owner.metadata.name)).toEqual(['policy-engine']);
      if (overlay === 'dev') expect(Buffer.from(config.engineKey.publicKey).toString('hex')).toBe(cluster.configMap('policy-engine-identity').PUBLIC_KEY);
    });

    it("publishes the peers' public identity keys for the others, and each signer pins all of them", () => {
      const cluster = applied(r);
      expect([...signers.keys()].sort()).toEqual(signerIds);
      for (const pod of signers.values()) {
        const env = environmentOf(pod, pod.spec.containers[0]!, cluster);
        const peers = JSON.parse(env.SIGNER_PEERS!) as Array<{ id: number; publicKey: string; address: string }>;
        expect(peers.map((p) => p.id)).toEqual(signerIds);
        for (const peer of peers) {
          expect(peer.publicKey).toBe(cluster.configMap(`signer-${peer.id}-identity`).PUBLIC_KEY);
          expect(r.find('Service', peer.address.split(':')[0]!)).toBeDefined();
        }
      }
    });

    it('gives every app an environment its own config parser accepts', () => {
      const cluster = applied(r);
      for (const pod of workloads) {
        const c = pod.spec.containers[0]!;
        const app = /dist\/apps\/([a-z-]+)\/src\/main\.js/.exec(c.command?.join(' ') ?? '')?.[1];
        expect({ workload: pod.owner.metadata.name, app: typeof app }).toEqual({ workload: pod.owner.metadata.name, app: 'string' });
        expect(fs.existsSync(path.join(ROOT, 'apps', app!, 'src', 'main.ts'))).toBe(true);
        const env = environmentOf(pod, c, cluster);
        expect(() => {
          try {
            if (app === 'signer') parseSignerConfig(env);
            else if (app === 'policy-engine') parsePolicyEngineConfig(env);
            else if (app === 'chain-indexer') parseChainIndexerConfig(env);
            else if (app === 'ledger') parseLedgerConfig(env);
            else if (app === 'gateway') {
              // the withdrawal pipeline is configured (withdrawals would answer 503 without it)
              expect(parseGatewayConfig(env).pipeline).toBeDefined();
            } else parseServiceConfig(env, app!);
          } catch (error) {
            if (error instanceof ConfigError) throw new Error(`${pod.owner.metadata.name}: ${error.message}`, { cause: error });
            throw error;
          }
        }).not.toThrow();
        for (const init of pod.spec.initContainers ?? []) {
          const initEnv = environmentOf(pod, init, cluster);
          for (const arg of [...(init.command ?? []), ...(init.args ?? [])]) {
            for (const [, name] of arg.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) expect({ init: init.name, name, defined: name! in initEnv }).toEqual({ init: init.name, name, defined: true });
          }
        }
      }
    });

    it('probes liveness without Postgres or Redis (httpGet /livez) and readiness with them (/readyz)', () => {
      for (const pod of workloads) {
        const c = pod.spec.containers[0]!;
        const live = c.livenessProbe;
        expect({ workload: pod.owner.metadata.name, live: live !== undefined }).toEqual({ workload: pod.owner.metadata.name, live: true });
        // gRPC health is SERVING only while Postgres and Redis answer, like /healthz.
        expect({ workload: pod.owner.metadata.name, grpc: live!.grpc, exec: live!.exec }).toEqual({ workload: pod.owner.metadata.name, grpc: undefined, exec: undefined });
        // /livez is the apps' liveness endpoint (libs/platform health.controller.ts): it asks neither.
        expect({ workload: pod.owner.metadata.name, path: live!.httpGet?.path, port: live!.httpGet?.port, tcp: live!.tcpSocket }).toEqual({ workload: pod.owner.metadata.name, path: '/livez', port: 'http', tcp: undefined });
        expect({ workload: pod.owner.metadata.name, path: c.readinessProbe?.httpGet?.path, port: c.readinessProbe?.httpGet?.port }).toEqual({ workload: pod.owner.metadata.name, path: '/readyz', port: 'http' });
        for (const probe of [live!, c.readinessProbe!]) {
          const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
          expect(portNumber(c, port!)).toBeDefined();
        }
      }
    });

    it(`keeps the signers on different nodes and at least ${THRESHOLD} of them up through voluntary disruptions`, () => {
      const pods = [...signers.values()];
      const budgets = r.kind('PodDisruptionBudget').filter((b) => pods.every((p) => matches((b.spec as { selector: LabelSelector }).selector, p.labels)));
      expect(budgets).toHaveLength(1);
      const spec = budgets[0]!.spec as { minAvailable?: number; maxUnavailable?: number };
      expect(spec.minAvailable).toBe(THRESHOLD);
      expect(spec.maxUnavailable).toBeUndefined();
      for (const [id, pod] of signers) {
        const others = pods.filter((p) => p !== pod);
        const apart =
          (pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).some(
            (term) => term.topologyKey === 'kubernetes.io/hostname' && others.every((o) => matches(term.labelSelector, o.labels)),
          ) ||
          (pod.spec.topologySpreadConstraints ?? []).some(
            (t) => t.topologyKey === 'kubernetes.io/hostname' && t.whenUnsatisfiable === 'DoNotSchedule' && t.maxSkew === 1 && others.every((o) => matches(t.labelSelector, o.labels)),
          );
        expect({ id, apart }).toEqual({ id, apart: true });
      }
    });

    it('denies all ingress and egress by default; every egress rule names its ports and (but for the API server) its peers; each signer has its own policy and reaches only its own database', () => {
      const policies = r.kind('NetworkPolicy').map((np) => ({ name: np.metadata.name, spec: np.spec as NetworkPolicySpec }));
      const deny = policies.filter((p) => Object.keys(p.spec.podSelector).length === 0 || Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0);
      expect(deny.map((p) => ({ types: [...(p.spec.policyTypes ?? [])].sort(), ingress: p.spec.ingress, egress: p.spec.egress }))).toEqual([{ types: ['Egress', 'Ingress'], ingress: undefined, egress: undefined }]);
      for (const { name, spec } of policies) {
        for (const rule of spec.egress ?? []) {
          expect({ name, ports: (rule.ports ?? []).length > 0 }).toEqual({ name, ports: true });
          if (!rule.to) {
            // Only the dev keygen Jobs, to the API server, whose address differs per cluster.
            const selected = r.pods.filter((p) => matches(spec.podSelector, p.labels));
            expect({ name, selected: selected.every((p) => r.keygenJobs().some(({ job }) => job === p.owner)), ports: rule.ports!.map((p) => p.port).sort() }).toEqual({ name, selected: true, ports: [443, 6443] });
          }
        }
      }
      for (const pod of r.pods) {
        const egress = policies.filter((p) => p.spec.policyTypes?.includes('Egress') && matches(p.spec.podSelector, pod.labels) && p.spec.egress?.length);
        expect({ pod: pod.owner.metadata.name, egress: egress.length > 0 }).toEqual({ pod: pod.owner.metadata.name, egress: true });
      }
      for (const [id, pod] of signers) {
        const own = policies.filter((p) => matches(p.spec.podSelector, pod.labels) && [...signers.values()].filter((s) => matches(p.spec.podSelector, s.labels)).length === 1);
        expect({ id, own: own.map((p) => [...(p.spec.policyTypes ?? [])].sort()) }).toEqual({ id, own: [['Egress', 'Ingress']] });
        const databases = policies
          .filter((p) => matches(p.spec.podSelector, pod.labels))
          .flatMap((p) => p.spec.egress ?? [])
          .flatMap((rule) => rule.to ?? [])
          .filter((peer) => peer.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'postgres');
        expect(databases.map((d) => d.podSelector!.matchLabels!['app.kubernetes.io/instance'])).toEqual([`postgres-signer-${id}`]);
      }
    });

    it("lets the gateway deliver webhooks to public https receivers only: 443, private, link-local and loopback ranges excluded", () => {
      const gateway = r.kind('NetworkPolicy').find((np) => np.metadata.name === 'gateway')!.spec as NetworkPolicySpec;
      const outside = (gateway.egress ?? []).filter((rule) => (rule.to ?? []).some((peer) => peer.ipBlock !== undefined));
      expect(outside).toHaveLength(1);
      expect(outside[0]!.ports).toEqual([{ port: 443, protocol: 'TCP' }]);
      const blocks = outside[0]!.to!.map((peer) => peer.ipBlock as { cidr: string; except?: string[] });
      expect(blocks.find((b) => b.cidr === '0.0.0.0/0')!.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '127.0.0.0/8']));
      expect(blocks.find((b) => b.cidr === '::/0')!.except).toEqual(expect.arrayContaining(['fc00::/7', 'fe80::/10', '::1/128']));
      // No other workload reaches outside the cluster this way.
      for (const np of r.kind('NetworkPolicy').filter((x) => x.metadata.name !== 'gateway')) {
        for (const rule of (np.spec as NetworkPolicySpec).egress ?? []) expect({ policy: np.metadata.name, public: (rule.to ?? []).some((peer) => (peer.ipBlock as { cidr?: string } | undefined)?.cidr === '0.0.0.0/0') }).toEqual({ policy: np.metadata.name, public: false });
      }
    });

    it('serves /metrics on a port of its own: no Service exposes it, and only the monitoring namespace reaches it, on it alone', () => {
      const cluster = applied(r);
      for (const pod of workloads) {
        const c = pod.spec.containers[0]!;
        const env = environmentOf(pod, c, cluster);
        const metrics = portNumber(c, 'metrics');
        expect({ workload: pod.owner.metadata.name, metrics: metrics !== undefined }).toEqual({ workload: pod.owner.metadata.name, metrics: true });
        expect([Number(env.HTTP_PORT), Number(env.GRPC_PORT)]).not.toContain(metrics);
        expect(Number(env.METRICS_PORT)).toBe(metrics);
        for (const port of [Number(env.HTTP_PORT), Number(env.GRPC_PORT)]) expect((c.ports ?? []).map((p) => p.containerPort)).toContain(port);
        // Prometheus' pod discovery is told the same port, and the path the apps serve there.
        const scrape = pod.annotations;
        expect({ workload: pod.owner.metadata.name, scrape: scrape['prometheus.io/scrape'], port: Number(scrape['prometheus.io/port']), path: scrape['prometheus.io/path'] }).toEqual({
          workload: pod.owner.metadata.name,
          scrape: 'true',
          port: metrics,
          path: '/metrics',
        });
        // And the app's own config parser reads METRICS_PORT as that port.
        expect(parseServiceConfig(env, pod.owner.metadata.name).metricsPort).toBe(metrics);
      }
      for (const svc of r.kind('Service')) {
        for (const p of (svc.spec as { ports: Array<{ name: string; targetPort: string | number }> }).ports) {
          expect({ service: svc.metadata.name, targetPort: p.targetPort }).not.toEqual({ service: svc.metadata.name, targetPort: 'metrics' });
          expect(p.targetPort).not.toBe(9464);
        }
      }
      for (const np of r.kind('NetworkPolicy')) {
        for (const rule of (np.spec as NetworkPolicySpec).ingress ?? []) {
          const fromMonitoring = (rule.from ?? []).some((f) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring');
          const ports = (rule.ports ?? []).map((p) => p.port);
          if (fromMonitoring) expect({ policy: np.metadata.name, ports }).toEqual({ policy: np.metadata.name, ports: ['metrics'] });
          else expect({ policy: np.metadata.name, ports }).not.toEqual(expect.arrayContaining(['metrics']));
        }
      }
    });

    it('gives every Job a TTL, migrates before the services start (they wait for their schema), and each signer migrates its own database', () => {
      for (const job of r.kind('Job')) expect({ job: job.metadata.name, ttl: typeof (job.spec as { ttlSecondsAfterFinished?: number }).ttlSecondsAfterFinished }).toEqual({ job: job.metadata.name, ttl: 'number' });
      const migrate = r.kind('Job').filter((j) => (j.spec as { template: { spec: PodSpec } }).template.spec.containers[0]!.command?.join(' ') === 'node bin/custody.js migrate --only main');
      expect(migrate).toHaveLength(1);
      for (const pod of workloads) {
        const app = /dist\/apps\/([a-z-]+)\//.exec(pod.spec.containers[0]!.command!.join(' '))![1]!;
        const inits = (pod.spec.initContainers ?? []).map((c) => c.command?.join(' ') ?? '');
        if (app === 'signer') expect(inits).toEqual([expect.stringContaining('bin/custody.js migrate --signer-database-url $(DATABASE_URL)')]);
        else expect({ app, inits }).toEqual({ app, inits: [expect.stringContaining(`node scripts/wait-for-schema.js --owner ${SCHEMA_OWNER[app]}`)] });
      }
      for (const script of new Set(r.pods.flatMap((p) => containersOf(p).flatMap((c) => c.command ?? []).filter((a) => /^(scripts|bin)\//.test(a))))) {
        expect(fs.existsSync(path.join(ROOT, script))).toBe(true);
        expect(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')).toContain(`COPY --from=build /app/${script.split('/')[0]} ./${script.split('/')[0]}`);
      }
    });

    it('sets resources on every container, init containers included', () => {
      for (const pod of r.pods) {
        for (const c of containersOf(pod)) {
          const res = c.resources;
          expect({ container: `${pod.owner.metadata.name}/${c.name}`, cpu: res?.requests?.cpu !== undefined, memory: res?.requests?.memory !== undefined, limit: res?.limits?.memory !== undefined }).toEqual({
            container: `${pod.owner.metadata.name}/${c.name}`,
            cpu: true,
            memory: true,
            limit: true,
          });
        }
      }
    });

    it('mounts every volume it declares, and claims none it does not use', () => {
      for (const pod of r.pods) {
        const mounted = new Set(containersOf(pod).flatMap((c) => (c.volumeMounts ?? []).map((m) => m.name)));
        const declared = [...(pod.spec.volumes ?? []).map((v) => v.name), ...((pod.owner.spec as { volumeClaimTemplates?: Array<{ metadata: { name: string } }> }).volumeClaimTemplates ?? []).map((v) => v.metadata.name)];
        expect({ pod: pod.owner.metadata.name, unused: declared.filter((v) => !mounted.has(v)) }).toEqual({ pod: pod.owner.metadata.name, unused: [] });
        for (const m of mounted) expect(declared).toContain(m);
        // No app writes files (the signers' state is in their own Postgres database): no persistent volume.
        expect({ pod: pod.owner.metadata.name, claims: declared.filter((v) => !(pod.spec.volumes ?? []).some((d) => d.name === v && (d.secret || d.configMap || d.projected || d.emptyDir))) }).toEqual({ pod: pod.owner.metadata.name, claims: [] });
      }
    });

    it('refers only to Secrets, ConfigMaps, keys, ports and ServiceAccounts that exist; Services and policies select pods', () => {
      for (const pod of r.pods) {
        if (pod.spec.serviceAccountName) expect(r.find('ServiceAccount', pod.spec.serviceAccountName)).toBeDefined();
        for (const c of containersOf(pod)) {
          for (const from of c.envFrom ?? []) {
            if (from.configMapRef) expect({ ref: from.configMapRef.name, exists: r.configMapKeys(from.configMapRef.name) !== undefined }).toEqual({ ref: from.configMapRef.name, exists: true });
            if (from.secretRef) expect(r.secretKeys(from.secretRef.name)).toBeDefined();
          }
          for (const e of c.env ?? []) {
            const s = e.valueFrom?.secretKeyRef;
            if (s) expect({ ref: `${s.name}/${s.key}`, has: (r.secretKeys(s.name) ?? []).includes(s.key) }).toEqual({ ref: `${s.name}/${s.key}`, has: true });
            const m = e.valueFrom?.configMapKeyRef;
            if (m) expect({ ref: `${m.name}/${m.key}`, has: (r.configMapKeys(m.name) ?? []).includes(m.key) }).toEqual({ ref: `${m.name}/${m.key}`, has: true });
          }
        }
        for (const v of pod.spec.volumes ?? []) {
          if (v.secret) for (const item of v.secret.items ?? []) expect(r.secretKeys(v.secret.secretName)).toContain(item.key);
        }
      }
      for (const svc of r.kind('Service')) {
        const spec = svc.spec as { selector: Labels; ports: Array<{ targetPort: string | number }> };
        const targets = workloads.filter((w) => matches({ matchLabels: spec.selector }, w.labels));
        expect({ service: svc.metadata.name, targets: targets.length }).toEqual({ service: svc.metadata.name, targets: 1 });
        for (const p of spec.ports) expect(portNumber(targets[0]!.spec.containers[0]!, p.targetPort)).toBeDefined();
      }
      for (const np of r.kind('NetworkPolicy')) {
        const spec = np.spec as NetworkPolicySpec;
        const selected = r.pods.filter((p) => matches(spec.podSelector, p.labels));
        expect({ policy: np.metadata.name, selected: selected.length > 0 }).toEqual({ policy: np.metadata.name, selected: true });
        for (const rule of spec.ingress ?? []) {
          // A Job's pod (migration, keygen) serves nothing: a named port it lacks admits nothing.
          for (const port of rule.ports ?? []) for (const p of selected.filter((s) => s.owner.kind !== 'Job')) expect({ policy: np.metadata.name, pod: p.owner.metadata.name, port: port.port, found: portNumber(p.spec.containers[0]!, port.port!) !== undefined }).toEqual({ policy: np.metadata.name, pod: p.owner.metadata.name, port: port.port, found: true });
        }
        for (const rule of [...(spec.ingress ?? []).flatMap((x) => x.from ?? []), ...(spec.egress ?? []).flatMap((x) => x.to ?? [])]) {
          if (!rule.podSelector || rule.namespaceSelector) continue;
          if (EXTERNAL_APPS.has(rule.podSelector.matchLabels?.['app.kubernetes.io/name'] ?? '')) continue;
          expect({ policy: np.metadata.name, peer: rule.podSelector, found: r.pods.some((p) => matches(rule.podSelector, p.labels)) }).toEqual({ policy: np.metadata.name, peer: rule.podSelector, found: true });
        }
      }
    });
  });
});
