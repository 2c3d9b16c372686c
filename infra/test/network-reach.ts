import type { Container, Labels, NetworkPolicyRule, Resource } from './rendered.ts';
import { selects } from './rendered.ts';

/** A pod that might try to connect: its labels and its namespace's labels. */
export interface Source {
  description: string;
  labels: Labels;
  /** Undefined: the policy's own namespace. */
  namespaceLabels?: Labels;
}

function peerMatches(rule: NetworkPolicyRule, source: Source): boolean {
  if (!rule.from) return true;
  return rule.from.some((peer) => {
    if (peer.namespaceSelector) {
      if (!source.namespaceLabels || !selects(peer.namespaceSelector, source.namespaceLabels)) return false;
      return selects(peer.podSelector, source.labels);
    }
    // A podSelector alone means pods of the policy's own namespace.
    return source.namespaceLabels === undefined && selects(peer.podSelector, source.labels);
  });
}

function portMatches(rule: NetworkPolicyRule, target: Container, port: number): boolean {
  if (!rule.ports) return true;
  return rule.ports.some((p) => {
    if (p.port === undefined || p.port === port) return true;
    return target.ports?.some((cp) => cp.name === p.port && cp.containerPort === port) ?? false;
  });
}

/**
 * Whether `source` may open a connection to `port` of a pod labelled `targetLabels`, under
 * Kubernetes' rules: with no policy selecting the pod everything is allowed; otherwise only what
 * some ingress rule of a selecting policy allows.
 */
export function mayConnect(policies: Resource[], targetLabels: Labels, target: Container, port: number, source: Source): boolean {
  const selecting = policies.filter(
    (p) => selects(p.spec.podSelector, targetLabels) && ((p.spec.policyTypes as string[] | undefined) ?? ['Ingress']).includes('Ingress'),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    ((p.spec.ingress as NetworkPolicyRule[] | undefined) ?? []).some((rule) => peerMatches(rule, source) && portMatches(rule, target, port)),
  );
}
