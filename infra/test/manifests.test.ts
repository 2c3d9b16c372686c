import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadEnv } from '@ecom/gateway/env';
import {
  CALLER_NAMES,
  credentialsFrom,
  listenPortOf,
  parseEnv,
  platformEnvShape,
  REPO_ROOT,
  SIGNING_KEY_VARIABLES,
  subgraphUrlsFrom,
  SUBGRAPH_NAMES,
} from '@ecom/platform/env';
import { CALLERS_OF } from '@ecom/platform/subgraph-names';
import { describe, expect, it } from 'vitest';
import { siblingCallGraph } from './call-graph.ts';
import { mayConnect, type Source } from './network-reach.ts';
import {
  allContainers,
  appDeployments,
  containerEnv,
  HTTP_PORT,
  isSubgraph,
  mainContainer,
  METRICS_PORT,
  named,
  OVERLAYS,
  packageScripts,
  podTemplate,
  PROCESSES,
  render,
  selects,
  SENSITIVE,
  workspaceOf,
  type Container,
  type ProcessName,
  type Resource,
} from './rendered.ts';

// The gateway and every subgraph let in-flight requests finish for up to this long on SIGTERM (the
// platform's HTTP host, which both run on).
const DRAIN_MS = Number(
  /const DEFAULT_DRAIN_GRACE_MS = ([\d_]+);/
    .exec(readFileSync(resolve(REPO_ROOT, 'subgraphs/platform/src/http-host.ts'), 'utf8'))![1]!
    .replaceAll('_', ''),
);
const MIN_REPLICAS: Record<(typeof OVERLAYS)[number], { gateway: number; subgraph: number }> = {
  dev: { gateway: 1, subgraph: 1 },
  prod: { gateway: 3, subgraph: 2 },
};

