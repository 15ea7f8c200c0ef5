import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * Test support: renders a kustomization the way `kubectl kustomize` (kustomize v5) does, for exactly
 * the features our k8s/ tree uses — `resources` (files, and directories holding a kustomization),
 * `namespace`, `labels` (with `includeTemplates`) and `images` — and refuses any other field, so that
 * a manifest change cannot silently use a feature these tests do not render. kustomize is not a
 * dependency (CI does not install it); where `kubectl` is installed, manifests.spec.ts checks that
 * this renderer's output equals `kubectl kustomize`.
 */
export type K8sObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'labels', 'images', 'resources']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'ClusterSecretStore', 'PriorityClass', 'StorageClass']);
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  labels?: Array<{ pairs: Record<string, string>; includeTemplates?: boolean; includeSelectors?: boolean }>;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
  resources?: string[];
}

export function loadYamlFile(file: string): K8sObject[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  const objects: K8sObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    objects.push(value as K8sObject);
  }
  return objects;
}

function readKustomization(dir: string): Kustomization {
  const file = path.join(dir, 'kustomization.yaml');
  const [k] = loadYamlFile(file) as unknown as Kustomization[];
  if (!k) throw new Error(`${file} is empty`);
  for (const field of Object.keys(k)) {
    if (!SUPPORTED_FIELDS.has(field)) throw new Error(`${file}: field "${field}" is not supported by the test renderer (test/k8s/support/kustomize.ts)`);
  }
  if (k.kind !== 'Kustomization') throw new Error(`${file}: kind must be Kustomization`);
  for (const l of k.labels ?? []) {
    for (const field of Object.keys(l)) {
      if (!['pairs', 'includeTemplates'].includes(field)) throw new Error(`${file}: labels.${field} is not supported by the test renderer`);
    }
  }
  return k;
}

interface PodSpecLike {
  containers?: Array<{ image?: string }>;
  initContainers?: Array<{ image?: string }>;
}

/** The pod templates' specs of an object (Deployment, StatefulSet, Job, …). */
export function podSpecsOf(o: K8sObject): PodSpecLike[] {
  const spec = o.spec as { template?: { spec?: PodSpecLike } } | undefined;
  return POD_TEMPLATE_KINDS.has(o.kind) && spec?.template?.spec ? [spec.template.spec] : [];
}

function imageName(image: string): string {
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const colon = withoutDigest.lastIndexOf(':');
  return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
}

function applyTransformers(objects: K8sObject[], k: Kustomization): void {
  for (const o of objects) {
    if (k.namespace !== undefined && !CLUSTER_SCOPED.has(o.kind)) {
      o.metadata.namespace = k.namespace;
      if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
        for (const subject of (o.subjects as Array<{ kind: string; namespace?: string }> | undefined) ?? []) {
          if (subject.kind === 'ServiceAccount') subject.namespace = k.namespace;
        }
      }
    }
    for (const { pairs, includeTemplates } of k.labels ?? []) {
      o.metadata.labels = { ...o.metadata.labels, ...pairs };
      const template = (o.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template;
      if (includeTemplates && POD_TEMPLATE_KINDS.has(o.kind) && template) {
        template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...pairs } };
      }
      // kustomize also labels a StatefulSet's volume claim templates.
      const claims = (o.spec as { volumeClaimTemplates?: Array<{ metadata?: { labels?: Record<string, string> } }> } | undefined)?.volumeClaimTemplates;
      if (includeTemplates && o.kind === 'StatefulSet') for (const claim of claims ?? []) claim.metadata = { ...claim.metadata, labels: { ...claim.metadata?.labels, ...pairs } };
    }
    for (const image of k.images ?? []) {
      for (const pod of podSpecsOf(o)) {
        for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
          if (c.image === undefined || imageName(c.image) !== image.name) continue;
          const current = c.image.slice(imageName(c.image).length);
          c.image = `${image.newName ?? image.name}${image.newTag !== undefined ? `:${image.newTag}` : current}`;
        }
      }
    }
  }
}

/** The objects `kubectl kustomize dir` prints (in file order, not kustomize's kind order). */
export function renderKustomization(dir: string): K8sObject[] {
  const k = readKustomization(dir);
  const objects: K8sObject[] = [];
  for (const resource of k.resources ?? []) {
    const target = path.join(dir, resource);
    if (fs.statSync(target).isDirectory()) objects.push(...renderKustomization(target));
    else objects.push(...loadYamlFile(target).map((o) => structuredClone(o)));
  }
  const seen = new Set<string>();
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata.name}`;
    if (seen.has(id)) throw new Error(`${dir}: ${id} is defined twice`);
    seen.add(id);
  }
  applyTransformers(objects, k);
  return objects;
}

/** The files a kustomization lists, recursively (to find manifests no kustomization includes). */
export function listedFiles(dir: string): string[] {
  const k = readKustomization(dir);
  return [path.join(dir, 'kustomization.yaml'), ...(k.resources ?? []).flatMap((r) => {
    const target = path.join(dir, r);
    return fs.statSync(target).isDirectory() ? listedFiles(target) : [target];
  })];
}
