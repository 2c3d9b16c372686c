import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allContainers,
  appDeployments,
  containerEnv,
  HTTP_PORT,
  isSubgraph,
  mainContainer,
  METRICS_PORT,
  podTemplate,
  PROCESSES,
  readCompose,
  render,
  SENSITIVE,
  type Container,
  type Resource,
} from './rendered.ts';

// Compose is the laptop twin of the dev overlay: the same processes, variables, ports and checks.
const resources = render('dev');
const deployments = appDeployments(resources);
const compose = readCompose();
const byName = (name: string): Resource => deployments.find((d) => d.metadata.name === name)!;
const INTERPOLATION = /^\$\{[A-Z_]+(:?[?-][^}]*)?\}$/;

function expectNoLiteralSecret(service: string, env: Record<string, string>) {
  for (const [k, v] of Object.entries(env)) {
    if (/SECRET|PASSWORD|_PASS$|TOKEN|_KEYS$/.test(k)) expect(v, `${service} ${k}`).toMatch(INTERPOLATION);
    // A password inside a connection string comes from the environment too.
    const password = /:\/\/[^:/@]+:([^@]+)@/.exec(v)?.[1];
    if (password !== undefined) expect(password, `${service} ${k}`).toMatch(INTERPOLATION);
  }
}

function expectSameEnvironment(service: string, container: Container) {
  const k8s = containerEnv(resources, container);
  const env = compose.services[service].environment as Record<string, string>;
  expect(Object.keys(env).sort(), service).toEqual([...k8s.keys()].sort());
  for (const [k, v] of k8s) {
    if ('value' in v) expect(String(env[k]), `${service} ${k}`).toBe(v.value);
    else expect(SENSITIVE.test(k), `${service} ${k} comes from a Secret in Kubernetes`).toBe(true);
  }
  expectNoLiteralSecret(service, env);
}

describe.each(PROCESSES)('compose service %s', (name) => {
  const service = () => compose.services[name];
  const deployment = () => byName(name);

  it('runs the same image entry with the same arguments', () => {
    expect(service().command).toEqual(mainContainer(deployment()).args);
    expect(service().build).toEqual({ context: '..', dockerfile: 'infra/Dockerfile' });
  });

  it('names the same variables, with the same values where they are not secrets', () => {
    expectSameEnvironment(name, mainContainer(deployment()));
  });

  it('exposes the same ports and checks /readyz on the http one', () => {
    expect(service().expose).toEqual([String(HTTP_PORT[name]), String(METRICS_PORT[name])]);
    const check = (service().healthcheck.test as string[]).join(' ');
    expect(check).toContain(`http://127.0.0.1:${HTTP_PORT[name]}/readyz`);
  });

  it('runs as the same non-root user on a read-only filesystem, and waits as long for the drain', () => {
    const pod = podTemplate(deployment()).spec;
    expect(service().user).toBe(`${pod.securityContext!.runAsUser}:${pod.securityContext!.runAsUser}`);
    expect(service().read_only).toBe(true);
    expect(service().tmpfs).toContain('/tmp');
    expect(service().cap_drop).toContain('ALL');
    expect(service().security_opt).toContain('no-new-privileges:true');
    expect(service().stop_grace_period).toBe(`${pod.terminationGracePeriodSeconds}s`);
  });
});

it.each(PROCESSES.filter(isSubgraph))('compose migrates %s first, as the init container does', (name) => {
  const init = podTemplate(byName(name)).spec.initContainers![0]!;
  const migrate = `migrate-${name}`;
  expect(compose.services[migrate].command).toEqual(init.args);
  expectSameEnvironment(migrate, init);
  expect(compose.services[name].depends_on[migrate]).toEqual({ condition: 'service_completed_successfully' });
});

it('mounts the supergraph where SUPERGRAPH_PATH points, as a directory the gateway can watch', () => {
  const path = compose.services.gateway.environment.SUPERGRAPH_PATH as string;
  expect(compose.services.gateway.volumes).toEqual([`../schema:${dirname(path)}:ro`]);
});

it("has the dev overlay's datastores and nothing the overlay lacks", () => {
  const workloads = resources.filter((r) => r.kind === 'Deployment' || r.kind === 'StatefulSet').map((r) => r.metadata.name);
  const migrates = PROCESSES.filter(isSubgraph).map((n) => `migrate-${n}`);
  expect(Object.keys(compose.services).sort()).toEqual([...workloads, ...migrates].sort());
  for (const service of Object.keys(compose.services)) expectNoLiteralSecret(service, compose.services[service].environment ?? {});
  // Every container of the overlay runs in compose under its own name.
  expect(deployments.flatMap(allContainers).length).toBe(PROCESSES.length + migrates.length);
});
