import { verifySignature, type Signer } from '@ecom/platform/gateway-credential';
import { describe, expect, it } from 'vitest';
import { signedHeaders } from '../../src/subgraph-fetch/request-signing.ts';

const SIGNER: Signer = { caller: 'gateway', key: { kid: 'gw-1', secret: 'a-test-secret-of-enough-length' } };
const TRUSTED = { gateway: [SIGNER.key] };

describe('signedHeaders', () => {
  it('signs the body it is given, for the subgraph, method and path it goes to, with identity only from the context', () => {
    const body = JSON.stringify({ query: '{ product(id: "p") { id } }', variables: { id: 'p' } });
    const sent = signedHeaders(
      { method: 'POST', path: '/graphql', body },
      { requestId: 'req-1', principal: { userId: null, roles: [] } },
      SIGNER,
      'product',
      250,
    );
    const product = { method: 'POST', path: '/graphql', target: 'product' };
    expect(verifySignature(TRUSTED, product, sent, body)).toMatchObject({ caller: 'gateway' });
    expect(verifySignature(TRUSTED, product, sent, body.replace('"p"', '"q"'))).toBeUndefined();
    expect(verifySignature(TRUSTED, { ...product, target: 'pricing' }, sent, body)).toBeUndefined();
    expect(verifySignature(TRUSTED, { ...product, method: 'PUT' }, sent, body)).toBeUndefined();
    expect(verifySignature(TRUSTED, { ...product, path: '/admin' }, sent, body)).toBeUndefined();
    expect(sent['x-user-id']).toBeUndefined();
    expect(sent).toMatchObject({ 'x-request-id': 'req-1', 'x-deadline-ms': '250', 'x-caller': 'gateway', 'x-signature-kid': 'gw-1' });
  });
});
