import { SUBGRAPH_NAMES, type SubgraphName } from '@ecom/platform/env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraph, type Graph } from '../support/graph.ts';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.ts';
import { extraGateway, type ExtraGateway } from './support.ts';

let graph: Graph;
const proxies = {} as Record<SubgraphName, RecordingProxy>;
const gateways: ExtraGateway[] = [];
beforeAll(async () => {
  graph = await startGraph();
  for (const name of SUBGRAPH_NAMES) {
    proxies[name] = await startRecordingProxy(() => graph.subgraphUrls[name]);
    graph.gatewayUrls[name] = proxies[name].url;
  }
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await graph?.stop();
  await Promise.all(Object.values(proxies).map((p) => p.stop()));
});

/** /readyz probes each subgraph has seen since `since` (a count per subgraph). */
function probesSince(since: Record<SubgraphName, number>): Record<SubgraphName, number> {
  return Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, proxies[n].requests.filter((r) => r.url === '/readyz').length - since[n]])) as Record<
    SubgraphName,
    number
  >;
}
const none = () => Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, 0])) as Record<SubgraphName, number>;
const each = (count: number) => Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, count]));

async function readyGateway(readinessCacheMs: number): Promise<{ readyz: () => Promise<number> }> {
  const gateway = await extraGateway(graph, { readinessCacheMs });
  gateways.push(gateway);
  const url = gateway.url.replace(/\/graphql$/, '/readyz');
  return { readyz: async () => (await fetch(url)).status };
}

describe('/readyz', () => {
  it('answers a storm of probes with one fan-out to the subgraphs', async () => {
    const { readyz } = await readyGateway(60_000);
    const before = probesSince(none());
    const burst = await Promise.all(Array.from({ length: 20 }, () => readyz()));
    const sequential: number[] = [];
    for (let i = 0; i < 20; i++) sequential.push(await readyz());
    expect([...burst, ...sequential].every((s) => s === 200)).toBe(true);
    expect(probesSince(before)).toEqual(each(1));
  });

  it('probes again once the answer is older than the window', async () => {
    const { readyz } = await readyGateway(300);
    const before = probesSince(none());
    expect(await readyz()).toBe(200);
    await new Promise((r) => setTimeout(r, 800));
    expect(await readyz()).toBe(200);
    expect(probesSince(before)).toEqual(each(2));
  });
});
