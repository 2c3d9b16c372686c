import { verifySignature } from '@ecom/platform/gateway-credential';
import { describe, expect, it } from 'vitest';
import { signRequest } from '../../src/subgraph-fetch/request-signing.ts';

const SECRET = 'a-test-secret-of-enough-length';

describe('signRequest', () => {
  it('signs the body as it will be sent, and drops identity headers the client sent', () => {
    const headers = new Headers({ 'x-user-id': 'someone-else', 'x-user-roles': 'admin' });
    const request = { query: '{ product(id: "p") { id } }', variables: { id: 'p' }, http: { method: 'POST', url: 'x', headers } };
    signRequest(request, { requestId: 'req-1', principal: { userId: null, roles: [] } }, SECRET, 250);
    const sent = Object.fromEntries(headers.entries());
    const body = JSON.stringify({ query: request.query, variables: request.variables });
    expect(verifySignature(SECRET, sent, body)).toBe(true);
    expect(sent['x-user-id']).toBeUndefined();
    expect(sent).toMatchObject({ 'x-request-id': 'req-1', 'x-deadline-ms': '250' });
  });
});
