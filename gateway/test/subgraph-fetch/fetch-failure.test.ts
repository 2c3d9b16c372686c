import { fault, INTERNAL_MESSAGE } from '@ecom/platform/errors';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { fetchFault, subgraphOverloaded } from '../../src/subgraph-fetch/fetch-failure.ts';
import { BreakerOpenError } from '../../src/subgraph-fetch/subgraph-breaker.ts';

const fetch = { service: 'pricing', path: ['products', 'edges'], requestId: 'req-1' };
const withStatus = (status: number) => Object.assign(new Error(`HTTP ${status}: internal detail`), { extensions: { response: { status } } });

describe('fetchFault', () => {
  it('an open breaker is SERVICE_UNAVAILABLE, marked circuit open', () => {
    const fault = fetchFault(new BreakerOpenError('pricing'), fetch);
    expect(fault.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', service: 'pricing', retryable: true, circuit: 'open' });
    expect(fault.path).toEqual(['products', 'edges']);
  });

  it('a spent budget is a retryable TIMEOUT naming the subgraph', () => {
    const aborted = Object.assign(new Error('aborted'), { name: 'TimeoutError' });
    const fault = fetchFault(aborted, fetch);
    expect(fault.extensions).toEqual({ code: 'TIMEOUT', service: 'pricing', retryable: true });
    expect(fault.message).toBe('The pricing service did not answer in time. Retry shortly.');
  });

  it('a 4xx from our own subgraph is INTERNAL, not retryable, with the request id', () => {
    const fault = fetchFault(withStatus(400), fetch);
    expect(fault.extensions).toEqual({ code: 'INTERNAL', service: 'pricing', retryable: false, requestId: 'req-1' });
    expect(fault.message).toBe(INTERNAL_MESSAGE);
  });

  it('a 5xx, a 429 or a refused connection is SERVICE_UNAVAILABLE, without the internals', () => {
    for (const error of [withStatus(503), withStatus(429), new Error('connect ECONNREFUSED')]) {
      const fault = fetchFault(error, fetch);
      expect(fault.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', service: 'pricing', retryable: true });
      expect(fault.message).not.toContain('internal detail');
    }
  });

  it('a subgraph shedding load (503 OVERLOADED) is SERVICE_UNAVAILABLE, marked overloaded; another 503 is not', () => {
    // What SignedDataSource throws for an answer outside 2xx: the status and the parsed JSON body.
    const answer = (status: number, error: GraphQLError) =>
      new GraphQLError(`${status}: Service Unavailable`, {
        extensions: {
          response: { url: 'http://127.0.0.1:4002/graphql', status, statusText: 'Service Unavailable', body: { errors: [error.toJSON()] } },
        },
      });
    const shed = answer(503, fault('OVERLOADED', 'The pricing service is at capacity right now.', { service: 'pricing', reason: 'db_pool' }));
    expect(subgraphOverloaded(shed)).toBe(true);
    const f = fetchFault(shed, fetch);
    expect(f.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', service: 'pricing', retryable: true, overloaded: true });
    expect(f.path).toEqual(['products', 'edges']);

    const outage = answer(503, fault('SERVICE_UNAVAILABLE', 'Injected fault: unavailable', { service: 'pricing' }));
    expect(subgraphOverloaded(outage)).toBe(false);
    expect(fetchFault(outage, fetch).extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', service: 'pricing', retryable: true });
    expect(subgraphOverloaded(answer(500, fault('OVERLOADED', undefined)))).toBe(false);
    for (const other of [withStatus(503), new Error('connect ECONNREFUSED'), null, undefined]) expect(subgraphOverloaded(other)).toBe(false);
  });
});
