import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from '@ecom/platform/env';
import { registry } from '@ecom/platform/metrics';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROCESSES, render } from './rendered.ts';

interface AdapterRule {
  seriesQuery: string;
  name: { matches: string; as: string };
  metricsQuery: string;
}

const adapterRules = (parse(readFileSync(resolve(REPO_ROOT, 'infra/prometheus/adapter-rules.yaml'), 'utf8')) as { rules: AdapterRule[] }).rules;
const served = new Map(adapterRules.map((rule) => [rule.name.as, rule]));

describe('request-rate autoscaling (prod overlay, through prometheus-adapter)', () => {
  const hpas = render('prod').filter((r) => r.kind === 'HorizontalPodAutoscaler');

  it.each(PROCESSES.map((name) => [name] as const))('%s scales on its request rate as well as CPU', (name) => {
    const hpa = hpas.find((r) => r.metadata.name === name)!;
    const metrics = hpa.spec.metrics as { type: string; pods?: { metric: { name: string }; target: { type: string; averageValue: string } } }[];
    expect(metrics.map((m) => m.type).sort()).toEqual(['Pods', 'Resource']);
    const rate = metrics.find((m) => m.type === 'Pods')!.pods!;
    expect(rate.metric.name).toBe(name === 'gateway' ? 'graph_gateway_requests_per_second' : 'graph_subgraph_requests_per_second');
    expect(rate.target.type).toBe('AverageValue');
    expect(Number(rate.target.averageValue)).toBeGreaterThan(0);
    // The adapter serves that name, per pod, as a rate.
    const rule = served.get(rate.metric.name);
    expect(rule, `no adapter rule serves ${rate.metric.name}`).toBeDefined();
    expect(rule!.metricsQuery).toMatch(/rate\(<<\.Series>>\{<<\.LabelMatchers>>\}\[\w+\]\)/);
  });

  it('builds every served rate from a series the processes really expose', async () => {
    const exposed = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    for (const rule of adapterRules) {
      const series = /^(\w+)\{/.exec(rule.seriesQuery)![1]!;
      expect(series.endsWith('_count'), series).toBe(true);
      const histogram = series.slice(0, -'_count'.length);
      expect(exposed, `${histogram} is not in the metrics registry`).toContain(histogram);
      expect(registry.getSingleMetric(histogram)?.constructor.name).toBe('Histogram');
    }
  });

  it('leaves the dev overlay (no adapter on a laptop cluster) on CPU alone', () => {
    for (const hpa of render('dev').filter((r) => r.kind === 'HorizontalPodAutoscaler')) {
      expect((hpa.spec.metrics as { type: string }[]).map((m) => m.type)).toEqual(['Resource']);
    }
  });
});
