import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigError, parseServiceConfig } from '@custody/config';
import { parseSignerConfig } from '../../apps/signer/src/config';

/**
 * Reads every manifest under k8s/ the way kustomize would assemble the base, and checks that each
 * one parses and that every port, ConfigMap key, Secret key, Service selector and NetworkPolicy
 * target it refers to exists — and that each app gets an environment its real config parser accepts.
 */
type Obj = Record<string, unknown>;
interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Obj;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  file: string;
}
interface Container {
  name: string;
  command?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  readinessProbe?: { httpGet?: { port: string | number }; grpc?: { port: number } };
  livenessProbe?: { httpGet?: { port: string | number }; grpc?: { port: number } };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Array<{ name: string; projected?: { sources: Array<{ secret?: { name: string; items?: Array<{ key: string; path: string }> } }> } }>;
  serviceAccountName?: string;
}
interface Workload extends Manifest {
  spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec }; volumeClaimTemplates?: Array<{ metadata: { name: string } }> };
}

const K8S = path.join(__dirname, '..', '..', 'k8s');
const BASE = path.join(K8S, 'base');

function loadYaml(file: string): Obj[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  for (const doc of docs) if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
  return docs.map((d) => d.toJS() as Obj).filter((d) => d !== null);
}

function loadBase(): Manifest[] {
  const kustomization = loadYaml(path.join(BASE, 'kustomization.yaml'))[0] as { resources: string[]; labels: Array<{ pairs: Record<string, string>; includeTemplates?: boolean }> };
  return kustomization.resources.flatMap((resource) => {
    const file = path.join(BASE, resource);
    return loadYaml(file).map((doc) => {
      const m = { ...(doc as unknown as Manifest), file: resource };
      for (const { pairs, includeTemplates } of kustomization.labels) {
        m.metadata.labels = { ...m.metadata.labels, ...pairs };
        const template = (m.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template;
        if (includeTemplates && template?.metadata) template.metadata.labels = { ...template.metadata.labels, ...pairs };
      }
      return m;
    });
  });
}

const manifests = loadBase();
const byKind = (kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);
const workloads = manifests.filter((m): m is Workload => ['Deployment', 'StatefulSet'].includes(m.kind));
const pods = [...workloads, ...byKind('Job')].map((m) => ({ m, spec: (m.spec as { template: { spec: PodSpec; metadata: { labels: Record<string, string> } } }).template }));
const keysOf = (kind: 'Secret' | 'ConfigMap', name: string): string[] | undefined => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  return found ? Object.keys({ ...found.data, ...found.stringData }) : undefined;
};
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The environment a container would get, with references resolved to the manifests' values. */
function environmentOf(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const name = from.configMapRef?.name ?? from.secretRef?.name;
    const source = manifests.find((m) => m.metadata.name === name && ['ConfigMap', 'Secret'].includes(m.kind));
    Object.assign(env, source?.data, source?.stringData);
  }
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
    if (ref) {
      const source = manifests.find((m) => m.metadata.name === ref.name && ['ConfigMap', 'Secret'].includes(m.kind));
      env[e.name] = { ...source?.data, ...source?.stringData }[ref.key] ?? '';
    } else if (e.valueFrom?.fieldRef) env[e.name] = '0';
    else env[e.name] = e.value ?? '';
  }
  return env;
}