/** A stand-in for each secret, shaped like what the real one holds, to run the env parsers on. */
function standIn(ref: string): string {
  if (ref.endsWith('/DATABASE_URL')) return 'postgres://ecom:x@postgres:5432/ecom';
  if (ref.endsWith('/REDIS_URL')) return 'redis://redis:6379';
  if (ref.endsWith('/AMQP_URL')) return 'amqp://ecom:x@rabbitmq:5672';
  if (ref.endsWith('_SIGNING_KEYS')) return `k1:${'x'.repeat(32)}`;
  return 'x'.repeat(32);
}

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  const resources = render(overlay);
  const deployments = appDeployments(resources);
  const byName = (name: ProcessName) => deployments.find((d) => d.metadata.name === name)!;
  const policies = resources.filter((r) => r.kind === 'NetworkPolicy');

  it('has a Deployment for each of the seven processes, all on one image', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...PROCESSES].sort());
    const images = new Set(deployments.flatMap((d) => allContainers(d).map((c) => c.image)));
    expect(images.size).toBe(1);
  });

  describe.each(PROCESSES)('%s', (name) => {
    const deployment = () => byName(name);
    const pod = () => podTemplate(deployment());
    const main = () => mainContainer(deployment());

    it("runs its workspace's start:prod script through the image's entry", () => {
      const [workspace, script, ...rest] = main().args ?? [];
      expect(main().command).toBeUndefined(); // the image's ENTRYPOINT (infra/run-script.sh) stays
      expect(workspace).toBe(workspaceOf(name));
      expect(script).toBeUndefined(); // run-script.sh's default: start:prod
      expect(rest).toEqual([]);
      expect(packageScripts(workspace!)['start:prod']).toBeTruthy();
    });

    it('listens on the contract ports and names them http and metrics', () => {
      expect(main().ports).toEqual([
        { name: 'http', containerPort: HTTP_PORT[name] },
        { name: 'metrics', containerPort: METRICS_PORT[name] },
      ]);
      const env = containerEnv(resources, main());
      expect(env.get('METRICS_PORT')).toEqual({ value: String(METRICS_PORT[name]) });
      expect(env.get('OTEL_SERVICE_NAME')).toEqual({ value: name });
      expect(pod().metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(METRICS_PORT[name]),
        'prometheus.io/path': '/metrics',
      });
    });

    it('is ready from /readyz, alive from /healthz, and has a startup probe long enough for migrations', () => {
      const c = main();
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.startupProbe?.httpGet?.port).toBe('http');
      // Liveness only starts once the startup probe passed; a slow boot (seed, a long migration)
      // gets minutes, not the liveness probe's 30 s.
      expect((c.startupProbe!.periodSeconds ?? 10) * (c.startupProbe!.failureThreshold ?? 3)).toBeGreaterThanOrEqual(120);
    });

    it('sets requests and limits on every container', () => {
      for (const c of allContainers(deployment())) {
        expect(c.resources?.requests?.cpu, c.name).toBeTruthy();
        expect(c.resources?.requests?.memory, c.name).toBeTruthy();
        expect(c.resources?.limits?.cpu, c.name).toBeTruthy();
        expect(c.resources?.limits?.memory, c.name).toBeTruthy();
      }
    });

    it('runs as non-root on a read-only root filesystem without privilege escalation, /tmp an emptyDir', () => {
      expect(pod().spec.securityContext?.runAsNonRoot).toBe(true);
      expect(pod().spec.securityContext?.runAsUser).toBeGreaterThan(0);
      const tmp = pod().spec.volumes?.find((v) => v.name === 'tmp');
      expect(tmp?.emptyDir).toBeDefined();
      for (const c of allContainers(deployment())) {
        expect(c.securityContext, c.name).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
        expect(c.securityContext?.capabilities?.drop, c.name).toContain('ALL');
        expect(c.volumeMounts, c.name).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      }
    });

    it('gives the drain time to finish before the kill', () => {
      const preStop = main().lifecycle?.preStop?.exec?.command;
      const preStopSeconds = preStop?.[0] === 'sleep' ? Number(preStop[1]) : 0;
      expect(pod().spec.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(preStopSeconds * 1000 + DRAIN_MS);
    });

    it('has a Service, a PodDisruptionBudget and a CPU HorizontalPodAutoscaler', () => {
      const labels = pod().metadata.labels;
      const service = named(resources, 'Service', name)!;
      expect(selects({ matchLabels: service.spec.selector }, labels)).toBe(true);
      expect(service.spec.ports).toContainEqual(expect.objectContaining({ port: HTTP_PORT[name], targetPort: 'http' }));

      const pdbs = resources.filter((r) => r.kind === 'PodDisruptionBudget' && selects(r.spec.selector, labels));
      expect(pdbs).toHaveLength(1);
      expect(pdbs[0]!.spec.maxUnavailable ?? pdbs[0]!.spec.minAvailable).toBeDefined();

      const hpas = resources.filter(
        (r) => r.kind === 'HorizontalPodAutoscaler' && r.spec.scaleTargetRef.kind === 'Deployment' && r.spec.scaleTargetRef.name === name,
      );
      expect(hpas).toHaveLength(1);
      const hpa = hpas[0]!;
      expect(hpa.spec.minReplicas).toBe(MIN_REPLICAS[overlay][name === 'gateway' ? 'gateway' : 'subgraph']);
      expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
      expect(hpa.spec.metrics).toContainEqual(expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }));
      // The HPA owns the count: a replicas field would reset it on every apply.
      expect(deployment().spec.replicas).toBeUndefined();
    });

    it('starts with the variables its own env parser accepts, secrets standing in', () => {
      const env = Object.fromEntries([...containerEnv(resources, main())].map(([k, v]) => [k, 'secret' in v ? standIn(v.secret) : v.value]));
      if (isSubgraph(name)) {
        const parsed = parseEnv(platformEnvShape, env);
        expect(parsed.NODE_ENV).toBe('production');
        expect(parsed.DATABASE_URL).toBeDefined();
        expect(parsed.LISTEN_HOST).toBe('0.0.0.0');
        // Production refuses to start without the signing keys of every caller it accepts.
        expect(() => credentialsFrom(parsed, name)).not.toThrow();
        // It listens where the gateway and its siblings will call it.
        expect(listenPortOf(name, subgraphUrlsFrom(env))).toBe(HTTP_PORT[name]);
      } else {
        const parsed = loadEnv(env);
        expect(parsed.nodeEnv).toBe('production');
        expect(parsed.port).toBe(HTTP_PORT.gateway);
        expect(parsed.edge.supergraphPollMs).toBeGreaterThan(0);
      }
      const urls = subgraphUrlsFrom(env);
      for (const [sub, url] of Object.entries(urls)) expect(url).toBe(`http://${sub}:${HTTP_PORT[sub as ProcessName]}/graphql`);
    });
  });

  it('migrates each subgraph in an init container, with the platform migrate script', () => {
    expect(packageScripts('subgraphs/platform').migrate).toBeTruthy();
    for (const name of PROCESSES.filter(isSubgraph)) {
      const init = podTemplate(byName(name)).spec.initContainers ?? [];
      expect(init.map((c) => c.args)).toEqual([['subgraphs/platform', 'migrate', name]]);
      expect(containerEnv(resources, init[0]!).get('DATABASE_URL')).toEqual(containerEnv(resources, mainContainer(byName(name))).get('DATABASE_URL'));
    }
    expect(podTemplate(byName('gateway')).spec.initContainers ?? []).toEqual([]);
  });

  it('ships the supergraph as a ConfigMap the gateway hot-reloads (a directory mount, no subPath)', () => {
    const gateway = mainContainer(byName('gateway'));
    const env = containerEnv(resources, gateway);
    const path = (env.get('SUPERGRAPH_PATH') as { value: string }).value;
    const mount = gateway.volumeMounts!.find((m) => m.mountPath === dirname(path))!;
    expect(mount).toBeDefined();
    expect(mount.subPath).toBeUndefined();
    const volume = podTemplate(byName('gateway')).spec.volumes!.find((v) => v.name === mount.name)!;
    const map = resources.find((r) => r.kind === 'ConfigMap' && r.metadata.name === volume.configMap?.name)!;
    // Fixed name, so publishing updates it in place instead of rolling the gateway.
    expect(map.metadata.name).toBe('ecom-supergraph');
    expect(map.data?.['supergraph.graphql']).toBe(readFileSync(resolve(REPO_ROOT, 'schema/supergraph.graphql'), 'utf8'));
    expect(Number((env.get('SUPERGRAPH_POLL_MS') as { value: string }).value)).toBeGreaterThan(0);
  });

  it('holds no literal secret: no Secret object, sensitive variables only from secretKeyRef', () => {
    expect(resources.filter((r) => r.kind === 'Secret')).toEqual([]);
    const literal: string[] = [];
    for (const r of resources) {
      const spec = r.kind === 'Deployment' || r.kind === 'StatefulSet' ? podTemplate(r).spec : undefined;
      const containers: Container[] = spec ? [...(spec.initContainers ?? []), ...spec.containers] : [];
      for (const c of containers) {
        for (const e of c.env ?? [])
          if (SENSITIVE.test(e.name) && !e.valueFrom?.secretKeyRef) literal.push(`${r.metadata.name}/${c.name}: ${e.name}`);
      }
      if (r.kind === 'ConfigMap' && r.metadata.name !== 'ecom-supergraph') {
        for (const [k, v] of Object.entries(r.data ?? {})) {
          if (SENSITIVE.test(k) || /:\/\/[^/@\s]+:[^/@\s]+@/.test(v)) literal.push(`ConfigMap ${r.metadata.name}: ${k}`);
        }
      }
    }
    expect(literal).toEqual([]);
  });

  describe('network policies', () => {
    const graph = siblingCallGraph();
    const podLabels = (name: ProcessName) => podTemplate(byName(name)).metadata.labels;
    const fromProcess = (name: ProcessName): Source => ({ description: name, labels: podLabels(name) });
    const outsider: Source = { description: 'another pod of the namespace', labels: { 'app.kubernetes.io/name': 'debug-shell' } };
    const elsewhere: Source = {
      description: 'a pod in another namespace',
      labels: {},
      namespaceLabels: { 'kubernetes.io/metadata.name': 'default' },
    };
    const prometheus: Source = {
      description: 'Prometheus',
      labels: { 'app.kubernetes.io/name': 'prometheus' },
      namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
    };

    it('gives each process the signing keys of its own callers only: those the code shows calling it, and its own', () => {
      for (const target of SUBGRAPH_NAMES) {
        const siblings = [...graph.callers[target]].sort();
        expect(CALLERS_OF[target].filter((c) => c !== 'gateway').sort(), `who calls ${target}`).toEqual(siblings);
      }
      for (const name of PROCESSES) {
        const env = containerEnv(resources, mainContainer(byName(name)));
        const held = CALLER_NAMES.filter((c) => env.has(SIGNING_KEY_VARIABLES[c]));
        const needed = CALLER_NAMES.filter((c) => c === name || (isSubgraph(name) && CALLERS_OF[name].includes(c)));
        expect(held, `${name} holds the keys of`).toEqual(needed);
        for (const c of held)
          expect(env.get(SIGNING_KEY_VARIABLES[c]), `${name} ${c}`).toEqual({ secret: `ecom-signing-${c}/${SIGNING_KEY_VARIABLES[c]}` });
      }
    });

    it('reads every sibling call from the code', () => {
      // A call whose target is not a literal name could not be checked against the policies.
      expect(graph.unresolved).toEqual([]);
      expect(Object.values(graph.callers).some((callers) => callers.size > 0)).toBe(true);
    });

    it('denies ingress by default', () => {
      expect(policies).toContainEqual(expect.objectContaining({ spec: { podSelector: {}, policyTypes: ['Ingress'] } }));
    });

    it.each(PROCESSES.filter(isSubgraph))('lets only the gateway and its callers in the code reach %s', (name) => {
      const target = mainContainer(byName(name));
      const sources = [...PROCESSES.map(fromProcess), outsider, elsewhere, prometheus];
      const allowed = sources.filter((s) => mayConnect(policies, podLabels(name), target, HTTP_PORT[name], s)).map((s) => s.description);
      expect(allowed.sort()).toEqual(['gateway', ...graph.callers[name]].sort());
      const scrapers = sources.filter((s) => mayConnect(policies, podLabels(name), target, METRICS_PORT[name], s)).map((s) => s.description);
      expect(scrapers).toEqual(['Prometheus']);
    });

    it('lets anyone reach the gateway, and only Prometheus its metrics', () => {
      const target = mainContainer(byName('gateway'));
      for (const s of [outsider, elsewhere, fromProcess('cart')])
        expect(mayConnect(policies, podLabels('gateway'), target, HTTP_PORT.gateway, s), s.description).toBe(true);
      for (const s of [outsider, elsewhere])
        expect(mayConnect(policies, podLabels('gateway'), target, METRICS_PORT.gateway, s), s.description).toBe(false);
      expect(mayConnect(policies, podLabels('gateway'), target, METRICS_PORT.gateway, prometheus)).toBe(true);
    });

    it('covers every pod of the overlay with a policy of its own', () => {
      const workloads = resources.filter((r) => r.kind === 'Deployment' || r.kind === 'StatefulSet');
      for (const w of workloads) {
        const labels = podTemplate(w).metadata.labels;
        const own = policies.filter((p) => Object.keys(p.spec.podSelector ?? {}).length > 0 && selects(p.spec.podSelector, labels));
        expect(own.length, w.metadata.name).toBeGreaterThan(0);
      }
    });
  });
});

describe('the overlays differ where they should', () => {
  it('dev runs Postgres, Redis and RabbitMQ in the cluster; prod names external ones by Secret only', () => {
    const dev = render('dev');
    const prod = render('prod');
    for (const store of ['postgres', 'redis', 'rabbitmq']) {
      expect(
        dev.some((r) => (r.kind === 'StatefulSet' || r.kind === 'Deployment') && r.metadata.name === store),
        store,
      ).toBe(true);
      expect(named(dev, 'Service', store), store).toBeDefined();
      expect(
        prod.some((r) => r.metadata.name === store),
        store,
      ).toBe(false);
    }
    const secretRefs = (resources: Resource[]) => {
      const refs = new Set<string>();
      for (const c of appDeployments(resources).flatMap(allContainers)) {
        for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) refs.add(`${e.valueFrom.secretKeyRef.name}/${e.name}`);
      }
      return refs;
    };
    expect([...secretRefs(prod)].sort()).toEqual([...secretRefs(dev)].sort());
  });
});
