import { verifySignature, type Signer } from '@ecom/platform/gateway-credential';
import { describe, expect, it } from 'vitest';
import { signRequest } from '../../src/subgraph-fetch/request-signing.ts';

const SIGNER: Signer = { caller: 'gateway', key: { kid: 'gw-1', secret: 'a-test-secret-of-enough-length' } };
const TRUSTED = { gateway: [SIGNER.key] };

describe('signRequest', () => {
  it('signs the body as it will be sent, for the subgraph, method and path it goes to, and drops identity headers the client sent', () => {
    const headers = new Headers({ 'x-user-id': 'someone-else', 'x-user-roles': 'admin' });
    const request = {
      query: '{ product(id: "p") { id } }',
      variables: { id: 'p' },
      http: { method: 'POST', url: 'http://127.0.0.1:4001/graphql', headers },
    };
    signRequest(request, { requestId: 'req-1', principal: { userId: null, roles: [] } }, SIGNER, 'product', 250);
    const sent = Object.fromEntries(headers.entries());
    const body = JSON.stringify({ query: request.query, variables: request.variables });
    const product = { method: 'POST', path: '/graphql', target: 'product' };
    expect(verifySignature(TRUSTED, product, sent, body)).toMatchObject({ caller: 'gateway' });
    expect(verifySignature(TRUSTED, { ...product, target: 'pricing' }, sent, body)).toBeUndefined();
    expect(verifySignature(TRUSTED, { ...product, method: 'PUT' }, sent, body)).toBeUndefined();
    expect(verifySignature(TRUSTED, { ...product, path: '/admin' }, sent, body)).toBeUndefined();
    expect(sent['x-user-id']).toBeUndefined();
    expect(sent).toMatchObject({ 'x-request-id': 'req-1', 'x-deadline-ms': '250', 'x-caller': 'gateway', 'x-signature-kid': 'gw-1' });
  });
});