describe('k8s manifests', () => {
  it('parse, and the base lists every manifest file there is', () => {
    const listed = new Set(manifests.map((m) => m.file));
    const onDisk = fs
      .readdirSync(BASE, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...onDisk].sort()).toEqual([...listed].sort());
    for (const overlay of fs.readdirSync(path.join(K8S, 'overlays'))) {
      expect(() => loadYaml(path.join(K8S, 'overlays', overlay, 'kustomization.yaml'))).not.toThrow();
    }
    for (const m of manifests) {
      expect(typeof m.kind).toBe('string');
      expect(m.metadata.name).toMatch(/^[a-z0-9-]+$/);
    }
  });

  it('has a Deployment and a Service for each service, and a StatefulSet of three signers with a volume each', () => {
    for (const app of ['gateway', 'policy-engine', 'ledger', 'chain-indexer']) {
      expect(byKind('Deployment').map((d) => d.metadata.name)).toContain(app);
      expect(byKind('Service').map((d) => d.metadata.name)).toContain(app);
    }
    const signers = workloads.find((w) => w.kind === 'StatefulSet' && w.metadata.name === 'signer')!;
    expect((signers.spec as unknown as { replicas: number }).replicas).toBe(3);
    expect(signers.spec.volumeClaimTemplates?.map((v) => v.metadata.name)).toEqual(['data']);
    expect(keysOf('Secret', 'signer-1')).toContain('DATABASE_URL');
    expect(keysOf('Secret', 'signer-2')).toContain('DATABASE_URL');
    expect(keysOf('Secret', 'signer-3')).toContain('DATABASE_URL');
  });

  it('refers only to Secrets, ConfigMaps, keys, volumes and service accounts that exist', () => {
    for (const { m, spec } of pods) {
      const volumes = new Set([...(spec.spec.volumes ?? []).map((v) => v.name), ...((m as Workload).spec.volumeClaimTemplates ?? []).map((v) => v.metadata.name)]);
      for (const c of [...spec.spec.containers, ...(spec.spec.initContainers ?? [])]) {
        for (const from of c.envFrom ?? []) {
          if (from.configMapRef) expect(keysOf('ConfigMap', from.configMapRef.name)).toBeDefined();
          if (from.secretRef) expect(keysOf('Secret', from.secretRef.name)).toBeDefined();
        }
        for (const e of c.env ?? []) {
          const s = e.valueFrom?.secretKeyRef;
          if (s) expect({ ref: `${m.metadata.name}/${c.name}/${e.name}`, has: (keysOf('Secret', s.name) ?? []).includes(s.key) }).toEqual({ ref: `${m.metadata.name}/${c.name}/${e.name}`, has: true });
          const cm = e.valueFrom?.configMapKeyRef;
          if (cm) expect(keysOf('ConfigMap', cm.name) ?? []).toContain(cm.key);
        }
        for (const mount of c.volumeMounts ?? []) expect(volumes).toContain(mount.name);
      }
      for (const v of spec.spec.volumes ?? []) {
        for (const source of v.projected?.sources ?? []) {
          if (!source.secret) continue;
          const keys = keysOf('Secret', source.secret.name);
          expect(keys).toBeDefined();
          for (const item of source.secret.items ?? []) expect(keys).toContain(item.key);
        }
      }
      if (spec.spec.serviceAccountName) expect(byKind('ServiceAccount').map((s) => s.metadata.name)).toContain(spec.spec.serviceAccountName);
    }
  });

  it('probes and services point at ports the containers declare, and services select pods', () => {
    for (const w of workloads) {
      const c = w.spec.template.spec.containers[0]!;
      const names = new Set((c.ports ?? []).map((p) => p.name));
      const numbers = new Set((c.ports ?? []).map((p) => p.containerPort));
      const env = environmentOf(c);
      expect(numbers).toContain(Number(env.HTTP_PORT));
      expect(numbers).toContain(Number(env.GRPC_PORT));
      for (const probe of [c.readinessProbe, c.livenessProbe]) {
        const port = probe?.httpGet?.port ?? probe?.grpc?.port;
        expect(port).toBeDefined();
        expect(typeof port === 'string' ? names.has(port) : numbers.has(port!)).toBe(true);
      }
      expect(matches(w.spec.selector.matchLabels, w.spec.template.metadata.labels)).toBe(true);
    }
    for (const svc of byKind('Service')) {
      const spec = svc.spec as { selector: Record<string, string>; ports: Array<{ targetPort: string | number }> };
      const targets = workloads.filter((w) => matches(spec.selector, w.spec.template.metadata.labels));
      expect({ service: svc.metadata.name, targets: targets.length }).toEqual({ service: svc.metadata.name, targets: 1 });
      const ports = targets[0]!.spec.template.spec.containers[0]!.ports ?? [];
      for (const p of spec.ports) {
        expect(ports.some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort)).toBe(true);
      }
    }
  });

  it('NetworkPolicies select existing pods and name ports those pods declare', () => {
    expect(byKind('NetworkPolicy').map((n) => n.metadata.name)).toContain('default-deny-ingress');
    for (const np of byKind('NetworkPolicy')) {
      const spec = np.spec as { podSelector: { matchLabels?: Record<string, string> }; ingress?: Array<{ from?: Array<{ podSelector?: { matchLabels: Record<string, string> } }>; ports?: Array<{ port: string | number }> }> };
      const selected = workloads.filter((w) => matches(spec.podSelector.matchLabels ?? {}, w.spec.template.metadata.labels));
      expect({ policy: np.metadata.name, selected: selected.length > 0 }).toEqual({ policy: np.metadata.name, selected: true });
      for (const rule of spec.ingress ?? []) {
        for (const from of rule.from ?? []) {
          if (from.podSelector) expect(workloads.some((w) => matches(from.podSelector!.matchLabels, w.spec.template.metadata.labels))).toBe(true);
        }
        for (const port of rule.ports ?? []) {
          for (const w of selected) {
            expect((w.spec.template.spec.containers[0]!.ports ?? []).some((p) => p.name === port.port || p.containerPort === port.port)).toBe(true);
          }
        }
      }
    }
  });

  it('gives every app an environment its own config parser accepts', () => {
    for (const w of workloads) {
      const c = w.spec.template.spec.containers[0]!;
      const env = environmentOf(c);
      const parse = (): unknown => {
        if (w.metadata.name !== 'signer') return parseServiceConfig(env, w.metadata.name);
        // The entry point sets SIGNER_ID from the pod index, and DATABASE_URL and the key files from
        // that signer's Secret, projected under /etc/custody/signers/signer-<id>/. Check every signer.
        const script = c.command?.join(' ') ?? '';
        expect(script).toContain('export SIGNER_ID=$((POD_INDEX + 1))');
        for (const file of ['DATABASE_URL', 'SIGNER_IDENTITY_SEED', 'SIGNER_KEK']) expect(script).toContain(`/etc/custody/signers/signer-$SIGNER_ID/${file}`);
        const replicas = (w.spec as unknown as { replicas: number }).replicas;
        for (let id = 1; id <= replicas; id++) {
          const secret = manifests.find((m) => m.kind === 'Secret' && m.metadata.name === `signer-${id}`)!;
          const values = { ...secret.stringData };
          parseSignerConfig({ ...env, SIGNER_ID: String(id), DATABASE_URL: values.DATABASE_URL, SIGNER_IDENTITY_SEED: values.SIGNER_IDENTITY_SEED, SIGNER_KEK: values.SIGNER_KEK });
        }
        return undefined;
      };
      expect(() => {
        try {
          parse();
        } catch (error) {
          if (error instanceof ConfigError) throw new Error(`${w.metadata.name}: ${error.message}`, { cause: error });
          throw error;
        }
      }).not.toThrow();
      expect(c.command?.join(' ')).toContain(`dist/apps/${w.metadata.name}/src/main.js`);
    }
  });
});
