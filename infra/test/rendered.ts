import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT, SUBGRAPH_NAMES, SUBGRAPH_PORTS, type SubgraphName } from '@ecom/platform/env';
import { parseAllDocuments, parse } from 'yaml';

/** The slice of the Kubernetes API these tests read; the YAML is checked by kubectl, not here. */
export interface Labels {
  [key: string]: string;
}
export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}
export interface HttpProbe {
  httpGet?: { path: string; port: string | number };
  periodSeconds?: number;
  failureThreshold?: number;
  timeoutSeconds?: number;
}
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: unknown };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
  startupProbe?: HttpProbe;
  readinessProbe?: HttpProbe;
  livenessProbe?: HttpProbe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}
export interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  initContainers?: Container[];
  containers: Container[];
  volumes?: { name: string; emptyDir?: object; configMap?: { name: string } }[];
}
export interface PodTemplate {
  metadata: { labels: Labels; annotations?: Labels };
  spec: PodSpec;
}
export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
}
export interface NetworkPolicyRule {
  from?: NetworkPolicyPeer[];
  ports?: { port?: string | number }[];
}
export interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels };
  // Kind-specific; narrowed by the accessors below.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a manifest's spec differs per kind; the accessors below narrow it
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export const OVERLAYS = ['dev', 'prod'] as const;
export type Overlay = (typeof OVERLAYS)[number];
export const PROCESSES = ['gateway', ...SUBGRAPH_NAMES] as const;
export type ProcessName = (typeof PROCESSES)[number];

/** The contract's ports: gateway 4000 and metrics 9464; subgraph n (in SUBGRAPH_NAMES order) 4001+n, 9465+n. */
export const HTTP_PORT: Record<ProcessName, number> = { gateway: 4000, ...SUBGRAPH_PORTS };
export const METRICS_PORT: Record<ProcessName, number> = Object.fromEntries(PROCESSES.map((name, i) => [name, 9464 + i])) as Record<
  ProcessName,
  number
>;

/** `kubectl kustomize` of one overlay, as CI and an operator run it (see base/kustomization.yaml). */
export function render(overlay: Overlay): Resource[] {
  const yaml = execFileSync(
    'kubectl',
    ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', resolve(REPO_ROOT, 'infra/k8s/overlays', overlay)],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return parseAllDocuments(yaml).map((doc) => {
    if (doc.errors.length > 0) throw new Error(String(doc.errors[0]));
    return doc.toJS() as Resource;
  });
}

export function named(resources: Resource[], kind: string, name: string): Resource | undefined {
  return resources.find((r) => r.kind === kind && (r.metadata.name === name || r.metadata.name.startsWith(`${name}-`)));
}

/** The graph's own Deployments (not dev's in-cluster datastores). */
export function appDeployments(resources: Resource[]): Resource[] {
  return resources.filter(
    (r) => r.kind === 'Deployment' && ['gateway', 'subgraph'].includes(r.metadata.labels?.['app.kubernetes.io/component'] ?? ''),
  );
}

export const podTemplate = (deployment: Resource): PodTemplate => deployment.spec.template as PodTemplate;
export const mainContainer = (deployment: Resource): Container =>
  podTemplate(deployment).spec.containers.find((c) => c.name === deployment.metadata.name)!;
export const allContainers = (deployment: Resource): Container[] => [
  ...(podTemplate(deployment).spec.initContainers ?? []),
  ...podTemplate(deployment).spec.containers,
];

export function selects(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const value = labels[e.key];
    if (e.operator === 'In' && !(has && e.values!.includes(value!))) return false;
    if (e.operator === 'NotIn' && has && e.values!.includes(value!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/**
 * A container's environment as the process sees it: the keys of the ConfigMaps it takes whole
 * (envFrom) and its own entries. Values from Secrets are `{ secret }`.
 */
export function containerEnv(resources: Resource[], container: Container): Map<string, { value: string } | { secret: string }> {
  const env = new Map<string, { value: string } | { secret: string }>();
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef?.name;
    if (!ref) throw new Error(`${container.name}: envFrom other than a ConfigMap is not expected`);
    const map = resources.find((r) => r.kind === 'ConfigMap' && r.metadata.name === ref);
    if (!map) throw new Error(`${container.name}: ConfigMap ${ref} is not in the render`);
    for (const [k, v] of Object.entries(map.data ?? {})) env.set(k, { value: v });
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom?.secretKeyRef) env.set(e.name, { secret: `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}` });
    else env.set(e.name, { value: e.value ?? '' });
  }
  return env;
}

/** The workspace directory a container runs (its first argument to infra/run-script.sh). */
export function packageScripts(workspaceDir: string): Record<string, string> {
  const pkg = JSON.parse(readFileSync(resolve(REPO_ROOT, workspaceDir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  return pkg.scripts ?? {};
}

export const workspaceOf = (name: ProcessName) => (name === 'gateway' ? 'gateway' : `subgraphs/${name}`);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- compose services are read field by field in the test
export function readCompose(): { services: Record<string, any> } {
  return parse(readFileSync(resolve(REPO_ROOT, 'infra/docker-compose.yml'), 'utf8'), { merge: true });
}

/** Variable names that hold a secret or a connection string that may carry a password. */
export const SENSITIVE = /SECRET|PASSWORD|_PASS$|TOKEN|PRIVATE|_KEYS?$|DATABASE_URL|REDIS_URL|AMQP_URL/;

export const isSubgraph = (name: ProcessName): name is SubgraphName => name !== 'gateway';
